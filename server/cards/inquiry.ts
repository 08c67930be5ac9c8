/**
 * Card inquiry: state and the balances of the accounts behind the card (its purse, reserve and
 * customer quota), and the recent movements of those accounts (the kiosk's history screen).
 */
import type { Sql } from '../db/index.ts';
import type { AccountView, CardHistory, CardMovement, CardSummary } from '../contract/index.ts';
import { ACCOUNT_COLUMNS, availableFen, balanceFen, pendingFen, type AccountRow } from '../ledger/accounts.ts';
import type { TransferCode } from '../ledger/transfers.ts';
import type { Services } from '../http/services.ts';
import { LIMITS } from '../limits.ts';
import { purseMaxFen, type CardRow } from './card.ts';

export function accountView(a: AccountRow): AccountView {
  return { code: a.code, balanceFen: Number(balanceFen(a)), availableFen: Number(availableFen(a)), pendingFen: Number(pendingFen(a)) };
}

/** The accounts behind a card: its PURSE and RESERVE, and its customer's QUOTA. */
const CARD_ACCOUNTS_WHERE = `(code IN ('PURSE', 'RESERVE') AND owner_key = $1) OR (code = 'QUOTA' AND owner_key = $2)`;
const cardAccountKeys = (card: CardRow): [string, string] => [`card:${card.card_no}`, `customer:${card.customer_id ?? 0}`];

export type PurseLimits = Pick<Services, 'purseMaxNamedFen' | 'purseMaxAnonymousFen'>;

function summaryOf(card: CardRow, accounts: AccountRow[], limits: PurseLimits): CardSummary {
  return {
    cardNo: card.card_no,
    state: card.state,
    grey: card.grey,
    named: card.named,
    role: card.role,
    onlineTtcSeen: card.online_ttc_seen,
    purseLimitFen: purseMaxFen(card, limits),
    accounts: accounts.map(accountView),
  };
}

export async function cardSummary(sql: Sql, card: CardRow, limits: PurseLimits): Promise<CardSummary> {
  const accounts = await sql.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM account WHERE ${CARD_ACCOUNTS_WHERE} ORDER BY code`,
    cardAccountKeys(card),
  );
  return summaryOf(card, accounts.rows, limits);
}

/**
 * The summaries of several cards from one read of their accounts (as `cardSummary` answers each),
 * keyed by card number. A customer's QUOTA shared by two of the cards is read once and shown on both.
 */
export async function cardSummaries(sql: Sql, cards: readonly CardRow[], limits: PurseLimits): Promise<Map<string, CardSummary>> {
  if (cards.length === 0) return new Map();
  const keys = cards.map(cardAccountKeys);
  const found = await sql.query<AccountRow & { owner_key: string }>(
    `SELECT ${ACCOUNT_COLUMNS}, owner_key FROM account
      WHERE (code IN ('PURSE', 'RESERVE') AND owner_key = ANY($1::text[])) OR (code = 'QUOTA' AND owner_key = ANY($2::text[])) ORDER BY code`,
    [[...new Set(keys.map((k) => k[0]))], [...new Set(keys.map((k) => k[1]))]],
  );
  const summaries = new Map<string, CardSummary>();
  cards.forEach((card, i) => {
    const [cardKey, customerKey] = keys[i]!;
    const own = found.rows.filter((a) => (a.code === 'QUOTA' ? a.owner_key === customerKey : a.owner_key === cardKey));
    summaries.set(card.card_no, summaryOf(card, own, limits));
  });
  return summaries;
}

/** SHIFT_FLOAT and CASH_DIFFERENCE move only an outlet's and a shift's accounts, never one behind a card. */
const MOVEMENT_KIND: Record<Exclude<TransferCode, 'SHIFT_FLOAT' | 'CASH_DIFFERENCE'>, CardMovement['kind']> = {
  LOAD: 'load',
  UNLOAD: 'unload',
  CASH_RECEIPT: 'cash_receipt',
  CHEQUE_RECEIPT: 'cheque_receipt',
  PREALLOCATION: 'preallocation',
  PURCHASE: 'purchase',
  CARD_FEE: 'card_fee',
  REFUND: 'refund',
  OPENING: 'opening',
  REVERSAL: 'reversal',
};

type MovementRow = {
  transfer_id: string;
  at: Date | string;
  code: keyof typeof MOVEMENT_KIND;
  account: CardMovement['account'];
  amount_fen: bigint;
  state: 'pending' | 'posted';
};

/**
 * The newest movements of the accounts behind a card, one row per account leg (a load from the
 * quota shows as −QUOTA and +PURSE), capped at LIMITS.cardHistoryCountMax. Voided transfers moved
 * nothing and are left out. Each leg is found through the transfer debit/credit indexes.
 */
export async function cardHistory(sql: Sql, card: CardRow): Promise<CardHistory> {
  const limit = LIMITS.cardHistoryCountMax;
  const found = await sql.query<MovementRow>(
    `WITH acc AS (SELECT id, code FROM account WHERE ${CARD_ACCOUNTS_WHERE}),
     legs AS (
       SELECT t.id, t.code, t.state, t.created_at, t.resolved_at, acc.code AS account, -t.amount_fen AS amount_fen
         FROM acc JOIN transfer t ON t.debit_account_id = acc.id WHERE t.state <> 'voided'
       UNION ALL
       SELECT t.id, t.code, t.state, t.created_at, t.resolved_at, acc.code, t.amount_fen
         FROM acc JOIN transfer t ON t.credit_account_id = acc.id WHERE t.state <> 'voided')
     SELECT id AS transfer_id, coalesce(resolved_at, created_at) AS at, code, account, amount_fen, state
       FROM legs ORDER BY coalesce(resolved_at, created_at) DESC, id, account LIMIT $3`,
    [...cardAccountKeys(card), limit],
  );
  const movements = found.rows.map((r) => ({
    transferId: r.transfer_id,
    at: (r.at instanceof Date ? r.at : new Date(String(r.at))).toISOString(),
    kind: MOVEMENT_KIND[r.code],
    account: r.account,
    amountFen: Number(r.amount_fen),
    state: r.state,
  }));
  return { cardNo: card.card_no, limit, movements };
}
