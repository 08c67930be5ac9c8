/**
 * The error body every API failure answers with: a stable machine code the app maps to a message
 * in the user's language, plus an English message for logs and operators. Never a stack.
 * DEVICE_CLOCK_SKEW also carries the server's time, which a device with a wrong clock signs with;
 * CONTRACT_VERSION_MISMATCH the server's contract version, which the app needs to be updated to.
 *
 * The list of codes is the contract's: `ErrorCode` below. The server's catalogue (server/errors.ts)
 * gives each one its HTTP status and log message and is typed `Record<ErrorCode, …>`, so a code
 * added on one side and not the other fails the compiler; the app's message tables are typed by
 * the same list (src/lib/net/backend-error.ts ClientErrorCode), so a misspelt code fails there
 * too. A code is never renamed or reused for another meaning once released: an older app maps it
 * by name. Adding one changes the contract's shape (a new CONTRACT_VERSION).
 */
import { z } from 'zod';
import { ContractVersion } from './version.ts';

export const ErrorCode = z
  .enum([
    // The request itself
    'INVALID_JSON',
    'INVALID_REQUEST',
    'BODY_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'NOT_FOUND',
    'METHOD_NOT_ALLOWED',
    'APP_NOT_BUILT',
    'INTERNAL',
    // Authentication and authorisation
    'UNAUTHENTICATED',
    'LOGIN_FAILED',
    'ACCOUNT_LOCKED',
    'ENROLMENT_FAILED',
    'FORBIDDEN',
    'OUT_OF_SCOPE',
    'DEVICE_REQUIRED',
    'TERMINAL_MISMATCH',
    // Setting up the organisation, its operators and devices
    'ALREADY_EXISTS',
    'ORG_UNIT_PARENT_INVALID',
    'DEVICE_UNIT_INVALID',
    'OPERATOR_ROLE_ABOVE_OWN',
    'OPERATOR_ROLE_UNIT_INVALID',
    'OPERATOR_SELF_CHANGE',
    // Exactly once
    'IDEMPOTENCY_CONFLICT',
    'SEQ_CONFLICT',
    // The contract itself: the app and the server speak different versions (version.ts)
    'CONTRACT_VERSION_MISMATCH',
    // Cards
    'CARD_NOT_FOUND',
    'CARD_NOT_ISSUED',
    'CARD_LOST',
    'CARD_BLACKLISTED',
    'CARD_CLOSED',
    'CARD_EXPIRED',
    'CARD_GREY',
    'CARD_BAD',
    'CARD_HAS_NO_PURSE',
    'CUSTOMER_NOT_FOUND',
    // Customers' details (customer-rules.ts)
    'CUSTOMER_NAME_INVALID',
    'RESIDENT_ID_INVALID',
    'ID_NUMBER_INVALID',
    'TAX_ID_INVALID',
    'PHONE_INVALID',
    'CUSTOMER_TEXT_INVALID',
    'CUSTOMER_KIND_MISMATCH',
    'CUSTOMER_OTHER_OUTLET',
    // Card cryptography and the load protocol
    'KEY_STORE_UNAVAILABLE',
    'KEY_VERSION_UNKNOWN',
    'MAC1_INVALID',
    'TAC_INVALID',
    'COUNTER_STALE',
    'LOAD_PENDING',
    'SOURCE_ACCOUNT_INVALID',
    'PURSE_LIMIT_EXCEEDED',
    'INSUFFICIENT_FUNDS',
    'LOAD_NOT_FOUND',
    'LOAD_ALREADY_VOIDED',
    'LOAD_MISMATCH',
    'PROBE_NOT_FRESH',
    'AMOUNT_ABOVE_LIMIT',
    'APPROVAL_REQUIRED',
    'APPROVAL_INVALID',
    'ACCOUNT_CEILING_EXCEEDED',
    'CARD_UNDER_REVIEW',
    // Ledger and availability
    'LEDGER_REFUSED',
    'UNAVAILABLE',
    'DATABASE_UNAVAILABLE',
    // The request, refused before any route sees it
    'TEXT_INVALID',
    'JSON_TOO_DEEP',
    'URL_INVALID',
    'URL_TOO_LONG',
    'HEADERS_TOO_LARGE',
    'HTTP_MALFORMED',
    'REQUEST_TIMEOUT',
    // Throttling
    'RATE_LIMITED',
    'SIGN_IN_BUSY',
    // Signed device requests
    'NONCE_REUSED',
    'DEVICE_CLOCK_SKEW',
    'DEVICE_KEYS_UNAVAILABLE',
    // Shifts, cheques and reversals (server/shifts/)
    'SHIFT_NOT_OPEN',
    'SHIFT_ALREADY_OPEN',
    'CHEQUE_ALREADY_TAKEN',
    'REVERSAL_NOT_FOUND',
    'ALREADY_REVERSED',
    'REVERSAL_FUNDS_GONE',
    // Card stock (server/stock/)
    'STOCK_RANGE_INVALID',
    'STOCK_CARDS_EXIST',
    'STOCK_EXPIRY_INVALID',
    'STOCK_UNIT_INVALID',
    'STOCK_NOT_HELD',
    'STOCK_OUTLET_USER_CARDS_ONLY',
    // Issuing a card (server/cards/issue.ts)
    'ISSUE_NOT_FOUND',
    'ISSUE_CARD_NOT_IN_STOCK',
    'ISSUE_CARD_NOT_AT_OUTLET',
    'ISSUE_CARD_TYPE_INVALID',
    'ISSUE_OTHER_OUTLET',
    'ISSUE_MAIN_CARD_INVALID',
    'ISSUE_ROLE_INVALID',
    'ISSUE_HOLDER_INVALID',
    'ISSUE_IN_PROGRESS',
    'ISSUE_NOT_STARTED',
    'ISSUE_NOT_WRITTEN',
    'ISSUE_PROBE_STALE',
    'ISSUE_CARD_NOT_BLANK',
    // Anonymous cards (server/cards/anonymous*.ts)
    'ANONYMOUS_CARD_NAMED',
    'ANONYMOUS_STATE_INVALID',
    'ANONYMOUS_UPGRADE_ELSEWHERE',
    'ANONYMOUS_NO_LOSS_REPORT',
    // The maker of a queued operation
    'OPERATION_MAKER_INVALID',
    'OPERATION_MAKER_SESSION_ENDED',
    // Station cards (server/cards/station-issue.ts)
    'STATION_CARD_TYPE_INVALID',
    'STATION_INVALID',
    'STATION_CARD_NOT_IN_STOCK',
    'STATION_CARD_NOT_FOUND',
    'STATION_CARD_NOT_ISSUED',
    // The working-day calendar (server/calendar/)
    'CALENDAR_DAY_INVALID',
    // Loss reports (server/cards/loss-report.ts)
    'LOSS_IDENTITY_MISMATCH',
    'LOSS_REPORT_EXISTS',
    'LOSS_REPORT_NOT_FOUND',
    'LOSS_REPORT_NOT_PENDING',
  ])
  .describe("A stable machine code of the server's error catalogue (server/errors.ts gives each its HTTP status)");
export type ErrorCode = z.infer<typeof ErrorCode>;
/** Every catalogue code, in the catalogue's order (for tests that walk them all). */
export const ERROR_CODES: readonly ErrorCode[] = ErrorCode.options;

export const ApiErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    serverTime: z.iso.datetime().optional(),
    contractVersion: ContractVersion.optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
