/**
 * The cash drawer of the operator's open shift (docs/ledger.md "Shifts and drawers"): every cash
 * movement at the counter (cash receipts, card fees, cash paid out) goes to or from it, so a shift
 * closes against exactly the cash it took. Other modules find the drawer only here.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { LIMITS } from '../limits.ts';

export type OpenShiftRow = { id: bigint; org_unit_id: bigint; opening_float_fen: bigint; opened_at: Date };

/**
 * The operator's open shift, or null. `lock`: 'share' keeps the shift open until this
 * transaction ends (money going into its drawer), 'update' takes it for closing. A close that
 * commits while a share lock waits is seen (READ COMMITTED re-checks the row): no money goes into
 * a drawer already counted.
 */
export async function openShiftOf(tx: Sql, operatorId: bigint, lock: 'share' | 'update'): Promise<OpenShiftRow | null> {
  const found = await tx.query<OpenShiftRow>(
    `SELECT id, org_unit_id, opening_float_fen, opened_at FROM shift WHERE operator_id = $1 AND closed_at IS NULL FOR ${lock === 'share' ? 'SHARE' : 'UPDATE'}`,
    [operatorId],
  );
  return found.rows[0] ?? null;
}

/** The drawer (CASH account) of a shift, opened on first use. */
export function shiftDrawer(tx: Sql, shiftId: bigint): Promise<bigint> {
  return ensureAccount(tx, 'CASH', { kind: 'shift', shiftId });
}

/**
 * The account id of the drawer of the principal's open shift, the shift held open until the
 * transaction ends. Refuses with SHIFT_NOT_OPEN when the principal is no operator or has no open
 * shift: cash is never taken outside a shift.
 */
export async function drawerAccount(tx: Sql, principal: Pick<Principal, 'operatorId'>): Promise<bigint> {
  if (principal.operatorId === null) throw new ApiError('SHIFT_NOT_OPEN');
  const shift = await openShiftOf(tx, principal.operatorId, 'share');
  if (!shift) throw new ApiError('SHIFT_NOT_OPEN');
  return shiftDrawer(tx, shift.id);
}

/**
 * Where the cash of an operation goes (docs/ledger.md "Late cash"): the drawer of the shift it was
 * made in. `madeAt` null (no maker: made as it arrives) is the open shift, as drawerAccount. Made
 * while the operator's open shift was open (the device clock's skew allowed): that drawer. Made in
 * a shift closed since: the close counted that cash and booked it as an overage, so it is posted
 * against the outlet's CASH_DIFFERENCE, which undoes the overage, and the closed drawer stays equal
 * to the count (`late`, for the caller to record as a late item). Made when no shift of the
 * operator was open: SHIFT_NOT_OPEN.
 */
export type CashPlace = { accountId: bigint; shiftId: bigint; late: boolean };

export async function cashPlace(tx: Sql, principal: Pick<Principal, 'operatorId'>, madeAt: Date | null): Promise<CashPlace> {
  if (principal.operatorId === null) throw new ApiError('SHIFT_NOT_OPEN');
  const open = await openShiftOf(tx, principal.operatorId, 'share');
  const skewMs = LIMITS.deviceRequestClockSkewMaxMs;
  if (open && (madeAt === null || madeAt.getTime() >= new Date(open.opened_at).getTime() - skewMs))
    return { accountId: await shiftDrawer(tx, open.id), shiftId: open.id, late: false };
  if (madeAt === null) throw new ApiError('SHIFT_NOT_OPEN');
  const closed = await tx.query<{ id: bigint }>(
    `SELECT id FROM shift
      WHERE operator_id = $1 AND closed_at IS NOT NULL AND opened_at <= $2::timestamptz + ($3 || ' milliseconds')::interval
        AND closed_at >= $2::timestamptz - ($3 || ' milliseconds')::interval
      ORDER BY opened_at DESC LIMIT 1`,
    [principal.operatorId, madeAt.toISOString(), String(skewMs)],
  );
  const shift = closed.rows[0];
  if (!shift) throw new ApiError('SHIFT_NOT_OPEN');
  return { accountId: await lateCashAccount(tx, shift.id), shiftId: shift.id, late: true };
}

/** The account late cash of a closed shift is posted against: its outlet's CASH_DIFFERENCE. */
export async function lateCashAccount(tx: Sql, shiftId: bigint): Promise<bigint> {
  const found = await tx.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM shift WHERE id = $1', [shiftId]);
  return ensureAccount(tx, 'CASH_DIFFERENCE', { kind: 'org', orgUnitId: found.rows[0]!.org_unit_id });
}

/** Lists a late posting on its closed shift (shift_late_item), for the shift's report. */
export async function recordLateItem(
  tx: Sql,
  item: {
    shiftId: bigint;
    kind: 'receipt.cash' | 'card.fee.refund';
    amountFen: bigint;
    transferId: string;
    deviceId: string | null;
    operationId: string;
  },
): Promise<void> {
  await tx.query(
    'INSERT INTO shift_late_item (transfer_id, shift_id, kind, amount_fen, device_id, operation_id) VALUES ($1, $2, $3, $4, $5, $6)',
    [item.transferId, item.shiftId, item.kind, String(item.amountFen), item.deviceId, item.operationId],
  );
}
