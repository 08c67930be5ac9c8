/** The organisation tree's and the devices' messages for the refusals of their calls (keys under centre.org.error), else the centre's own. */
import type { MessageKey } from '../lib/i18n/index.ts';
import { BackendError, type ClientErrorCode } from '../lib/net/backend-error.ts';
import { errorMessage, type CentreMessage } from './errors.ts';

const MESSAGES: Partial<Record<ClientErrorCode, MessageKey>> = {
  ALREADY_EXISTS: 'centre.org.error.already_exists',
  NOT_FOUND: 'centre.org.error.not_found',
  ORG_UNIT_PARENT_INVALID: 'centre.org.error.parent_invalid',
  DEVICE_UNIT_INVALID: 'centre.org.error.device_unit_invalid',
};

export function orgErrorMessage(error: unknown): CentreMessage {
  if (error instanceof BackendError) {
    const key = MESSAGES[error.code];
    if (key) return { key };
  }
  return errorMessage(error);
}
