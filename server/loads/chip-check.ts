/**
 * The second line of defence against money made on a chip: every MAC1 the server verifies carries
 * the chip's purse balance under the card's key, so a balance above anything the ledger ever gave
 * the card is seen the first time the card goes online again. It raises an alarm, stops the card's
 * loads and unloads until someone at a centre has looked (card.review_since), and is audited.
 *
 * The ceiling a genuine answer at online counter N can show is the larger of:
 * - the purse mirror now, plus loads still pending (the chip may already hold them); and
 * - the chip's balance right after the online transaction that took the counter to N (posted at
 *   counter N − 1: its MAC1 balance ± its amount). Between online transactions a chip's balance
 *   only goes down (purchases), so no answer at counter N, however old, shows more.
 * The second bound keeps a replayed old answer from raising a false alarm after the mirror went
 * down through collected purchases; the first covers cards with no such transaction (counter 0,
 * or history from before the server). A balance a centre looked at and cleared (admin/
 * card-review.ts) is accepted at its counter; the card's next online transaction then carries it
 * into the second bound. A load the card received but the ledger voided fits
 * neither: the counter moved past it with nothing posted there, and the mirror lacks its amount.
 */
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { lockOwnedAccounts, type AccountRow } from '../ledger/accounts.ts';
import type { CardRow } from '../cards/card.ts';

/** The purse mirror (credit-normal) plus credits still pending: the most the chip may hold by the ledger's account. */
export function purseCeilingFen(purse: AccountRow): bigint {
  return purse.credits_posted - purse.debits_posted + purse.credits_pending;
}

/** The chip's balance right after the posted online transaction at counter `counter`, or null when none is posted there. */
async function balanceAfterPosted(tx: Sql, cardNo: string, counter: number): Promise<bigint | null> {
  if (counter < 0) return null;
  const found = await tx.query<{ kind: 'load' | 'unload'; balance_fen_before: bigint; amount_fen: bigint }>(
    "SELECT kind, balance_fen_before, amount_fen FROM card_load WHERE card_no = $1 AND online_ttc = $2 AND state = 'posted'",
    [cardNo, counter],
  );
  const row = found.rows[0];
  if (!row) return null;
  return row.kind === 'load' ? row.balance_fen_before + row.amount_fen : row.balance_fen_before - row.amount_fen;
}

export type ChipReading = { balanceFen: number; onlineTtc: number };
export type ChipAlarm = { chipBalanceFen: number; ledgerMaxFen: bigint; onlineTtc: number };

/**
 * Null when the chip's balance fits the ledger; the alarm's facts when it does not. `purse` is the
 * card's PURSE account as read in the caller's transaction (after anything it settled). The
 * extra read happens only past the mirror's ceiling, so the usual load pays nothing for it.
 */
export async function chipAboveLedger(tx: Sql, cardNo: string, purse: AccountRow, chip: ChipReading): Promise<ChipAlarm | null> {
  const mirrorMax = purseCeilingFen(purse);
  if (BigInt(chip.balanceFen) <= mirrorMax) return null;
  const afterLast = await balanceAfterPosted(tx, cardNo, chip.onlineTtc - 1);
  const ledgerMax = afterLast !== null && afterLast > mirrorMax ? afterLast : mirrorMax;
  if (BigInt(chip.balanceFen) <= ledgerMax) return null;
  const accepted = await tx.query<{ fen: bigint | null }>(
    'SELECT max(chip_balance_fen) AS fen FROM card_alarm WHERE card_no = $1 AND online_ttc = $2 AND cleared_at IS NOT NULL',
    [cardNo, chip.onlineTtc],
  );
  const acceptedFen = accepted.rows[0]?.fen ?? null;
  if (acceptedFen !== null && BigInt(chip.balanceFen) <= BigInt(acceptedFen)) return null;
  return { chipBalanceFen: chip.balanceFen, ledgerMaxFen: ledgerMax, onlineTtc: chip.onlineTtc };
}

/** The card's PURSE account, locked (opened on first use): for a check after a settlement. */
export async function lockPurse(tx: Sql, card: CardRow): Promise<AccountRow> {
  const [purse] = await lockOwnedAccounts(tx, [
    { code: 'PURSE', owner: { kind: 'card', cardNo: card.card_no, customerId: card.customer_id } },
  ]);
  return purse!;
}

/** Records the alarm, puts the card under review (if it is not already) and audits it, in the caller's transaction. */
export async function raiseChipAlarm(tx: Sql, principal: Principal, cardNo: string, alarm: ChipAlarm): Promise<void> {
  await tx.query(
    `WITH alarm AS (INSERT INTO card_alarm (card_no, kind, chip_balance_fen, ledger_max_fen, online_ttc, device_id) VALUES ($1, 'chip_above_ledger', $2, $3, $4, $5) RETURNING id)
     UPDATE card SET review_since = coalesce(review_since, now()) WHERE card_no = $1`,
    [cardNo, alarm.chipBalanceFen, String(alarm.ledgerMaxFen), alarm.onlineTtc, principal.deviceId],
  );
  await appendAudit(tx, principal, {
    action: 'card.alarm',
    subject: cardNo,
    detail: {
      kind: 'chip_above_ledger',
      chipBalanceFen: alarm.chipBalanceFen,
      ledgerMaxFen: String(alarm.ledgerMaxFen),
      onlineTtc: alarm.onlineTtc,
    },
  });
}
