/**
 * The one error class of the ISO 7816 layer. Everything this layer refuses because of what came
 * from outside (a malformed ATR, an APDU that breaks the Lc/Le rules, a card that breaks the T=1
 * rules, a transcript with a bad line) is an `Iso7816Error` with a `code` that callers switch on;
 * the message is for logs and developers, never shown to a customer as is. Broken invariants of
 * our own code are `assert`ed instead (see `assert` below).
 */

export type Iso7816ErrorCode =
  // ATR (ISO 7816-3 §8)
  | 'ATR_BAD_TS'
  | 'ATR_TRUNCATED'
  | 'ATR_TRAILING_BYTES'
  | 'ATR_TOO_LONG'
  | 'ATR_NOT_HEX'
  // PPS (ISO 7816-3 §9)
  | 'PPS_MALFORMED'
  | 'PPS_BAD_PCK'
  | 'PPS_REJECTED'
  // APDU (ISO 7816-3 §12.1, ISO 7816-4 §5)
  | 'APDU_MALFORMED'
  | 'APDU_INVALID'
  | 'RESPONSE_TOO_SHORT'
  // BER-TLV (ISO 7816-4 §5.2, ISO 8825-1)
  | 'TLV_MALFORMED'
  | 'TLV_TOO_DEEP'
  | 'TLV_TOO_MANY'
  | 'TLV_INVALID'
  // T=0 (ISO 7816-3 §10, §12.2)
  | 'T0_BAD_RESPONSE'
  | 'T0_GET_RESPONSE_LIMIT'
  | 'T0_RESPONSE_TOO_LONG'
  | 'T0_EXTENDED_NOT_SUPPORTED'
  // T=1 (ISO 7816-3 §11)
  | 'T1_BAD_EDC'
  | 'T1_MALFORMED_BLOCK'
  | 'T1_INVALID_ARGUMENT'
  | 'T1_RESYNCH_FAILED'
  | 'T1_RESYNCH_LIMIT'
  | 'T1_WTX_LIMIT'
  | 'T1_BLOCK_LIMIT'
  | 'T1_RESPONSE_TOO_LONG'
  | 'T1_IFS_NOT_ACKNOWLEDGED'
  | 'T1_CARD_ABORTED'
  // APDU trace and transcripts
  | 'TRANSCRIPT_SYNTAX'
  | 'TRANSCRIPT_TOO_LARGE'
  | 'TRANSCRIPT_MISMATCH';

export class Iso7816Error extends Error {
  readonly code: Iso7816ErrorCode;
  /** 1-based line number, for transcript errors. */
  readonly line: number | undefined;

  constructor(code: Iso7816ErrorCode, message: string, options: { line?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Iso7816Error';
    this.code = code;
    this.line = options.line;
  }
}

/** A broken invariant of our own code: a programmer error, never a world failure. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
