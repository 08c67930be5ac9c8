/**
 * The cash drawer of the operator's open shift (docs/ledger.md "Shifts and drawers"): every cash
 * movement at the counter (cash receipts, card fees, cash paid out) goes to or from it, so a shift
 * closes against exactly the cash it took. Other modules find the drawer only here.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { ensureAccount } from '../ledger/accounts.ts';

export type OpenShiftRow = { id: bigint; org_unit_id: bigint; opening_float_fen: bigint };

/**
 * The operator's open shift, or null. `lock`: 'share' keeps the shift open until this
 * transaction ends (money going into its drawer), 'update' takes it for closing. A close that
 * commits while a share lock waits is seen (READ COMMITTED re-checks the row): no money goes into
 * a drawer already counted.
 */
export async function openShiftOf(tx: Sql, operatorId: bigint, lock: 'share' | 'update'): Promise<OpenShiftRow | null> {
  const found = await tx.query<OpenShiftRow>(
    `SELECT id, org_unit_id, opening_float_fen FROM shift WHERE operator_id = $1 AND closed_at IS NULL FOR ${lock === 'share' ? 'SHARE' : 'UPDATE'}`,
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
