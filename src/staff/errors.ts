/**
 * The one error class of the outlet tablet's card work (docs/architecture.md §5: one error class
 * per layer): every failure the world causes while an operator opens a card or unloads it becomes a
 * StaffError with a stable `code` the staff screens translate (`staff.error.<code in lower
 * case>` is the suggested catalogue key). The server's own code, the card's status word or the
 * reader's code ride along for the log; `message` is English for the log and never shown.
 *
 * Whether money may have moved is part of the answer, not left to the reader of a message:
 * `INTERRUPTED` is the only code after which the card may hold the unload; it is journaled and
 * settled from the card's counter at the card's next insertion.
 */
import { isCcidError } from '../../ccid/usb/index.ts';
import { FUEL_CARD_ERROR, FuelCardError } from '../../ccid/fuelcard/errors.ts';
import { BackendError, type ClientErrorCode } from '../lib/net/backend-error.ts';

export const STAFF_ERROR = {
  // The operator's input
  AMOUNT_INVALID: 'AMOUNT_INVALID',
  DESTINATION_INVALID: 'DESTINATION_INVALID',
  /** A shift closed with cash over or short needs a note saying why (src/staff/shift.ts). */
  NOTE_REQUIRED: 'NOTE_REQUIRED',
  /** A reversal needs a reason, 1..200 characters (src/staff/reversal.ts). */
  REASON_REQUIRED: 'REASON_REQUIRED',
  /** A cheque's bank, number or date as the form checks them (src/staff/cheque.ts). */
  CHEQUE_INVALID: 'CHEQUE_INVALID',
  // The card, by its own word or the server's
  PIN_REQUIRED: 'PIN_REQUIRED',
  PIN_WRONG: 'PIN_WRONG',
  PIN_BLOCKED: 'PIN_BLOCKED',
  NOT_CUSTOMER_CARD: 'NOT_CUSTOMER_CARD',
  PURSE_INSUFFICIENT: 'PURSE_INSUFFICIENT',
  CARD_LOST: 'CARD_LOST',
  CARD_BLACKLISTED: 'CARD_BLACKLISTED',
  CARD_CLOSED: 'CARD_CLOSED',
  CARD_NOT_USABLE: 'CARD_NOT_USABLE',
  CARD_GREY: 'CARD_GREY',
  CARD_NOT_ACCEPTED: 'CARD_NOT_ACCEPTED',
  /** The server holds an earlier transaction of this card; it was sent to be settled: try again. */
  PENDING_TRANSACTION: 'PENDING_TRANSACTION',
  // Who is asking
  NOT_PERMITTED: 'NOT_PERMITTED',
  SIGN_IN_REQUIRED: 'SIGN_IN_REQUIRED',
  // The link and the server
  NEEDS_NETWORK: 'NEEDS_NETWORK',
  SERVER_REFUSED: 'SERVER_REFUSED',
  // The card in the reader
  CARD_REMOVED: 'CARD_REMOVED',
  CARD_UNREADABLE: 'CARD_UNREADABLE',
  /** DEBIT FOR UNLOAD was refused by the card (MAC2 not accepted); settled from its counter at once. */
  CARD_REFUSED: 'CARD_REFUSED',
  /**
   * The unload was journaled and then the exchange broke (the card left, or answered DEBIT badly):
   * whether it happened is the card counter's to say, at the next insertion (or at once when the
   * card was still there to ask). Never "failed": the card may hold it.
   */
  INTERRUPTED: 'INTERRUPTED',
} as const;

export type StaffErrorCode = (typeof STAFF_ERROR)[keyof typeof STAFF_ERROR];

export type StaffErrorDetail = {
  /** The server's catalogue code (server/errors.ts), when the server refused. */
  serverCode?: string;
  /** The card's status word, when the card refused. */
  sw?: number;
  /** PIN tries left, for PIN_WRONG. */
  triesLeft?: number;
  /** The unload this error belongs to, once the server has made it (INTERRUPTED, CARD_REFUSED). */
  loadId?: string;
  cause?: unknown;
};

export class StaffError extends Error {
  readonly code: StaffErrorCode;
  readonly serverCode: string | undefined;
  readonly sw: number | undefined;
  readonly triesLeft: number | undefined;
  readonly loadId: string | undefined;

  constructor(code: StaffErrorCode, message: string, detail: StaffErrorDetail = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'StaffError';
    this.code = code;
    this.serverCode = detail.serverCode;
    this.sw = detail.sw;
    this.triesLeft = detail.triesLeft;
    this.loadId = detail.loadId;
  }
}

/** A broken invariant of this layer's own code: a programmer error, never a StaffError. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function isStaffError(error: unknown, code?: StaffErrorCode): error is StaffError {
  return error instanceof StaffError && (code === undefined || error.code === code);
}

/** Server catalogue codes (server/errors.ts) the operator can act on, by what they mean at the desk. */
const FROM_SERVER: Readonly<Partial<Record<ClientErrorCode, StaffErrorCode>>> = {
  NETWORK: STAFF_ERROR.NEEDS_NETWORK,
  UNAVAILABLE: STAFF_ERROR.NEEDS_NETWORK,
  DATABASE_UNAVAILABLE: STAFF_ERROR.NEEDS_NETWORK,
  UNAUTHENTICATED: STAFF_ERROR.SIGN_IN_REQUIRED,
  FORBIDDEN: STAFF_ERROR.NOT_PERMITTED,
  DEVICE_REQUIRED: STAFF_ERROR.NOT_PERMITTED,
  TERMINAL_MISMATCH: STAFF_ERROR.NOT_PERMITTED,
  OUT_OF_SCOPE: STAFF_ERROR.NOT_PERMITTED,
  CARD_LOST: STAFF_ERROR.CARD_LOST,
  CARD_BLACKLISTED: STAFF_ERROR.CARD_BLACKLISTED,
  CARD_CLOSED: STAFF_ERROR.CARD_CLOSED,
  CARD_NOT_FOUND: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_UNKNOWN: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_NOT_ISSUED: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_BAD: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_HAS_NO_PURSE: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_EXPIRED: STAFF_ERROR.CARD_NOT_USABLE,
  CARD_GREY: STAFF_ERROR.CARD_GREY,
  MAC1_INVALID: STAFF_ERROR.CARD_NOT_ACCEPTED,
  KEY_VERSION_UNKNOWN: STAFF_ERROR.CARD_NOT_ACCEPTED,
  INSUFFICIENT_FUNDS: STAFF_ERROR.PURSE_INSUFFICIENT,
  SOURCE_ACCOUNT_INVALID: STAFF_ERROR.DESTINATION_INVALID,
  LOAD_PENDING: STAFF_ERROR.PENDING_TRANSACTION,
  COUNTER_STALE: STAFF_ERROR.PENDING_TRANSACTION,
};

export function fromBackend(error: BackendError): StaffError {
  const code = FROM_SERVER[error.code] ?? STAFF_ERROR.SERVER_REFUSED;
  return new StaffError(code, `server: ${error.code}`, { serverCode: error.code, cause: error });
}

/** The card's refusals at READ, VERIFY or INITIALIZE, before anything was written anywhere. */
export function fromCard(error: FuelCardError): StaffError {
  const detail = { sw: error.sw, cause: error };
  switch (error.code) {
    case FUEL_CARD_ERROR.PIN_WRONG:
      return new StaffError(STAFF_ERROR.PIN_WRONG, 'card: PIN wrong', { ...detail, triesLeft: error.triesLeft ?? 0 });
    case FUEL_CARD_ERROR.PIN_BLOCKED:
      return new StaffError(STAFF_ERROR.PIN_BLOCKED, 'card: PIN blocked', { ...detail, triesLeft: 0 });
    case FUEL_CARD_ERROR.INSUFFICIENT_FUNDS:
      return new StaffError(STAFF_ERROR.PURSE_INSUFFICIENT, 'card: the purse holds less than the amount', detail);
    case FUEL_CARD_ERROR.GREY_LOCKED:
      return new StaffError(STAFF_ERROR.CARD_GREY, 'card: grey-locked', detail);
    default:
      return new StaffError(STAFF_ERROR.CARD_UNREADABLE, `card: ${error.code}`, detail);
  }
}

/** A failure of the reader or the card session: the card left, or cannot be talked to. */
export function fromReader(error: unknown): StaffError | null {
  if (isCcidError(error, 'CARD_REMOVED') || isCcidError(error, 'NO_CARD') || isCcidError(error, 'SESSION_CLOSED')) {
    return new StaffError(STAFF_ERROR.CARD_REMOVED, 'the card left the reader', { cause: error });
  }
  if (isCcidError(error)) return new StaffError(STAFF_ERROR.CARD_UNREADABLE, `reader: ${error.code}`, { cause: error });
  return null;
}

/** Any world-caused failure before the card may hold an unload, as a StaffError; anything else is rethrown. */
export function toStaffError(error: unknown): StaffError {
  if (error instanceof StaffError) return error;
  if (error instanceof BackendError) return fromBackend(error);
  if (error instanceof FuelCardError) return fromCard(error);
  const reader = fromReader(error);
  if (reader) return reader;
  throw error;
}
