/**
 * A shift's money operations for the tablet's Shift screen (GET /api/v1/shifts/current/operations):
 * the cash and cheque receipts and pre-allocations booked to the shift's operator and made while
 * the shift was open (docs/sync.md "The maker of an operation": an operation's record keeps its
 * maker and when it was made), each with its customer, amount and whether it was reversed or
 * arrived late (docs/ledger.md "Late cash"). An operator sees its own open shift; a supervisor may
 * name any shift of its own outlet. What the tablet still holds queued it merges in itself.
 */
import type { Sql } from '../db/index.ts';
import type { ShiftOperationsQuery, ShiftOperationsResponse } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { LIMITS } from '../limits.ts';

type ShiftRow = { id: bigint; operator_id: bigint; org_unit_id: bigint; opened_at: Date; closed_at: Date | null };
type OperationRow = {
  id: string;
  device_id: string | null;
  type: 'receipt.cash' | 'receipt.cheque' | 'preallocation';
  made_at: Date;
  customer_id: bigint;
  customer_name: string;
  amount_fen: bigint;
  reversed: boolean;
  late: boolean;
};

async function shiftOf(sql: Sql, principal: Principal, query: ShiftOperationsQuery): Promise<ShiftRow | null> {
  if (principal.operatorId === null) throw new ApiError('FORBIDDEN');
  const columns = 'id, operator_id, org_unit_id, opened_at, closed_at';
  if (query.shiftId === undefined) {
    const own = await sql.query<ShiftRow>(`SELECT ${columns} FROM shift WHERE operator_id = $1 AND closed_at IS NULL`, [
      principal.operatorId,
    ]);
    return own.rows[0] ?? null;
  }
  const found = await sql.query<ShiftRow>(`SELECT ${columns} FROM shift WHERE id = $1`, [query.shiftId]);
  const shift = found.rows[0];
  if (!shift) throw new ApiError('NOT_FOUND');
  // Its own shift for anyone; another's only for a supervisor of the same outlet.
  const mayRead =
    shift.operator_id === principal.operatorId || (principal.role === 'outlet_supervisor' && shift.org_unit_id === principal.orgUnitId);
  if (!mayRead) throw new ApiError('FORBIDDEN');
  return shift;
}

export async function shiftOperations(sql: Sql, principal: Principal, query: ShiftOperationsQuery): Promise<ShiftOperationsResponse> {
  const shift = await shiftOf(sql, principal, query);
  if (!shift) return { shift: null, operations: [] };
  const found = await sql.query<OperationRow>(
    `SELECT o.id, o.device_id, o.type, o.made_at, cu.id AS customer_id, cu.name AS customer_name, sum(t.amount_fen)::bigint AS amount_fen,
            bool_or(r.original_operation_id IS NOT NULL) AS reversed, bool_or(li.transfer_id IS NOT NULL) AS late
       FROM operation o
       CROSS JOIN LATERAL jsonb_array_elements_text(
         CASE WHEN jsonb_typeof(o.result->'result'->'transferIds') = 'array' THEN o.result->'result'->'transferIds'
              ELSE jsonb_build_array(o.result->'result'->'transferId') END) AS x (transfer_id)
       JOIN transfer t ON t.id = x.transfer_id::uuid
       JOIN account q ON q.id = CASE WHEN o.type = 'preallocation' THEN t.debit_account_id ELSE t.credit_account_id END
       JOIN customer cu ON cu.id = q.customer_id
       LEFT JOIN reversal r ON r.original_device_id = o.device_id AND r.original_operation_id = o.id
       LEFT JOIN shift_late_item li ON li.transfer_id = t.id AND li.shift_id = $4
      WHERE o.operator_id = $1 AND o.status = 'applied' AND o.type IN ('receipt.cash', 'receipt.cheque', 'preallocation')
        AND o.made_at >= $2::timestamptz - ($5 || ' milliseconds')::interval
        AND ($3::timestamptz IS NULL OR o.made_at <= $3::timestamptz + ($5 || ' milliseconds')::interval)
        -- The clock skew widens the window only where no other shift of the operator was open: a shift
        -- reopened within minutes of the last close does not list the last shift's operations.
        AND NOT EXISTS (SELECT 1 FROM shift other
                         WHERE other.operator_id = $1 AND other.id <> $4
                           AND o.made_at >= other.opened_at AND (other.closed_at IS NULL OR o.made_at <= other.closed_at))
      GROUP BY o.id, o.device_id, o.type, o.made_at, cu.id, cu.name
      ORDER BY o.made_at, o.id
      LIMIT $6`,
    [
      shift.operator_id,
      new Date(shift.opened_at).toISOString(),
      shift.closed_at === null ? null : new Date(shift.closed_at).toISOString(),
      shift.id,
      String(LIMITS.deviceRequestClockSkewMaxMs),
      LIMITS.shiftOperationsListMax,
    ],
  );
  return {
    shift: {
      id: String(shift.id),
      openedAt: new Date(shift.opened_at).toISOString(),
      closedAt: shift.closed_at === null ? null : new Date(shift.closed_at).toISOString(),
    },
    operations: found.rows.map((row) => ({
      operationId: row.id,
      deviceId: row.device_id,
      type: row.type,
      madeAt: new Date(row.made_at).toISOString(),
      customerId: String(row.customer_id),
      customerName: row.customer_name,
      amountFen: Number(row.amount_fen),
      status: row.reversed ? 'reversed' : 'applied',
      late: row.late,
    })),
  };
}
