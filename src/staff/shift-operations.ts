/**
 * The Shift screen's list of this shift's money operations: what the server booked to the shift
 * (GET /api/v1/shifts/current/operations, server/shifts/operations.ts) merged with what this tablet
 * still holds queued under the signed-in operator's session (its maker stamp, docs/sync.md "The
 * maker of an operation"), newest first. A queued operation has no server answer yet: it shows as
 * "queued"; a queued reversal marks the operation it names. Pure, for the screen and its tests.
 */
import type { ShiftOperation } from '../../server/contract/shifts.ts';
import type { OutboxRecord } from '../lib/device-db/database.ts';

export type ShiftListItem = {
  operationId: string;
  type: ShiftOperation['type'];
  madeAtMs: number;
  customerId: string;
  /** Null for a queued operation: the tablet holds its customer's id only. */
  customerName: string | null;
  amountFen: number;
  status: 'applied' | 'queued' | 'reversed';
  /** A reversal of it waits in the queue. */
  reversalQueued: boolean;
  late: boolean;
};

const LISTED: ReadonlySet<string> = new Set(['receipt.cash', 'receipt.cheque', 'preallocation']);

function amountOf(record: OutboxRecord): number {
  if (record.type === 'preallocation') return record.payload.allocations.reduce((sum, a) => sum + a.amountFen, 0);
  if (record.type === 'receipt.cash' || record.type === 'receipt.cheque') return record.payload.amountFen;
  return 0;
}

export function mergeShiftOperations(
  server: readonly ShiftOperation[],
  outbox: readonly OutboxRecord[],
  own: { sessionId: string | null; shiftOpenedAtMs: number },
): ShiftListItem[] {
  const queued = outbox.filter((r) => r.status === 'queued' && r.maker !== undefined && r.maker.sessionId === own.sessionId);
  const reversing = new Set(queued.flatMap((r) => (r.type === 'reversal' ? [r.payload.operationId.toLowerCase()] : [])));
  const items: ShiftListItem[] = server.map((op) => ({
    operationId: op.operationId,
    type: op.type,
    madeAtMs: Date.parse(op.madeAt),
    customerId: op.customerId,
    customerName: op.customerName,
    amountFen: op.amountFen,
    status: op.status,
    reversalQueued: op.status === 'applied' && reversing.has(op.operationId.toLowerCase()),
    late: op.late,
  }));
  const known = new Set(items.map((i) => i.operationId.toLowerCase()));
  for (const r of queued) {
    if (!LISTED.has(r.type) || known.has(r.id.toLowerCase()) || r.createdAtMs < own.shiftOpenedAtMs) continue;
    const customerId = (r.payload as { customerId: string }).customerId;
    items.push({
      operationId: r.id,
      type: r.type as ShiftListItem['type'],
      madeAtMs: r.createdAtMs,
      customerId,
      customerName: null,
      amountFen: amountOf(r),
      status: 'queued',
      reversalQueued: reversing.has(r.id.toLowerCase()),
      late: false,
    });
  }
  return items.sort((a, b) => b.madeAtMs - a.madeAtMs || (a.operationId < b.operationId ? 1 : -1));
}

/** Whether the signed-in role may reverse `item` from the list: a supervisor, an applied receipt or pre-allocation, not yet reversed. */
export function mayReverse(role: string, item: ShiftListItem): boolean {
  return role === 'outlet_supervisor' && item.status === 'applied' && !item.reversalQueued;
}
