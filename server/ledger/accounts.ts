/**
 * Accounts of the ledger (docs/ledger.md "Accounts"): a code, an owner, a normal side and
 * TigerBeetle's four figures. Customer money is credit-normal (a liability of the issuer); cash and
 * cheques are debit-normal. Only BANK, the outside world, and CASH_DIFFERENCE (over and short at
 * a shift's close) may go below zero. A cash drawer is the CASH account of a shift (docs/ledger.md
 * "Shifts and drawers"). "Find or open" is one
 * statement, so two requests that open the same account at once both get the one row.
 */
import type { Sql } from '../db/index.ts';

/**
 * The most a customer's money account may hold, in fen: what a card's 4-byte balance field can
 * ever carry (a quota or reserve above it could never be loaded, and a purse mirror above it
 * cannot be a real chip). Also a CHECK in SQL (0008_money_limits.sql).
 */
export const CUSTOMER_ACCOUNT_FEN_MAX = 4_294_967_295n;

export const ACCOUNT_CODES = {
  QUOTA: { normal: 'credit', mayGoNegative: false, owner: 'customer', ceilingFen: CUSTOMER_ACCOUNT_FEN_MAX },
  RESERVE: { normal: 'credit', mayGoNegative: false, owner: 'card', ceilingFen: CUSTOMER_ACCOUNT_FEN_MAX },
  PURSE: { normal: 'credit', mayGoNegative: false, owner: 'card', ceilingFen: CUSTOMER_ACCOUNT_FEN_MAX },
  /** A shift's cash drawer (server/shifts/drawer.ts); before 0013 one per operator, kept as history. */
  CASH: { normal: 'debit', mayGoNegative: false, owner: 'shift' },
  CHEQUE: { normal: 'debit', mayGoNegative: false, owner: 'org' },
  BANK: { normal: 'debit', mayGoNegative: true, owner: 'org' },
  FEE_INCOME: { normal: 'credit', mayGoNegative: false, owner: 'org' },
  SALES: { normal: 'credit', mayGoNegative: false, owner: 'org' },
  REFUND_PAYABLE: { normal: 'credit', mayGoNegative: false, owner: 'org' },
  /** Cash over (below zero) and short (above zero) found when shifts close: the outlet's. */
  CASH_DIFFERENCE: { normal: 'debit', mayGoNegative: true, owner: 'org' },
} as const;
export type AccountCode = keyof typeof ACCOUNT_CODES;

export type AccountOwner =
  | { kind: 'customer'; customerId: bigint }
  | { kind: 'card'; cardNo: string; customerId: bigint | null }
  | { kind: 'operator'; operatorId: bigint }
  | { kind: 'org'; orgUnitId: bigint }
  | { kind: 'shift'; shiftId: bigint };

export type AccountRow = {
  id: bigint;
  code: AccountCode;
  normal: 'credit' | 'debit';
  may_go_negative: boolean;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
};

export const ACCOUNT_COLUMNS = 'id, code, normal, may_go_negative, debits_posted, credits_posted, debits_pending, credits_pending';

function ownerKey(owner: AccountOwner): string {
  switch (owner.kind) {
    case 'customer':
      return `customer:${owner.customerId}`;
    case 'card':
      return `card:${owner.cardNo}`;
    case 'operator':
      return `operator:${owner.operatorId}`;
    case 'org':
      return `org:${owner.orgUnitId}`;
    case 'shift':
      return `shift:${owner.shiftId}`;
  }
}

/** The account of `code` for `owner`, opened on first use. Returns its id. */
export async function ensureAccount(tx: Sql, code: AccountCode, owner: AccountOwner): Promise<bigint> {
  const spec = ACCOUNT_CODES[code];
  if (spec.owner !== owner.kind) throw new Error(`assertion: a ${code} account is owned by a ${spec.owner}, not a ${owner.kind}`);
  const key = ownerKey(owner);
  const found = await tx.query<{ id: bigint }>('SELECT id FROM account WHERE code = $1 AND owner_key = $2', [code, key]);
  if (found.rows[0]) return found.rows[0].id;
  const customerId = owner.kind === 'customer' ? owner.customerId : owner.kind === 'card' ? owner.customerId : null;
  const inserted = await tx.query<{ id: bigint }>(
    `INSERT INTO account (code, owner_key, customer_id, card_no, org_unit_id, normal, may_go_negative)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code, owner_key) DO NOTHING RETURNING id`,
    [
      code,
      key,
      customerId,
      owner.kind === 'card' ? owner.cardNo : null,
      owner.kind === 'org' ? owner.orgUnitId : null,
      spec.normal,
      spec.mayGoNegative,
    ],
  );
  if (inserted.rows[0]) return inserted.rows[0].id;
  const again = await tx.query<{ id: bigint }>('SELECT id FROM account WHERE code = $1 AND owner_key = $2', [code, key]);
  return again.rows[0]!.id;
}

export type OwnedAccount = { code: AccountCode; owner: AccountOwner };

/**
 * Finds (opening on first use) and locks FOR UPDATE, in ascending id order, the accounts named by
 * code and owner: the usual case (all exist) is one statement instead of a look-up per account
 * and then a lock. Returns the locked rows in the order asked, for createTransfers' `locked`.
 */
export async function lockOwnedAccounts(tx: Sql, wanted: readonly OwnedAccount[]): Promise<AccountRow[]> {
  const keys = wanted.map((w) => ({ code: w.code, key: ownerKey(w.owner) }));
  const lock = () =>
    tx.query<AccountRow & { owner_key: string }>(
      `SELECT ${ACCOUNT_COLUMNS}, owner_key FROM account
        WHERE (code, owner_key) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY id FOR UPDATE`,
      [keys.map((k) => k.code), keys.map((k) => k.key)],
    );
  let found = await lock();
  if (found.rows.length < new Set(keys.map((k) => `${k.code} ${k.key}`)).size) {
    for (const w of wanted) await ensureAccount(tx, w.code, w.owner);
    found = await lock();
  }
  return keys.map((k) => {
    const row = found.rows.find((r) => r.code === k.code && r.owner_key === k.key);
    if (!row) throw new Error(`assertion: account ${k.code} ${k.key} was opened but not found`);
    return row;
  });
}

/** What the owner may still spend: credits − debits − pending debits (credit-normal), mirrored for debit-normal. */
export function availableFen(a: AccountRow): bigint {
  return a.normal === 'credit'
    ? a.credits_posted - a.debits_posted - a.debits_pending
    : a.debits_posted - a.credits_posted - a.credits_pending;
}

/** The posted balance on the account's normal side. */
export function balanceFen(a: AccountRow): bigint {
  return a.normal === 'credit' ? a.credits_posted - a.debits_posted : a.debits_posted - a.credits_posted;
}

/** Money reserved on its way in (+) or out (−) of the account, on its normal side. */
export function pendingFen(a: AccountRow): bigint {
  return a.normal === 'credit' ? a.credits_pending - a.debits_pending : a.debits_pending - a.credits_pending;
}
