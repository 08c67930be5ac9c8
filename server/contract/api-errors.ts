/**
 * Which error codes an API operation can answer with, for the reference (/api/docs, openapi.ts).
 * Each endpoint of the table declares its own (`errors` in endpoint-docs.ts); the ones below are
 * general and not repeated there: what any request can be refused for before its handler runs
 * (its HTTP, its JSON, its shape, the database), what any signed-in request can be refused for
 * (server/http/route.ts: the credentials and the role), and the contract's version on a
 * versioned endpoint. The push answers 200 with a result per operation: what each operation type
 * can be refused for is OPERATION_ERRORS, written in the push's description.
 *
 * tests/unit/api-errors.test.ts reads the server's source and fails when a handler can reach a
 * code its endpoint does not declare here or in the table.
 */
import type { ErrorCode } from './errors.ts';
import type { OperationType } from './sync.ts';

/** Any request: its HTTP, body and shape, refused before or by the route helper; the server and its database. */
export const REQUEST_ERRORS: readonly ErrorCode[] = [
  'INVALID_JSON',
  'INVALID_REQUEST',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'TEXT_INVALID',
  'JSON_TOO_DEEP',
  'URL_INVALID',
  'URL_TOO_LONG',
  'HEADERS_TOO_LARGE',
  'HTTP_MALFORMED',
  'REQUEST_TIMEOUT',
  'METHOD_NOT_ALLOWED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
];

/** Any endpoint that is not public: the caller's credentials (a session, a signed device request) and role. */
export const SIGNED_IN_ERRORS: readonly ErrorCode[] = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'DEVICE_CLOCK_SKEW',
  'NONCE_REUSED',
  'DEVICE_KEYS_UNAVAILABLE',
];

/** A `versioned` endpoint: the body's contract version is checked first. */
export const VERSIONED_ERRORS: readonly ErrorCode[] = ['CONTRACT_VERSION_MISMATCH'];

/** Answers of no API operation: an unknown path, and the app shell before the app is built. */
export const OUTSIDE_ERRORS: readonly ErrorCode[] = ['NOT_FOUND', 'APP_NOT_BUILT'];

/**
 * Codes the catalogue keeps (a code is never reused, an older app still maps it) that no handler
 * answers with today.
 */
export const UNANSWERED_ERRORS: readonly ErrorCode[] = ['LOAD_MISMATCH'];

/**
 * Codes of a rule already in the server whose operation is not built yet: the loss report will
 * refuse an anonymous card with ANONYMOUS_NO_LOSS_REPORT (server/cards/anonymous-rules.ts).
 */
export const AWAITING_OPERATION_ERRORS: readonly ErrorCode[] = ['ANONYMOUS_NO_LOSS_REPORT'];

/**
 * A pushed operation of any type: its id reused for another request (IDEMPOTENCY_CONFLICT), a
 * payload of the wrong shape, a role or a device that may not push it; SEQ_CONFLICT stops the
 * batch at a sequence number already used.
 */
export const PUSH_RESULT_ERRORS: readonly ErrorCode[] = ['IDEMPOTENCY_CONFLICT', 'SEQ_CONFLICT', 'INVALID_REQUEST', 'FORBIDDEN'];

const CARD_STATE: readonly ErrorCode[] = [
  'CARD_NOT_FOUND',
  'CARD_NOT_ISSUED',
  'CARD_LOST',
  'CARD_BLACKLISTED',
  'CARD_CLOSED',
  'CARD_EXPIRED',
  'CARD_GREY',
  'CARD_BAD',
  'CARD_HAS_NO_PURSE',
  'CARD_UNDER_REVIEW',
  'OUT_OF_SCOPE',
];

/** Every card-state refusal (server/cards/card.ts) and the scope check that comes with reading a card. */
export const CARD_ERRORS: readonly ErrorCode[] = CARD_STATE;

const LEDGER: readonly ErrorCode[] = ['INSUFFICIENT_FUNDS', 'ACCOUNT_CEILING_EXCEEDED', 'LEDGER_REFUSED'];

/** The online load protocol's refusals (server/loads/online.ts), for its endpoints and its pushed operations. */
export const LOAD_ERRORS: readonly ErrorCode[] = [
  ...CARD_STATE,
  ...LEDGER,
  'LOAD_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'COUNTER_STALE',
  'CUSTOMER_OTHER_OUTLET',
  'DEVICE_REQUIRED',
  'TERMINAL_MISMATCH',
  'KEY_STORE_UNAVAILABLE',
  'KEY_VERSION_UNKNOWN',
  'LOAD_ALREADY_VOIDED',
  'LOAD_PENDING',
  'MAC1_INVALID',
  'TAC_INVALID',
  'PROBE_NOT_FRESH',
  'PURSE_LIMIT_EXCEEDED',
  'SOURCE_ACCOUNT_INVALID',
];

/** A customer's details checked (contract/customer-rules.ts, server/customers/). */
export const CUSTOMER_ERRORS: readonly ErrorCode[] = [
  'CUSTOMER_NOT_FOUND',
  'CUSTOMER_NAME_INVALID',
  'RESIDENT_ID_INVALID',
  'ID_NUMBER_INVALID',
  'TAX_ID_INVALID',
  'PHONE_INVALID',
  'CUSTOMER_TEXT_INVALID',
  'CUSTOMER_KIND_MISMATCH',
];

const RECEIPT: readonly ErrorCode[] = [
  ...CARD_STATE,
  ...LEDGER,
  'LOAD_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'CUSTOMER_NOT_FOUND',
  'CUSTOMER_OTHER_OUTLET',
  'AMOUNT_ABOVE_LIMIT',
  'APPROVAL_REQUIRED',
  'APPROVAL_INVALID',
  'SHIFT_NOT_OPEN',
];
const SHIFT: readonly ErrorCode[] = [...LEDGER, 'AMOUNT_ABOVE_LIMIT', 'SHIFT_NOT_OPEN', 'SHIFT_ALREADY_OPEN'];

/** What each pushed operation type can be refused for, besides PUSH_RESULT_ERRORS (server/sync/operations.ts). */
export const OPERATION_ERRORS: Partial<Record<OperationType, readonly ErrorCode[]>> = {
  'receipt.cash': RECEIPT,
  'receipt.cheque': [...RECEIPT, 'CHEQUE_ALREADY_TAKEN'],
  preallocation: [...CARD_STATE, ...LEDGER, 'LOAD_NOT_FOUND', 'IDEMPOTENCY_CONFLICT', 'CUSTOMER_NOT_FOUND', 'SOURCE_ACCOUNT_INVALID'],
  'load.complete': LOAD_ERRORS,
  'unload.complete': LOAD_ERRORS,
  'load.recover': LOAD_ERRORS,
  inquiry: [...CARD_STATE, 'LOAD_NOT_FOUND'],
  'customer.create': [...CUSTOMER_ERRORS, 'CUSTOMER_OTHER_OUTLET'],
  'customer.update': [...CUSTOMER_ERRORS, 'CUSTOMER_OTHER_OUTLET'],
  'shift.open': SHIFT,
  'shift.close': SHIFT,
  reversal: [...LEDGER, 'SHIFT_NOT_OPEN', 'CUSTOMER_OTHER_OUTLET', 'REVERSAL_NOT_FOUND', 'ALREADY_REVERSED', 'REVERSAL_FUNDS_GONE'],
};
