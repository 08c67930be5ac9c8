/**
 * Transfers (TigerBeetle's model, docs/architecture.md decision 3): a positive amount from a debit
 * account to a different credit account, pending → posted | voided. A batch is linked: every
 * transfer of it commits or none does. Every account a batch touches is locked in ascending id
 * order, so two batches over the same accounts queue instead of deadlocking; balances are then
 * checked and written in the same transaction. Pending amounts count against the balance
 * (pessimistic), so posting can never break a limit.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { Statement } from '../db/compose.ts';
import { LIMITS } from '../limits.ts';
import { ACCOUNT_CODES, ACCOUNT_COLUMNS, type AccountRow } from './accounts.ts';
import { assertLedger, LedgerError } from './errors.ts';

/** Why money moved (docs/ledger.md "Postings"). */
export const TRANSFER_CODES = [
  'CASH_RECEIPT',
  'CHEQUE_RECEIPT',
  'PREALLOCATION',
  'LOAD',
  'UNLOAD',
  'PURCHASE',
  'CARD_FEE',
  'REFUND',
  'OPENING',
  'SHIFT_FLOAT',
  'CASH_DIFFERENCE',
  'REVERSAL',
] as const;
export type TransferCode = (typeof TRANSFER_CODES)[number];

export type TransferInput = {
  id?: string;
  debitAccountId: bigint;
  creditAccountId: bigint;
  amountFen: bigint;
  code: TransferCode;
  pending?: boolean;
};

type Figures = Pick<AccountRow, 'debits_posted' | 'credits_posted' | 'debits_pending' | 'credits_pending'>;

export async function lockAccounts(tx: Sql, ids: readonly bigint[]): Promise<Map<bigint, AccountRow>> {
  const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const result = await tx.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM account WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [
    sorted.map(String),
  ]);
  const byId = new Map(result.rows.map((row) => [row.id, row]));
  for (const id of sorted) if (!byId.has(id)) throw new LedgerError('ACCOUNT_NOT_FOUND', `account ${id} does not exist`);
  return byId;
}

/** The limit of TigerBeetle's debits_must_not_exceed_credits (credit-normal) and its mirror. */
function checkLimit(a: AccountRow): void {
  if (a.may_go_negative) return;
  if (a.normal === 'credit' && a.debits_posted + a.debits_pending > a.credits_posted) {
    throw new LedgerError('EXCEEDS_CREDITS', `account ${a.id} (${a.code}) has not enough money`);
  }
  if (a.normal === 'debit' && a.credits_posted + a.credits_pending > a.debits_posted) {
    throw new LedgerError('EXCEEDS_DEBITS', `account ${a.id} (${a.code}) would go below zero`);
  }
  // Money coming in counts as soon as it is pending: a ceiling must hold whichever way it settles.
  const spec = ACCOUNT_CODES[a.code];
  if ('ceilingFen' in spec && a.credits_posted + a.credits_pending - a.debits_posted > spec.ceilingFen) {
    throw new LedgerError('EXCEEDS_CEILING', `account ${a.id} (${a.code}) would hold more than a card can carry`);
  }
}

function sumNet(rows: Iterable<Figures>): { posted: bigint; pending: bigint } {
  let posted = 0n;
  let pending = 0n;
  for (const r of rows) {
    posted += r.credits_posted - r.debits_posted;
    pending += r.credits_pending - r.debits_pending;
  }
  return { posted, pending };
}

/**
 * Adds the UPDATE of the figures of `rows` to `st` (claiming each row) and returns the CTE's
 * name. Callers compose it with their other writes: one round trip for a whole phase of a load.
 */
function planFigures(st: Statement, rows: readonly AccountRow[]): string {
  for (const r of rows) st.claim(`account:${r.id}`);
  const ids = st.param(rows.map((r) => String(r.id)));
  const dp = st.param(rows.map((r) => String(r.debits_posted)));
  const cp = st.param(rows.map((r) => String(r.credits_posted)));
  const dq = st.param(rows.map((r) => String(r.debits_pending)));
  const cq = st.param(rows.map((r) => String(r.credits_pending)));
  return st.cte(
    'figures',
    `UPDATE account a SET debits_posted = v.dp, credits_posted = v.cp, debits_pending = v.dq, credits_pending = v.cq
       FROM unnest(${ids}::bigint[], ${dp}::bigint[], ${cp}::bigint[], ${dq}::bigint[], ${cq}::bigint[]) AS v(id, dp, cp, dq, cq)
      WHERE a.id = v.id RETURNING a.id`,
  );
}

function validate(t: TransferInput): void {
  if (t.amountFen <= 0n || t.amountFen > BigInt(LIMITS.transferAmountFenMax)) {
    throw new LedgerError('AMOUNT_INVALID', `amount must be 1..${LIMITS.transferAmountFenMax} fen`);
  }
  if (t.debitAccountId === t.creditAccountId) throw new LedgerError('SAME_ACCOUNT', 'a transfer needs two different accounts');
}

/**
 * Checks a linked batch against `accounts` (every account it names, locked FOR UPDATE in this
 * transaction; their rows are updated in place) and adds its writes to `st`. Returns the
 * transfers' ids in order. Throws LedgerError, having added nothing, when any transfer is refused.
 */
export function planTransfers(st: Statement, accounts: ReadonlyMap<bigint, AccountRow>, batch: readonly TransferInput[]): string[] {
  if (batch.length === 0 || batch.length > LIMITS.transferBatchSizeMax) {
    throw new LedgerError('BATCH_SIZE_INVALID', `a batch holds 1..${LIMITS.transferBatchSizeMax} transfers`);
  }
  batch.forEach(validate);
  const ids = [...new Set(batch.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
  for (const id of ids) assertLedger(accounts.has(id), `account ${id} of a batch was not locked`);
  // Worked on copies: a refused batch leaves the caller's rows as they were.
  const touched = new Map(ids.map((id) => [id, { ...accounts.get(id)! }]));
  const before = sumNet(touched.values());
  for (const t of batch) {
    const debit = touched.get(t.debitAccountId)!;
    const credit = touched.get(t.creditAccountId)!;
    if (t.pending) {
      debit.debits_pending += t.amountFen;
      credit.credits_pending += t.amountFen;
    } else {
      debit.debits_posted += t.amountFen;
      credit.credits_posted += t.amountFen;
    }
    checkLimit(debit);
    checkLimit(credit);
  }
  const after = sumNet(touched.values());
  assertLedger(after.posted === before.posted && after.pending === before.pending, 'a batch changed the sum of all balances');
  for (const row of touched.values()) Object.assign(accounts.get(row.id)!, row);
  planFigures(st, [...touched.values()]);
  const transferIds = batch.map((t) => t.id ?? randomUUID());
  st.cte(
    'transfers',
    `INSERT INTO transfer (id, batch_id, debit_account_id, credit_account_id, amount_fen, code, state, resolved_at)
     SELECT v.id, ${st.param(randomUUID())}::uuid, v.d, v.c, v.a, v.code, v.state, CASE WHEN v.state = 'posted' THEN now() END
       FROM unnest(${st.param(transferIds)}::uuid[], ${st.param(batch.map((t) => String(t.debitAccountId)))}::bigint[],
         ${st.param(batch.map((t) => String(t.creditAccountId)))}::bigint[], ${st.param(batch.map((t) => String(t.amountFen)))}::bigint[],
         ${st.param(batch.map((t) => t.code))}::text[], ${st.param(batch.map((t) => (t.pending ? 'pending' : 'posted')))}::text[]) AS v(id, d, c, a, code, state)`,
  );
  return transferIds;
}

/**
 * Creates a linked batch of transfers. Returns their ids in order. Throws LedgerError (and writes
 * nothing) when any transfer of the batch is refused.
 */
export async function createTransfers(
  tx: Sql,
  batch: readonly TransferInput[],
  options: { locked?: Map<bigint, AccountRow> } = {},
): Promise<string[]> {
  const ids = batch.flatMap((t) => [t.debitAccountId, t.creditAccountId]);
  // Rows the caller already locked (lockOwnedAccounts) are not locked again; anything else is.
  const accounts = options.locked && ids.every((id) => options.locked!.has(id)) ? options.locked : await lockAccounts(tx, ids);
  const st = new Statement();
  const transferIds = planTransfers(st, accounts, batch);
  await st.run(tx);
  return transferIds;
}

export type TransferRow = { id: string; debit_account_id: bigint; credit_account_id: bigint; amount_fen: bigint; state: string };
export const TRANSFER_COLUMNS = 'id, debit_account_id, credit_account_id, amount_fen, state';

/**
 * Adds the posting or voiding of pending transfer `t` to `st`. `t` and `accounts` (its two
 * accounts) must be the rows as read FOR UPDATE in this transaction; the account rows are updated
 * in place. Throws LedgerError, having added nothing, when it is not pending.
 */
export function planResolve(st: Statement, t: TransferRow, accounts: ReadonlyMap<bigint, AccountRow>, outcome: 'post' | 'void'): void {
  if (t.state !== 'pending')
    throw new LedgerError(t.state === 'posted' ? 'ALREADY_POSTED' : 'ALREADY_VOIDED', `transfer ${t.id} is ${t.state}`);
  const debit = { ...accounts.get(t.debit_account_id)! };
  const credit = { ...accounts.get(t.credit_account_id)! };
  assertLedger(debit.id === t.debit_account_id && credit.id === t.credit_account_id, 'the accounts of a pending transfer were not locked');
  assertLedger(
    debit.debits_pending >= t.amount_fen && credit.credits_pending >= t.amount_fen,
    'pending figures smaller than a pending transfer',
  );
  debit.debits_pending -= t.amount_fen;
  credit.credits_pending -= t.amount_fen;
  if (outcome === 'post') {
    debit.debits_posted += t.amount_fen;
    credit.credits_posted += t.amount_fen;
  }
  checkLimit(debit);
  checkLimit(credit);
  Object.assign(accounts.get(debit.id)!, debit);
  Object.assign(accounts.get(credit.id)!, credit);
  planFigures(st, [debit, credit]);
  st.claim(`transfer:${t.id}`);
  st.cte(
    'resolved',
    `UPDATE transfer SET state = ${st.param(outcome === 'post' ? 'posted' : 'voided')}, resolved_at = now() WHERE id = ${st.param(t.id)}::uuid AND state = 'pending' RETURNING id`,
  );
}

/**
 * Posts or voids a pending transfer, whole. Throws LedgerError when it is not pending. `locked`:
 * the transfer's row as the caller read it FOR UPDATE in this transaction (saves a round trip).
 */
export async function resolvePending(tx: Sql, transferId: string, outcome: 'post' | 'void', locked?: TransferRow): Promise<void> {
  const t =
    locked ?? (await tx.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfer WHERE id = $1 FOR UPDATE`, [transferId])).rows[0];
  if (!t) throw new LedgerError('TRANSFER_NOT_FOUND', `no transfer ${transferId}`);
  assertLedger(t.id === transferId, 'a locked transfer row of another transfer');
  // planResolve refuses a transfer that is not pending.
  const st = new Statement();
  planResolve(st, t, await lockAccounts(tx, [t.debit_account_id, t.credit_account_id]), outcome);
  await st.run(tx);
}

/** Reads accounts without locking (inquiries). */
export async function readAccounts(tx: Sql, ids: readonly bigint[]): Promise<AccountRow[]> {
  const result = await tx.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM account WHERE id = ANY($1::bigint[]) ORDER BY id`, [
    ids.map(String),
  ]);
  return result.rows;
}
