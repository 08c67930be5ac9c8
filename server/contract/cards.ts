/** Card inquiry: the card's state and the balances of the accounts behind it. */
import { z } from 'zod';
import { AccountCode, CardNo, LedgerFen } from './common.ts';

export const AccountView = z.object({
  code: AccountCode,
  /** Posted balance on the account's normal side. */
  balanceFen: LedgerFen,
  /** What may still be spent (pending debits held back). */
  availableFen: LedgerFen,
  /** Money on its way in (+) or out (−). */
  pendingFen: LedgerFen,
});
export type AccountView = z.infer<typeof AccountView>;

export const CardSummary = z.object({
  cardNo: CardNo,
  state: z.enum(['stock', 'active', 'lost', 'blacklisted', 'closed', 'expired', 'bad']),
  grey: z.boolean(),
  named: z.boolean(),
  role: z.enum(['single', 'main', 'sub']),
  onlineTtcSeen: z.number().int().nullable(),
  accounts: z.array(AccountView),
});
export type CardSummary = z.infer<typeof CardSummary>;

export const CardParams = z.strictObject({ cardNo: CardNo });
