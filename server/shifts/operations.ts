/**
 * A shift's money operations for the tablet's Shift screen (GET /api/v1/shifts/current/operations):
 * every movement of money the shift's drawer or its customers' accounts saw (receipts,
 * pre-allocations, card fees and refunds, anonymous sales and top-ups, counter loads and unloads,
 * reversals), each with its customer, card, amount and whether it was reversed or arrived late
 * (docs/ledger.md "Late cash"), and the totals by kind, added up by the database. Operations with
 * a maker count by when they were made (docs/sync.md "The maker of an operation"). An operator sees its own open shift; a supervisor may
 * name any shift of its own outlet. What the tablet still holds queued it merges in itself.
 */
import type { Sql } from '../db/index.ts';
import type { ShiftOperation, ShiftOperationsQuery, ShiftOperationsResponse } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { LIMITS } from '../limits.ts';

type ShiftRow = { id: bigint; operator_id: bigint; org_unit_id: bigint; opened_at: Date; closed_at: Date | null };
type OperationRow = {
  id: string;
  device_id: string | null;
  type: ShiftOperation['type'];
  made_at: Date;
  customer_id: bigint;
  customer_name: string;
  card_no: string | null;
  amount_fen: bigint;
  reversed: boolean;
  late: boolean;
  reverses: string | null;
};
type TotalRow = { type: ShiftOperation['type']; count: bigint; amount_fen: bigint };

/**
 * Every money movement of the shift, one row each, as `listed` (operation id, its device, kind, when,
 * customer, card, amount signed by the direction of the money: into the drawer or onto the card above
 * zero, out below; reversed, late, the operation a reversal undoes, and whether it stands for the
 * totals). Read from where each kind is recorded:
 * - cash and cheque receipts and pre-allocations: their operation records (made while the shift was open);
 * - card fees and their refunds: the card issue whose fee went into (or came out of) this drawer, a
 *   refund of a fee in a drawer already closed being this shift's late item;
 * - anonymous sales (fee and first top-up together) and top-ups: the cash they put into this drawer;
 * - counter loads and unloads (圈存/圈提): the posted loads the shift's operator started while it was
 *   open (the audit entry names the operator; the load's own row does not);
 * - reversals: those whose cash went through this drawer or that undo an operation listed here. The
 *   undone original stays listed as reversed; neither it nor its reversal counts in the totals, a
 *   reversal of another shift's operation does.
 * $1 operator, $2 opened at, $3 closed at (null: open), $4 shift id, $5 the device clock's skew (ms).
 */
const LISTED_SQL = `
  WITH drawer AS (SELECT id FROM account WHERE code = 'CASH' AND owner_key = 'shift:' || $4::bigint::text),
  receipts AS (
    SELECT o.id, o.device_id, o.type, o.made_at, q.customer_id, NULL::text AS card_no, sum(t.amount_fen)::bigint AS amount_fen,
           bool_or(r.original_operation_id IS NOT NULL) AS reversed, bool_or(li.transfer_id IS NOT NULL) AS late
      FROM operation o
      CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(o.result->'result'->'transferIds') = 'array' THEN o.result->'result'->'transferIds'
             ELSE jsonb_build_array(o.result->'result'->'transferId') END) AS x (transfer_id)
      JOIN transfer t ON t.id = x.transfer_id::uuid
      JOIN account q ON q.id = CASE WHEN o.type = 'preallocation' THEN t.debit_account_id ELSE t.credit_account_id END
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
     GROUP BY o.id, o.device_id, o.type, o.made_at, q.customer_id),
  fees AS (
    SELECT ci.start_operation_id AS id, ci.device_id, 'card.fee' AS type, t.created_at AS made_at, ci.customer_id, ci.card_no,
           t.amount_fen, false AS late
      FROM drawer d JOIN transfer t ON t.debit_account_id = d.id AND t.code = 'CARD_FEE'
      JOIN card_issue ci ON ci.fee_transfer_id = t.id
    UNION ALL
    SELECT ci.cancel_operation_id, ci.device_id, 'card.fee.refund', t.created_at, ci.customer_id, ci.card_no, -t.amount_fen,
           li.transfer_id IS NOT NULL
      FROM transfer t JOIN card_issue ci ON ci.refund_transfer_id = t.id
      LEFT JOIN shift_late_item li ON li.transfer_id = t.id AND li.shift_id = $4
     WHERE t.id IN (SELECT t2.id FROM drawer d JOIN transfer t2 ON t2.credit_account_id = d.id AND t2.code = 'CARD_FEE'
                    UNION ALL SELECT transfer_id FROM shift_late_item WHERE shift_id = $4 AND kind = 'card.fee.refund')),
  anonymous AS (
    SELECT ac.sell_operation_id AS id, so.device_id, 'anonymous.sell' AS type, ac.sold_at AS made_at, ac.customer_id, ac.card_no,
           sum(t.amount_fen)::bigint AS amount_fen
      FROM drawer d JOIN transfer t ON t.debit_account_id = d.id AND t.code IN ('CARD_FEE', 'CASH_RECEIPT')
      JOIN anonymous_card ac ON t.id IN (ac.fee_transfer_id, ac.first_transfer_id)
      LEFT JOIN operation so ON so.id = ac.sell_operation_id AND so.type = 'card.anonymous.sell'
     GROUP BY ac.sell_operation_id, so.device_id, ac.sold_at, ac.customer_id, ac.card_no
    UNION ALL
    SELECT o.id, o.device_id, 'anonymous.topup', t.created_at, q.customer_id, ac.card_no, t.amount_fen
      FROM audit_log a JOIN transfer t ON t.id = (a.detail->>'transferId')::uuid
      JOIN drawer d ON d.id = t.debit_account_id
      JOIN account q ON q.id = t.credit_account_id
      JOIN operation o ON o.type = 'card.anonymous.topup' AND o.status = 'applied' AND o.result->>'transferId' = t.id::text
                      AND coalesce(o.device_id, '') = coalesce(a.device_id, '')
      LEFT JOIN anonymous_card ac ON ac.customer_id = q.customer_id
     WHERE a.action = 'card.anonymous.topup' AND a.operator_id = $1
       AND a.at >= $2::timestamptz AND ($3::timestamptz IS NULL OR a.at <= $3::timestamptz)),
  loads AS (
    SELECT l.id, l.device_id, l.kind AS type, l.created_at AS made_at, c.customer_id, l.card_no,
           CASE WHEN l.kind = 'load' THEN l.amount_fen ELSE -l.amount_fen END AS amount_fen
      FROM audit_log a JOIN card_load l ON l.id = (a.detail->>'loadId')::uuid AND l.card_no = a.subject
      JOIN card c ON c.card_no = l.card_no
     WHERE a.action IN ('load.initialise', 'unload.initialise') AND a.operator_id = $1 AND l.state = 'posted'
       AND a.at >= $2::timestamptz AND ($3::timestamptz IS NULL OR a.at <= $3::timestamptz)),
  reversals AS (
    SELECT r.operation_id AS id, r.device_id, 'reversal' AS type, r.at AS made_at,
           (array_agg(coalesce(d.customer_id, c.customer_id) ORDER BY t.id))[1] AS customer_id,
           -sum(t.amount_fen)::bigint AS amount_fen, r.original_operation_id AS reverses,
           EXISTS (SELECT 1 FROM receipts o WHERE o.id = r.original_operation_id AND o.device_id = r.original_device_id) AS original_listed
      FROM reversal r JOIN transfer t ON t.id = ANY (r.transfer_ids)
      JOIN account d ON d.id = t.debit_account_id JOIN account c ON c.id = t.credit_account_id
     -- Its cash came out of this drawer only while the shift was open: then it was this operator's (a
     -- supervisor handing back cash from its own drawer) or the original's, which is listed here.
     WHERE (r.operator_id = $1 AND r.at >= $2::timestamptz AND ($3::timestamptz IS NULL OR r.at <= $3::timestamptz))
        OR (r.original_device_id, r.original_operation_id) IN (SELECT device_id, id FROM receipts)
     GROUP BY r.operation_id, r.device_id, r.at, r.original_operation_id, r.original_device_id
    HAVING bool_or(t.credit_account_id IN (SELECT id FROM drawer))
        OR EXISTS (SELECT 1 FROM receipts o WHERE o.id = r.original_operation_id AND o.device_id = r.original_device_id)),
  listed AS (
    SELECT id, device_id, type, made_at, customer_id, card_no, amount_fen, reversed, late, NULL::uuid AS reverses, NOT reversed AS counted
      FROM receipts
    UNION ALL SELECT id, device_id, type, made_at, customer_id, card_no, amount_fen, false, late, NULL, true FROM fees
    UNION ALL SELECT id, device_id, type, made_at, customer_id, card_no, amount_fen, false, false, NULL, true FROM anonymous
    UNION ALL SELECT id, device_id, type, made_at, customer_id, card_no, amount_fen, false, false, NULL, true FROM loads
    UNION ALL SELECT id, device_id, type, made_at, customer_id, NULL, amount_fen, false, false, reverses, NOT original_listed FROM reversals)`;

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
  if (!shift) return { shift: null, operations: [], totals: [] };
  const params = [
    shift.operator_id,
    new Date(shift.opened_at).toISOString(),
    shift.closed_at === null ? null : new Date(shift.closed_at).toISOString(),
    shift.id,
    String(LIMITS.deviceRequestClockSkewMaxMs),
  ];
  const found = await sql.query<OperationRow>(
    `${LISTED_SQL}
     SELECT l.id, l.device_id, l.type, l.made_at, l.customer_id, cu.name AS customer_name, l.card_no, l.amount_fen, l.reversed, l.late, l.reverses
       FROM listed l JOIN customer cu ON cu.id = l.customer_id
      ORDER BY l.made_at, l.id
      LIMIT $6`,
    [...params, LIMITS.shiftOperationsListMax],
  );
  // Over every movement, not only the listed page: the totals stay right when the list is cut short.
  const totals = await sql.query<TotalRow>(
    `${LISTED_SQL}
     SELECT type, count(*) AS count, sum(amount_fen)::bigint AS amount_fen FROM listed WHERE counted GROUP BY type ORDER BY type`,
    params,
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
      cardNo: row.card_no,
      amountFen: Number(row.amount_fen),
      status: row.reversed ? 'reversed' : 'applied',
      late: row.late,
      reverses: row.reverses,
    })),
    totals: totals.rows.map((row) => ({ type: row.type, count: Number(row.count), amountFen: Number(row.amount_fen) })),
  };
}
