/** Card inquiry: the card's state and the balances of the accounts behind it; the card's recent account movements. */
import { z } from 'zod';
import { AccountCode, AmountFen, CardNo, LedgerFen } from './common.ts';

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
  /** The most the card's purse may hold, in fen (named 500,000 / anonymous 100,000 by default, configurable, or the card's own ceiling). */
  purseLimitFen: AmountFen,
  accounts: z.array(AccountView),
});
export type CardSummary = z.infer<typeof CardSummary>;

/** One movement of money into (+) or out of (−) one account behind a card. */
export const CardMovement = z.object({
  transferId: z.uuid(),
  /** When the money moved: when the transfer was posted, or created while still pending. */
  at: z.iso.datetime(),
  kind: z.enum([
    'load',
    'unload',
    'cash_receipt',
    'cheque_receipt',
    'preallocation',
    'purchase',
    'card_fee',
    'refund',
    'opening',
    'reversal',
  ]),
  account: AccountCode,
  /** Signed on the account's side: + money in, − money out. */
  amountFen: LedgerFen,
  /** Pending: reserved, not yet final (a load waiting for the card's proof). Voided transfers are not listed. */
  state: z.enum(['pending', 'posted']),
});
export type CardMovement = z.infer<typeof CardMovement>;

/** GET /api/v1/cards/:cardNo/history: newest first, at most `limit` (the server's cap) entries. */
export const CardHistory = z.object({
  cardNo: CardNo,
  limit: z.number().int().positive(),
  movements: z.array(CardMovement),
});
export type CardHistory = z.infer<typeof CardHistory>;

export const CardParams = z.strictObject({ cardNo: CardNo });
