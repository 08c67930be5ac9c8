/**
 * The one error class of the fuel-card layer. A status word the card answers, a response of the
 * wrong length, a file that does not decode, a refusal by the host: each is a FuelCardError with a
 * `code` the app switches on (and translates); `sw` and `triesLeft` carry the details. Messages are
 * for logs only.
 */

export const FUEL_CARD_ERROR = {
  // From status words (docs/card-protocol.md §6)
  PIN_WRONG: 'PIN_WRONG',
  PIN_BLOCKED: 'PIN_BLOCKED',
  SECURITY_NOT_SATISFIED: 'SECURITY_NOT_SATISFIED',
  CONDITIONS_NOT_SATISFIED: 'CONDITIONS_NOT_SATISFIED',
  APP_BLOCKED: 'APP_BLOCKED',
  APP_LOCKED_PERMANENTLY: 'APP_LOCKED_PERMANENTLY',
  APP_LOCKED: 'APP_LOCKED',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  RECORD_NOT_FOUND: 'RECORD_NOT_FOUND',
  WRONG_P1P2: 'WRONG_P1P2',
  WRONG_LENGTH: 'WRONG_LENGTH',
  INS_NOT_SUPPORTED: 'INS_NOT_SUPPORTED',
  CLA_NOT_SUPPORTED: 'CLA_NOT_SUPPORTED',
  MEMORY_FAILURE: 'MEMORY_FAILURE',
  MAC_INVALID: 'MAC_INVALID',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  KEY_INDEX_UNSUPPORTED: 'KEY_INDEX_UNSUPPORTED',
  GREY_TTC_MISMATCH: 'GREY_TTC_MISMATCH',
  GREY_LOCKED: 'GREY_LOCKED',
  UNKNOWN_STATUS: 'UNKNOWN_STATUS',
  // From this layer
  RESPONSE_MALFORMED: 'RESPONSE_MALFORMED',
  DATA_INVALID: 'DATA_INVALID',
  INPUT_INVALID: 'INPUT_INVALID',
  GBK_UNSUPPORTED: 'GBK_UNSUPPORTED',
  TAC_INVALID: 'TAC_INVALID',
  HOST_REFUSED: 'HOST_REFUSED',
  TRACE_INVALID: 'TRACE_INVALID',
} as const;

export type FuelCardErrorCode = (typeof FUEL_CARD_ERROR)[keyof typeof FUEL_CARD_ERROR];

export class FuelCardError extends Error {
  readonly code: FuelCardErrorCode;
  /** The status word, when the card answered one. */
  readonly sw: number | undefined;
  /** PIN tries left, for PIN_WRONG (63Cx) and PIN_BLOCKED (0). */
  readonly triesLeft: number | undefined;
  /**
   * The command that failed, as docs/card-protocol.md names it (READ_BINARY, CREDIT_FOR_LOAD ...).
   */
  readonly command: string | undefined;

  constructor(code: FuelCardErrorCode, message: string, details: { sw?: number; triesLeft?: number; command?: string } = {}) {
    super(message);
    this.name = 'FuelCardError';
    this.code = code;
    this.sw = details.sw;
    this.triesLeft = details.triesLeft;
    this.command = details.command;
  }
}

export function malformed(what: string, expected: string, got: number): FuelCardError {
  return new FuelCardError(FUEL_CARD_ERROR.RESPONSE_MALFORMED, `${what}: expected ${expected} bytes, got ${got}`);
}

export function invalidInput(message: string): FuelCardError {
  return new FuelCardError(FUEL_CARD_ERROR.INPUT_INVALID, message);
}
