/** Operator maintenance's messages for the refusals of its calls (keys under centre.operators.error), else the centre's own. */
import type { MessageKey } from '../lib/i18n/index.ts';
import { BackendError, type ClientErrorCode } from '../lib/net/backend-error.ts';
import { errorMessage, type CentreMessage } from './errors.ts';

const MESSAGES: Partial<Record<ClientErrorCode, MessageKey>> = {
  OPERATOR_ROLE_ABOVE_OWN: 'centre.operators.error.role_above_own',
  OPERATOR_SELF_CHANGE: 'centre.operators.error.self_change',
  OPERATOR_ROLE_UNIT_INVALID: 'centre.operators.error.role_unit_invalid',
  ALREADY_EXISTS: 'centre.operators.error.username_taken',
  NOT_FOUND: 'centre.operators.error.not_found',
  SIGN_IN_BUSY: 'centre.operators.error.busy',
};

export function operatorErrorMessage(error: unknown): CentreMessage {
  if (error instanceof BackendError) {
    const key = MESSAGES[error.code];
    if (key) return { key };
  }
  return errorMessage(error);
}
