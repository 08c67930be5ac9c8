/**
 * Shifts (班次, docs/ledger.md "Shifts and drawers"): an operator opens a shift on a tablet with
 * the opening float counted, which is posted from the outlet's BANK into the shift's drawer; every
 * cash movement of the shift goes through that drawer (drawer.ts); the shift is closed with the
 * cash counted. The expected figure is the drawer's balance; the difference (counted − expected)
 * is recorded on the shift and posted against the outlet's CASH_DIFFERENCE account, so after the
 * close the drawer holds exactly the cash counted: over and short are never hidden. One open shift
 * per operator (a unique partial index). Both are push operations, exactly once by operation id,
 * and audited.
 */
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { balanceFen, ensureAccount } from '../ledger/accounts.ts';
import { lockAccounts, type TransferInput } from '../ledger/transfers.ts';
import type { CurrentShiftResponse } from '../contract/index.ts';
import { openShiftOf, shiftDrawer } from './drawer.ts';
import { postTransfers } from './post.ts';

type Context = { principal: Principal; operationId: string };

function operatorOf(principal: Principal): bigint {
  if (principal.operatorId === null) throw new ApiError('FORBIDDEN');
  return principal.operatorId;
}

export async function openShift(
  tx: Sql,
  p: { openingFloatFen: number },
  { principal, operationId }: Context,
): Promise<{ shiftId: string; openingFloatFen: number; transferId: string | null }> {
  const operatorId = operatorOf(principal);
  // The partial unique index decides between two opens at once: the second finds the first's row.
  const inserted = await tx.query<{ id: bigint }>(
    `INSERT INTO shift (operator_id, org_unit_id, device_id, opening_float_fen, open_operation_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (operator_id) WHERE closed_at IS NULL DO NOTHING RETURNING id`,
    [operatorId, principal.orgUnitId, principal.deviceId, p.openingFloatFen, operationId],
  );
  const shiftId = inserted.rows[0]?.id;
  if (shiftId === undefined) throw new ApiError('SHIFT_ALREADY_OPEN');
  const drawer = await shiftDrawer(tx, shiftId);
  let transferId: string | null = null;
  if (p.openingFloatFen > 0) {
    const bank = await ensureAccount(tx, 'BANK', { kind: 'org', orgUnitId: principal.orgUnitId });
    const [posted] = await postTransfers(tx, [
      { debitAccountId: drawer, creditAccountId: bank, amountFen: BigInt(p.openingFloatFen), code: 'SHIFT_FLOAT' },
    ]);
    transferId = posted!;
  }
  await appendAudit(tx, principal, {
    action: 'shift.open',
    subject: `shift:${shiftId}`,
    detail: { openingFloatFen: p.openingFloatFen, transferId },
  });
  return { shiftId: String(shiftId), openingFloatFen: p.openingFloatFen, transferId };
}

export type ShiftClosed = {
  shiftId: string;
  countedFen: number;
  expectedFen: number;
  /** counted − expected: above zero cash over, below zero cash short. */
  differenceFen: number;
  transferId: string | null;
};

export async function closeShift(
  tx: Sql,
  p: { countedFen: number; note?: string | undefined },
  { principal, operationId }: Context,
): Promise<ShiftClosed> {
  const operatorId = operatorOf(principal);
  const shift = await openShiftOf(tx, operatorId, 'update');
  if (!shift) throw new ApiError('SHIFT_NOT_OPEN');
  const drawer = await shiftDrawer(tx, shift.id);
  // The drawer locked: nothing moves in or out of it between reading the expected figure and posting the difference.
  const locked = await lockAccounts(tx, [drawer]);
  const expected = balanceFen(locked.get(drawer)!);
  const counted = BigInt(p.countedFen);
  const difference = counted - expected;
  let transferId: string | null = null;
  if (difference !== 0n) {
    const over = await ensureAccount(tx, 'CASH_DIFFERENCE', { kind: 'org', orgUnitId: shift.org_unit_id });
    const posting: TransferInput =
      difference > 0n
        ? { debitAccountId: drawer, creditAccountId: over, amountFen: difference, code: 'CASH_DIFFERENCE' }
        : { debitAccountId: over, creditAccountId: drawer, amountFen: -difference, code: 'CASH_DIFFERENCE' };
    const [posted] = await postTransfers(tx, [posting]);
    transferId = posted!;
  }
  await tx.query(
    `UPDATE shift SET closed_at = now(), counted_fen = $2, expected_fen = $3, difference_fen = $4, close_note = $5, close_operation_id = $6
      WHERE id = $1`,
    [shift.id, String(counted), String(expected), String(difference), p.note ?? null, operationId],
  );
  const closed = {
    shiftId: String(shift.id),
    countedFen: p.countedFen,
    expectedFen: Number(expected),
    differenceFen: Number(difference),
    transferId,
  };
  await appendAudit(tx, principal, { action: 'shift.close', subject: `shift:${shift.id}`, detail: { ...closed, note: p.note ?? null } });
  return closed;
}

/** The signed-in operator's open shift for the tablet's status bar, or null. */
export async function currentShift(sql: Sql, principal: Principal): Promise<CurrentShiftResponse> {
  if (principal.operatorId === null) return { shift: null };
  const found = await sql.query<{
    id: bigint;
    opened_at: Date;
    opening_float_fen: bigint;
    device_id: string | null;
    drawer_fen: bigint | null;
    receipts_count: bigint;
  }>(
    `SELECT s.id, s.opened_at, s.opening_float_fen, s.device_id, a.debits_posted - a.credits_posted AS drawer_fen,
            -- A receipt a supervisor reversed is not one the drawer kept: its reversal undid it.
            (SELECT count(*) FROM transfer t
              WHERE t.debit_account_id = a.id AND t.code = 'CASH_RECEIPT'
                AND NOT EXISTS (SELECT 1 FROM operation o JOIN reversal r ON r.original_device_id = o.device_id AND r.original_operation_id = o.id
                                 WHERE o.type = 'receipt.cash' AND o.result->'result'->>'transferId' = t.id::text)) AS receipts_count
       FROM shift s LEFT JOIN account a ON a.code = 'CASH' AND a.owner_key = 'shift:' || s.id::text
      WHERE s.operator_id = $1 AND s.closed_at IS NULL`,
    [principal.operatorId],
  );
  const row = found.rows[0];
  if (!row) return { shift: null };
  return {
    shift: {
      id: String(row.id),
      openedAt: new Date(row.opened_at).toISOString(),
      openingFloatFen: Number(row.opening_float_fen),
      drawerFen: Number(row.drawer_fen ?? 0n),
      receiptsCount: Number(row.receipts_count),
      deviceId: row.device_id,
    },
  };
}
