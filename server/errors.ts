/**
 * The server's error catalogue: every failure the world can cause has a code and an HTTP status.
 * Route code throws ApiError; the error handler in app.ts turns it into the ApiErrorBody shape.
 * Anything else reaching the handler is a programmer error: logged with its stack, answered 500
 * with no detail.
 *
 * The codes are the contract's (server/contract/errors.ts ErrorCode, which the app's message
 * tables are typed by): this catalogue is typed by that list, so a code added here and not there,
 * or there and not here, fails the compiler.
 */
import type { ErrorCode } from './contract/errors.ts';

export type ApiErrorCode = ErrorCode;

export const API_ERRORS: Readonly<Record<ErrorCode, { readonly status: number; readonly message: string }>> = {
  INVALID_JSON: { status: 400, message: 'the request body is not valid JSON' },
  INVALID_REQUEST: { status: 400, message: 'the request does not match the expected shape' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send the request body as application/json' },
  NOT_FOUND: { status: 404, message: 'no such resource' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  APP_NOT_BUILT: { status: 503, message: 'the app is not built; run npm run build' },
  INTERNAL: { status: 500, message: 'internal error' },
  // Authentication and authorisation
  UNAUTHENTICATED: { status: 401, message: 'sign in or present the device credentials' },
  LOGIN_FAILED: { status: 401, message: 'wrong user name or password' },
  ACCOUNT_LOCKED: { status: 423, message: 'too many failed sign-ins; try again later' },
  ENROLMENT_FAILED: { status: 401, message: 'the enrolment code is wrong, used or expired' },
  FORBIDDEN: { status: 403, message: 'your role may not do this' },
  OUT_OF_SCOPE: { status: 403, message: 'this belongs to another part of the organisation' },
  DEVICE_REQUIRED: { status: 403, message: 'this must be done from an enrolled device' },
  TERMINAL_MISMATCH: { status: 403, message: 'the terminal id is not the one of this device' },
  // Setting up the organisation, its operators and devices
  ALREADY_EXISTS: { status: 409, message: 'something with this id, code, user name or terminal id already exists' },
  ORG_UNIT_PARENT_INVALID: { status: 422, message: 'a unit of this kind cannot sit under that parent' },
  DEVICE_UNIT_INVALID: { status: 422, message: 'devices belong to an outlet or a station' },
  OPERATOR_ROLE_ABOVE_OWN: { status: 403, message: 'nobody may give a role above their own, or change an operator whose role is above it' },
  OPERATOR_ROLE_UNIT_INVALID: {
    status: 422,
    message: 'outlet staff belong to an outlet or a station, centre operators and administrators to a centre, province, city or county',
  },
  OPERATOR_SELF_CHANGE: { status: 403, message: 'nobody may change their own role, unit or state' },
  // Exactly once
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'this operation id was already used for a different request' },
  SEQ_CONFLICT: { status: 409, message: 'this sequence number was already used by another operation' },
  // The contract (server/contract/version.ts): refused before anything was looked at
  CONTRACT_VERSION_MISMATCH: {
    status: 409,
    message: 'the app and the server speak different versions of the contract: update the app (or the server) first; nothing was done',
  },
  // Cards
  CARD_NOT_FOUND: { status: 404, message: 'no such card' },
  CARD_NOT_ISSUED: { status: 409, message: 'the card is still in stock' },
  CARD_LOST: { status: 409, message: 'the card has been reported lost' },
  CARD_BLACKLISTED: { status: 409, message: 'the card is blacklisted' },
  CARD_CLOSED: { status: 409, message: 'the card is closed' },
  CARD_EXPIRED: { status: 409, message: 'the card has expired' },
  CARD_GREY: { status: 409, message: 'the card is grey: unlock it at an outlet first' },
  CARD_BAD: { status: 409, message: 'the card is registered as broken' },
  CARD_HAS_NO_PURSE: { status: 409, message: 'this kind of card carries no money' },
  CUSTOMER_NOT_FOUND: { status: 404, message: 'no such customer' },
  CUSTOMER_NAME_INVALID: { status: 422, message: 'a name is Chinese or Latin script, 1 to 100 characters' },
  RESIDENT_ID_INVALID: { status: 422, message: 'not a valid resident ID number (18 characters, a real birth date, the check digit)' },
  ID_NUMBER_INVALID: { status: 422, message: 'the document number does not have the shape of its type' },
  TAX_ID_INVALID: { status: 422, message: 'not a valid unified social credit code (18 characters, the check character)' },
  PHONE_INVALID: { status: 422, message: 'not a telephone number (digits, an optional leading +, spaces or dashes; 5 to 20 characters)' },
  CUSTOMER_TEXT_INVALID: { status: 422, message: 'an address or reference is empty, too long, or holds control characters' },
  CUSTOMER_KIND_MISMATCH: { status: 422, message: 'the edit is for the other kind of customer (unit or personal)' },
  CUSTOMER_OTHER_OUTLET: { status: 403, message: "a customer's details are changed only at its own outlet" },
  // Card cryptography and the load protocol
  KEY_STORE_UNAVAILABLE: { status: 503, message: 'the key store is not configured' },
  KEY_VERSION_UNKNOWN: { status: 409, message: 'the card reports a key version the issuer does not hold' },
  MAC1_INVALID: { status: 422, message: 'the card proof (MAC1) does not verify' },
  TAC_INVALID: { status: 422, message: 'the transaction proof (TAC) does not verify' },
  COUNTER_STALE: { status: 409, message: 'the card counter is older than one the server has already seen' },
  LOAD_PENDING: {
    status: 409,
    message: "a previous load of this card waits for the card's proof; insert the card again so it is settled first",
  },
  SOURCE_ACCOUNT_INVALID: { status: 422, message: 'this card cannot be loaded from that account' },
  PURSE_LIMIT_EXCEEDED: { status: 422, message: 'the load would take the purse past its limit' },
  INSUFFICIENT_FUNDS: { status: 422, message: 'not enough money in the account' },
  LOAD_NOT_FOUND: { status: 404, message: 'no such load' },
  LOAD_ALREADY_VOIDED: { status: 409, message: 'the load was voided: the card shows it did not happen' },
  LOAD_MISMATCH: { status: 422, message: 'the card answer does not belong to this load' },
  PROBE_NOT_FRESH: {
    status: 409,
    message: "the card's answer may predate the transaction: probe the card again with the transaction's challenge",
  },
  AMOUNT_ABOVE_LIMIT: { status: 422, message: 'the amount is above what one operation may take' },
  APPROVAL_REQUIRED: { status: 403, message: "an amount this large needs a supervisor's approval" },
  APPROVAL_INVALID: { status: 409, message: 'the approval is unknown, used, expired, or for another customer or amount' },
  ACCOUNT_CEILING_EXCEEDED: { status: 422, message: 'the account would hold more than a card can ever carry' },
  CARD_UNDER_REVIEW: {
    status: 409,
    message: 'the card showed more money than the accounts gave it: its loads and unloads wait for a review at a centre',
  },
  // Ledger
  LEDGER_REFUSED: { status: 422, message: 'the ledger refused the transfer' },
  UNAVAILABLE: { status: 503, message: 'the server is busy; retry with the same operation id' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'the database cannot be reached (restarting or down); retry with the same operation id' },
  // The request itself, refused before any route sees it. Fixed texts: a message never repeats
  // what the request carried (a URL or a body can hold card numbers and passwords).
  TEXT_INVALID: { status: 400, message: 'a text in the request contains a NUL character or an unpaired surrogate' },
  JSON_TOO_DEEP: { status: 400, message: 'the request body is nested too deeply' },
  URL_INVALID: { status: 400, message: 'the request URL is malformed' },
  URL_TOO_LONG: { status: 414, message: 'the request URL is too long' },
  HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are too large' },
  HTTP_MALFORMED: { status: 400, message: 'the HTTP request is malformed' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request took too long to arrive' },
  // Throttling, answered with Retry-After (server/auth/throttle.ts)
  RATE_LIMITED: { status: 429, message: 'too many requests from this address; retry after the time in Retry-After' },
  SIGN_IN_BUSY: { status: 503, message: 'too many sign-ins at once; try again in a few seconds' },
  // Signed device requests (server/auth/device-signature.ts)
  NONCE_REUSED: { status: 401, message: 'this signed request was already received: sign every request afresh' },
  DEVICE_CLOCK_SKEW: { status: 401, message: "the request's time is too far from the server's: sign again with the server time given" },
  DEVICE_KEYS_UNAVAILABLE: {
    status: 503,
    message: 'the server cannot open device keys: start it with the FUELCARD_KEK they were sealed under',
  },
  // Shifts, cheques and reversals (server/shifts/)
  SHIFT_NOT_OPEN: { status: 409, message: 'open a shift first: cash is taken only into the drawer of an open shift' },
  SHIFT_ALREADY_OPEN: { status: 409, message: 'this operator already has an open shift: close it first' },
  CHEQUE_ALREADY_TAKEN: { status: 409, message: 'this cheque (bank and number) has already been taken' },
  REVERSAL_NOT_FOUND: { status: 404, message: 'no applied cash receipt, cheque receipt or pre-allocation with this operation id' },
  ALREADY_REVERSED: { status: 409, message: 'this operation has already been reversed' },
  REVERSAL_FUNDS_GONE: {
    status: 409,
    message: 'the money the reversal would take back is no longer there (spent, loaded onto a card, or not in the drawer)',
  },
  // Card stock (server/stock/)
  STOCK_RANGE_INVALID: {
    status: 422,
    message: 'the range must be card numbers of one card type and key version, first to last, at most the batch limit',
  },
  STOCK_CARDS_EXIST: { status: 409, message: 'some card numbers of this range already exist' },
  STOCK_EXPIRY_INVALID: { status: 422, message: 'the expiry date must be a date after today' },
  STOCK_UNIT_INVALID: {
    status: 422,
    message: 'cards enter stock at the province and move one level down, to a city, county or outlet under the giving unit',
  },
  STOCK_NOT_HELD: { status: 409, message: 'not every card of this range is in stock at the giving unit' },
  STOCK_OUTLET_USER_CARDS_ONLY: { status: 422, message: 'outlets receive user cards only' },
  // Issuing a card (server/cards/issue.ts)
  ISSUE_NOT_FOUND: { status: 404, message: 'no such card issuance' },
  ISSUE_CARD_NOT_IN_STOCK: { status: 409, message: 'the card is not a stock card: it was issued already, or is not available' },
  ISSUE_CARD_NOT_AT_OUTLET: { status: 409, message: "the card is not in this outlet's stock: requisition it to the outlet first" },
  ISSUE_CARD_TYPE_INVALID: { status: 422, message: 'only a customer card (用户卡) is issued to a customer' },
  ISSUE_OTHER_OUTLET: { status: 403, message: "a card is issued only at its customer's own outlet" },
  ISSUE_MAIN_CARD_INVALID: {
    status: 422,
    message: 'a sub card needs an active main card of the same customer (and only a sub card names one; a customer has one main card)',
  },
  ISSUE_ROLE_INVALID: {
    status: 422,
    message: "a main or sub card is a unit's (multi-user) card; a personal customer's card is single-user",
  },
  ISSUE_HOLDER_INVALID: {
    status: 422,
    message: "the holder does not fit the card (name up to 20 GBK bytes) or, for a personal customer, is not the customer's own",
  },
  ISSUE_IN_PROGRESS: { status: 409, message: 'the card has a started issuance for another customer or role: finish or cancel it first' },
  ISSUE_NOT_STARTED: { status: 409, message: 'the issuance is finished or cancelled already' },
  ISSUE_NOT_WRITTEN: { status: 409, message: 'the card does not show what the issuance writes: write it again, then read it back' },
  ISSUE_PROBE_STALE: { status: 409, message: "the card's probe does not carry the last write's challenge: probe the card again" },
  ISSUE_CARD_NOT_BLANK: { status: 409, message: 'the stock card holds money or a load: it cannot be issued as it is' },
  // Anonymous cards (server/cards/anonymous*.ts)
  ANONYMOUS_CARD_NAMED: { status: 409, message: 'the card is a named card, not an anonymous one' },
  ANONYMOUS_STATE_INVALID: {
    status: 409,
    message: 'the anonymous card is not at this step: initialise a stock card, sell an initialised one, top up or upgrade a sold one',
  },
  ANONYMOUS_UPGRADE_ELSEWHERE: { status: 409, message: "the card's upgrade was started at another outlet: finish it there" },
  ANONYMOUS_NO_LOSS_REPORT: { status: 409, message: 'an anonymous card is not reported lost: upgrade it to a named card first' },
  // The maker of a queued operation (server/auth/operation-maker.ts)
  OPERATION_MAKER_INVALID: {
    status: 403,
    message: "the operation's maker is not a session signed in on this device, or its proof does not hold",
  },
  OPERATION_MAKER_SESSION_ENDED: {
    status: 403,
    message: "the operation was made outside its maker's session (before it began or after it ended)",
  },
  STATION_CARD_TYPE_INVALID: {
    status: 422,
    message: 'the card is not a station card of the type chosen (employee 04, pump verification 05, maintenance 06)',
  },
  STATION_INVALID: { status: 422, message: 'not a filling station of your centre' },
  STATION_CARD_NOT_IN_STOCK: { status: 409, message: "the card is not in your centre's stock: requisition it to the centre first" },
  STATION_CARD_NOT_FOUND: { status: 404, message: 'no such station card' },
  STATION_CARD_NOT_ISSUED: { status: 409, message: 'the station card is not issued (not finished, or withdrawn already)' },
  CALENDAR_DAY_INVALID: { status: 422, message: 'a make-up working day must be a Saturday or a Sunday' },
  LOSS_IDENTITY_MISMATCH: {
    status: 422,
    message:
      "the identity presented is not the card holder's: a personal card needs the customer's own ID document, a unit card a letter of introduction",
  },
  LOSS_REPORT_EXISTS: { status: 409, message: 'the card is already reported lost' },
  LOSS_REPORT_NOT_FOUND: { status: 404, message: 'no such loss report' },
  LOSS_REPORT_NOT_PENDING: { status: 409, message: 'the loss report is no longer pending: it took effect or was cancelled' },
};

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** Seconds the client should wait before trying again, sent as Retry-After. */
  readonly retryAfterS: number | undefined;
  /** The server's clock, answered with DEVICE_CLOCK_SKEW so the device can sign with it. */
  readonly serverTime: Date | undefined;
  /** The server's contract version, answered with CONTRACT_VERSION_MISMATCH. */
  readonly contractVersion: number | undefined;
  constructor(code: ApiErrorCode, message?: string, options: { retryAfterS?: number; serverTime?: Date; contractVersion?: number } = {}) {
    super(message ?? API_ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code].status;
    this.retryAfterS = options.retryAfterS;
    this.serverTime = options.serverTime;
    this.contractVersion = options.contractVersion;
  }
}
