/** Centre and administrator checks: the ledger invariants and the audit chains, verified on demand. */
import { z } from 'zod';

export const LedgerCheckResponse = z.object({
  ledgerSound: z.boolean(),
  violations: z.array(z.object({ rule: z.string(), accountId: z.string().nullable(), detail: z.string() })),
  auditSound: z.boolean(),
  auditRowsChecked: z.number().int(),
});
export type LedgerCheckResponse = z.infer<typeof LedgerCheckResponse>;
