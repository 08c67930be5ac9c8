/**
 * Anonymous cards' money (docs/domain.md "Anonymous cards", docs/ledger.md "Postings"):
 *
 * - sell (发售): an initialised anonymous card held at the operator's outlet. Its customer row is
 *   made (personal, marked anonymous, named after the card's printed number, of this outlet), the
 *   card becomes active (single-user, not named: the anonymous purse ceiling) with its QUOTA and
 *   PURSE; the card fee goes CASH drawer → FEE_INCOME (CARD_FEE) and a first amount CASH drawer →
 *   QUOTA (CASH_RECEIPT), both into the drawer of the operator's open shift. The tablet loads the
 *   quota onto the card at once with the usual online load. The default PIN stays.
 * - top up (充值): cash into a sold anonymous card's QUOTA at any outlet (an anonymous card has no
 *   own outlet: server/auth/policy.ts), loaded at once the same way. Refused when the quota and
 *   the purse with it would pass the card's purse ceiling, so the cash taken can always be loaded.
 *
 * Both are exactly once by their operation id, under the card's lock.
 */
import type { Sql } from '../db/index.ts';
import type { AnonymousMoneyResponse, AnonymousSellRequest, AnonymousTopUpRequest } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ACCOUNT_COLUMNS, balanceFen, ensureAccount, pendingFen, type AccountRow } from '../ledger/accounts.ts';
import { createTransfers, type TransferInput } from '../ledger/transfers.ts';
import { LedgerError } from '../ledger/errors.ts';
import type { Services } from '../http/services.ts';
import { drawerAccount } from '../shifts/drawer.ts';
import { chinaDateTime, purseMaxFen, type CardRow } from './card.ts';
import { anonymousOnce } from './anonymous-once.ts';
import { anonymousView, lockAnonymous, requireAnonymous, type AnonymousRow } from './anonymous-card.ts';

/** How long a sold card runs when its stock row names no expiry (as an issued card, server/cards/issue.ts). */
const CARD_LIFE_YEARS = 10;
/** The customer name of an anonymous card's account: the printed card number after this. */
const ANONYMOUS_CUSTOMER_PREFIX = '不记名卡 ';

function addYears(yyyymmdd: string, years: number): string {
  return `${Number(yyyymmdd.slice(0, 4)) + years}${yyyymmdd.slice(4)}`;
}

async function post(tx: Sql, transfers: TransferInput[]): Promise<string[]> {
  try {
    return await createTransfers(tx, transfers);
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CEILING') throw new ApiError('ACCOUNT_CEILING_EXCEEDED');
    if (error instanceof LedgerError) throw new ApiError('LEDGER_REFUSED', error.message);
    throw error;
  }
}

async function accountsOf(tx: Sql, ids: bigint[]): Promise<AccountRow[]> {
  // Read, not locked: the card's lock serialises its money (its quota is its own), and createTransfers locks in its order.
  const found = await tx.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM account WHERE id = ANY($1::bigint[])`, [ids.map(String)]);
  return ids.map((id) => found.rows.find((r) => r.id === id)!);
}

/**
 * The quota after `amountFen` goes in, refused (PURSE_LIMIT_EXCEEDED, nothing moved) when the
 * quota, the purse and what is on its way to it would pass the card's purse ceiling.
 */
async function quotaWithin(tx: Sql, services: Services, card: CardRow, quota: bigint, purse: bigint, amountFen: number): Promise<number> {
  const [q, p] = await accountsOf(tx, [quota, purse]);
  const quotaFen = balanceFen(q!) + pendingFen(q!) + BigInt(amountFen);
  const onCard = balanceFen(p!) + (pendingFen(p!) > 0n ? pendingFen(p!) : 0n);
  if (quotaFen + onCard > BigInt(purseMaxFen(card, services))) throw new ApiError('PURSE_LIMIT_EXCEEDED');
  return Number(balanceFen(q!)) + amountFen;
}

export function sellAnonymous(services: Services, principal: Principal, r: AnonymousSellRequest): Promise<AnonymousMoneyResponse> {
  return anonymousOnce(services, principal, 'card.anonymous.sell', r, async (tx) => {
    const { card, anon: found } = await lockAnonymous(tx, principal, r.cardNo);
    const anon = requireAnonymous(card, found);
    if (anon.state !== 'initialised' || card.state !== 'stock') throw new ApiError('ANONYMOUS_STATE_INVALID');
    if (anon.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
    const held = await tx.query<{ stock_unit_id: bigint | null }>('SELECT stock_unit_id FROM card WHERE card_no = $1', [card.card_no]);
    if (held.rows[0]?.stock_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
    // The cash goes into the drawer of the operator's open shift (SHIFT_NOT_OPEN without one).
    const drawer = r.feeFen > 0 || r.firstAmountFen > 0 ? await drawerAccount(tx, principal) : null;
    const printed = card.card_no.slice(1);
    const customerId = (
      await tx.query<{ id: bigint }>(
        "INSERT INTO customer (kind, name, org_unit_id, anonymous) VALUES ('personal', $1, $2, true) RETURNING id",
        [`${ANONYMOUS_CUSTOMER_PREFIX}${printed}`, principal.orgUnitId],
      )
    ).rows[0]!.id;
    const expiresOn = card.expires_on ?? addYears(chinaDateTime(services.now()).date, CARD_LIFE_YEARS);
    await tx.query(
      `UPDATE card SET state = 'active', customer_id = $2, role = 'single', main_card_no = NULL, named = false, issued_at = now(),
         expires_on = to_date($3, 'YYYYMMDD') WHERE card_no = $1`,
      [card.card_no, customerId, expiresOn],
    );
    const sold: CardRow = { ...card, state: 'active', named: false, customer_id: customerId, expires_on: expiresOn };
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const purse = await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: card.card_no, customerId });
    const quotaFen = await quotaWithin(tx, services, sold, quota, purse, r.firstAmountFen);
    let feeTransfer: string | null = null;
    let firstTransfer: string | null = null;
    if (r.feeFen > 0) {
      const income = await ensureAccount(tx, 'FEE_INCOME', { kind: 'org', orgUnitId: principal.orgUnitId });
      [feeTransfer] = (await post(tx, [
        { debitAccountId: drawer!, creditAccountId: income, amountFen: BigInt(r.feeFen), code: 'CARD_FEE' },
      ])) as [string];
    }
    if (r.firstAmountFen > 0)
      [firstTransfer] = (await post(tx, [
        { debitAccountId: drawer!, creditAccountId: quota, amountFen: BigInt(r.firstAmountFen), code: 'CASH_RECEIPT' },
      ])) as [string];
    await tx.query(
      `UPDATE anonymous_card SET state = 'sold', customer_id = $2, fee_fen = $3, fee_transfer_id = $4, first_amount_fen = $5, first_transfer_id = $6,
         sell_operation_id = $7, sold_at = now(), sold_unit_id = $8 WHERE card_no = $1`,
      [card.card_no, customerId, r.feeFen, feeTransfer, r.firstAmountFen, firstTransfer, r.operationId, principal.orgUnitId],
    );
    await appendAudit(tx, principal, {
      action: 'card.anonymous.sell',
      subject: card.card_no,
      detail: { customerId: String(customerId), feeFen: r.feeFen, firstAmountFen: r.firstAmountFen, feeTransfer, firstTransfer },
    });
    const row: AnonymousRow = { ...anon, state: 'sold', customer_id: customerId };
    return { card: anonymousView(row, sold), quotaFen, transferId: firstTransfer };
  });
}

export function topUpAnonymous(services: Services, principal: Principal, r: AnonymousTopUpRequest): Promise<AnonymousMoneyResponse> {
  return anonymousOnce(services, principal, 'card.anonymous.topup', r, async (tx) => {
    const { card, anon: found } = await lockAnonymous(tx, principal, r.cardNo);
    const anon = requireAnonymous(card, found);
    if (anon.state === 'upgraded') throw new ApiError('ANONYMOUS_CARD_NAMED');
    if (anon.state !== 'sold' || card.state !== 'active' || anon.customer_id === null) throw new ApiError('ANONYMOUS_STATE_INVALID');
    const drawer = await drawerAccount(tx, principal);
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: anon.customer_id });
    const purse = await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: card.card_no, customerId: anon.customer_id });
    const quotaFen = await quotaWithin(tx, services, card, quota, purse, r.amountFen);
    const [transferId] = (await post(tx, [
      { debitAccountId: drawer, creditAccountId: quota, amountFen: BigInt(r.amountFen), code: 'CASH_RECEIPT' },
    ])) as [string];
    await appendAudit(tx, principal, {
      action: 'card.anonymous.topup',
      subject: card.card_no,
      detail: { customerId: String(anon.customer_id), amountFen: r.amountFen, transferId },
    });
    return { card: anonymousView(anon, card), quotaFen, transferId };
  });
}
