/** The centre's messages for the codes its calls can fail with (src/lib/i18n, keys under centre.error). */
import type { MessageKey } from '../lib/i18n/index.ts';
import { BackendError, type ClientErrorCode } from '../lib/net/backend-error.ts';

const MESSAGES: Partial<Record<ClientErrorCode, MessageKey>> = {
  LOGIN_FAILED: 'centre.error.login_failed',
  ACCOUNT_LOCKED: 'centre.error.account_locked',
  UNAUTHENTICATED: 'centre.error.unauthenticated',
  FORBIDDEN: 'centre.error.forbidden',
  OUT_OF_SCOPE: 'centre.error.out_of_scope',
  INVALID_REQUEST: 'centre.error.invalid_request',
  IDEMPOTENCY_CONFLICT: 'centre.error.idempotency_conflict',
  STOCK_RANGE_INVALID: 'centre.error.stock_range_invalid',
  STOCK_CARDS_EXIST: 'centre.error.stock_cards_exist',
  STOCK_EXPIRY_INVALID: 'centre.error.stock_expiry_invalid',
  STOCK_UNIT_INVALID: 'centre.error.stock_unit_invalid',
  STOCK_NOT_HELD: 'centre.error.stock_not_held',
  STOCK_OUTLET_USER_CARDS_ONLY: 'centre.error.stock_outlet_user_cards_only',
  CALENDAR_DAY_INVALID: 'centre.error.calendar_day_invalid',
  NETWORK: 'centre.error.network',
};

export type CentreMessage = { key: MessageKey; values?: Record<string, string | number> };

export function errorMessage(error: unknown): CentreMessage {
  const code: ClientErrorCode = error instanceof BackendError ? error.code : 'PROTOCOL';
  const key = MESSAGES[code];
  return key ? { key } : { key: 'centre.error.other', values: { code } };
}

/** True when the error means the session is over: back to sign-in. */
export function sessionEnded(error: unknown): boolean {
  return error instanceof BackendError && error.code === 'UNAUTHENTICATED';
}

/** True when the request may not have reached the server: a retry must reuse its operation id. */
export function maybeUnanswered(error: unknown): boolean {
  return error instanceof BackendError && error.code === 'NETWORK';
}
