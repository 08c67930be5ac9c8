/** Card inquiry: state and the balances of the accounts behind the card (its purse, reserve and customer quota). */
import type { Sql } from '../db/index.ts';
import type { AccountView, CardSummary } from '../contract/index.ts';
import { ACCOUNT_COLUMNS, availableFen, balanceFen, pendingFen, type AccountRow } from '../ledger/accounts.ts';
import type { CardRow } from './card.ts';

export function accountView(a: AccountRow): AccountView {
  return { code: a.code, balanceFen: Number(balanceFen(a)), availableFen: Number(availableFen(a)), pendingFen: Number(pendingFen(a)) };
}

export async function cardSummary(sql: Sql, card: CardRow): Promise<CardSummary> {
  const accounts = await sql.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM account
      WHERE (code IN ('PURSE', 'RESERVE') AND owner_key = $1) OR (code = 'QUOTA' AND owner_key = $2) ORDER BY code`,
    [`card:${card.card_no}`, `customer:${card.customer_id ?? 0}`],
  );
  return {
    cardNo: card.card_no,
    state: card.state,
    grey: card.grey,
    named: card.named,
    role: card.role,
    onlineTtcSeen: card.online_ttc_seen,
    accounts: accounts.rows.map(accountView),
  };
}
