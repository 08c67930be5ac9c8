/**
 * The ledger's one error class (a refusal the world can cause: not enough money, a transfer
 * already settled) and its assertion (a broken invariant: a bug, which stops the operation).
 */
export const LEDGER_ERROR = [
  'EXCEEDS_CREDITS',
  'EXCEEDS_DEBITS',
  'EXCEEDS_CEILING',
  'ACCOUNT_NOT_FOUND',
  'AMOUNT_INVALID',
  'SAME_ACCOUNT',
  'BATCH_SIZE_INVALID',
  'TRANSFER_NOT_FOUND',
  'ALREADY_POSTED',
  'ALREADY_VOIDED',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR)[number];

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, message: string) {
    super(message);
    this.name = 'LedgerError';
    this.code = code;
  }
}

export class LedgerAssertionError extends Error {
  constructor(message: string) {
    super(`ledger invariant broken: ${message}`);
    this.name = 'LedgerAssertionError';
  }
}

export function assertLedger(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LedgerAssertionError(message);
}
