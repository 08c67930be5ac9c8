/**
 * The ledger's invariants, checked from outside (the Jepsen bank checker's idea;
 * docs/ledger.md "Invariants and where each is enforced"):
 * the `ledger_violation` view (sums zero, account figures equal the sums of their transfers) plus
 * no account below zero where it may not go, and every load row consistent with its transfer.
 * An empty list means the ledger is sound. Tests run it after every test.
 */
import type { Sql } from '../db/index.ts';

export type LedgerViolation = { rule: string; accountId: bigint | null; detail: string };

export async function checkLedger(sql: Sql): Promise<LedgerViolation[]> {
  const view = await sql.query<{ rule: string; account_id: bigint | null; detail: bigint | null }>(
    'SELECT rule, account_id, detail FROM ledger_violation',
  );
  const negative = await sql.query<{ id: bigint }>(
    `SELECT id FROM account WHERE NOT may_go_negative AND (
       (normal = 'credit' AND debits_posted + debits_pending > credits_posted) OR
       (normal = 'debit' AND credits_posted + credits_pending > debits_posted))`,
  );
  const loads = await sql.query<{ id: string }>(
    `SELECT l.id FROM card_load l JOIN transfer t ON t.id = l.transfer_id
      WHERE l.state <> t.state OR l.amount_fen <> t.amount_fen`,
  );
  return [
    ...view.rows.map((r) => ({ rule: r.rule, accountId: r.account_id, detail: String(r.detail) })),
    ...negative.rows.map((r) => ({ rule: 'below_zero', accountId: r.id, detail: '' })),
    ...loads.rows.map((r) => ({ rule: 'load_disagrees_with_transfer', accountId: null, detail: r.id })),
  ];
}
