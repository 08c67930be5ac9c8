/**
 * Posting a batch of transfers for an operation at the counter, with the ledger's refusals as
 * catalogue codes: not enough money becomes `short` (INSUFFICIENT_FUNDS unless the caller says
 * what it means for it, e.g. REVERSAL_FUNDS_GONE), a customer account past what a card can carry
 * ACCOUNT_CEILING_EXCEEDED, anything else LEDGER_REFUSED.
 */
import type { Sql } from '../db/index.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';
import { LedgerError } from '../ledger/errors.ts';
import { createTransfers, type TransferInput } from '../ledger/transfers.ts';

export async function postTransfers(
  tx: Sql,
  batch: readonly TransferInput[],
  short: ApiErrorCode = 'INSUFFICIENT_FUNDS',
): Promise<string[]> {
  try {
    return await createTransfers(tx, batch);
  } catch (error) {
    if (error instanceof LedgerError && (error.code === 'EXCEEDS_CREDITS' || error.code === 'EXCEEDS_DEBITS')) throw new ApiError(short);
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CEILING') throw new ApiError('ACCOUNT_CEILING_EXCEEDED');
    if (error instanceof LedgerError) throw new ApiError('LEDGER_REFUSED', error.message);
    throw error;
  }
}
