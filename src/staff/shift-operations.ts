/**
 * The Shift screen's list of this shift's money operations: what the server booked to the shift
 * (GET /api/v1/shifts/current/operations, server/shifts/operations.ts) merged with what this tablet
 * still holds queued under the signed-in operator's session (its maker stamp, docs/sync.md "The
 * maker of an operation"), newest first. A queued operation has no server answer yet: it shows as
 * "queued"; a queued reversal marks the operation it names. The totals by kind are the server's
 * (added up by the database), with what is still queued here folded in, since only this tablet
 * knows it. Pure, for the screen and its tests.
 */
import type { ShiftOperation, ShiftOperationTotal } from '../../server/contract/shifts.ts';
import type { OutboxRecord } from '../lib/device-db/database.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import type { MessageKey } from '../lib/i18n/index.ts';

export type ShiftListItem = {
  operationId: string;
  /** The device that made it (a reversal names it); null for one this tablet still holds queued. */
  deviceId: string | null;
  type: ShiftOperation['type'];
  madeAtMs: number;
  customerId: string;
  /** Null for a queued operation: the tablet holds its customer's id only. */
  customerName: string | null;
  /** The card it concerns (fees, anonymous cards, loads and unloads). */
  cardNo: string | null;
  /** Signed: into the drawer, the account or onto the card above zero, out below. */
  amountFen: number;
  status: 'applied' | 'queued' | 'reversed';
  /** A reversal of it waits in the queue. */
  reversalQueued: boolean;
  late: boolean;
};

/** What this tablet queues that the list shows: the operations it sends without a card (docs/sync.md). */
const LISTED: ReadonlySet<string> = new Set(['receipt.cash', 'receipt.cheque', 'preallocation']);
/** What a supervisor may reverse (server/shifts/reversals.ts): a card's fee, load or sale is undone its own way. */
const REVERSIBLE: ReadonlySet<ShiftListItem['type']> = new Set(['receipt.cash', 'receipt.cheque', 'preallocation']);

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
    deviceId: op.deviceId,
    type: op.type,
    madeAtMs: Date.parse(op.madeAt),
    customerId: op.customerId,
    customerName: op.customerName,
    cardNo: op.cardNo,
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
      deviceId: null,
      type: r.type as ShiftListItem['type'],
      madeAtMs: r.createdAtMs,
      customerId,
      customerName: null,
      cardNo: null,
      amountFen: amountOf(r),
      status: 'queued',
      reversalQueued: reversing.has(r.id.toLowerCase()),
      late: false,
    });
  }
  return items.sort((a, b) => b.madeAtMs - a.madeAtMs || (a.operationId < b.operationId ? 1 : -1));
}

/**
 * Whether `item` may be taken to the reversal screen: applied and no reversal of it queued. Who
 * reverses is the server's rule (a supervisor): signed in, or signing in for it at the clerk's tablet.
 */
export function mayReverse(item: ShiftListItem): boolean {
  return REVERSIBLE.has(item.type) && item.status === 'applied' && !item.reversalQueued;
}

/** The catalogue key naming an operation's kind. */
export const KIND_KEYS: Readonly<Record<ShiftListItem['type'], MessageKey>> = {
  'receipt.cash': 'staff.operation.receipt_cash',
  'receipt.cheque': 'staff.operation.receipt_cheque',
  preallocation: 'staff.operation.preallocation',
  'card.fee': 'staff.operation.card_fee',
  'card.fee.refund': 'staff.operation.card_fee_refund',
  'anonymous.sell': 'staff.operation.anonymous_sell',
  'anonymous.topup': 'staff.operation.anonymous_topup',
  load: 'staff.operation.load',
  unload: 'staff.operation.unload',
  reversal: 'staff.operation.reversal',
};

/** The order totals are shown in: money taken, then cards, then what went back out. */
const KIND_ORDER = Object.keys(KIND_KEYS) as ShiftListItem['type'][];

export type ShiftTotal = ShiftOperationTotal;

/**
 * The shift's totals by kind, in KIND_KEYS order: the server's (what stands: a reversed operation
 * and its reversal count for nothing) and what this tablet still holds queued, which the server
 * has not seen yet.
 */
export function shiftTotals(server: readonly ShiftTotal[], items: readonly ShiftListItem[]): ShiftTotal[] {
  const totals = new Map<ShiftListItem['type'], ShiftTotal>(server.map((total) => [total.type, { ...total }]));
  for (const item of items) {
    if (item.status !== 'queued') continue;
    const total = totals.get(item.type) ?? { type: item.type, count: 0, amountFen: 0 };
    total.count += 1;
    total.amountFen += item.amountFen;
    totals.set(item.type, total);
  }
  return KIND_ORDER.flatMap((type) => totals.get(type) ?? []);
}

export type ShiftList = {
  items: ShiftListItem[];
  totals: ShiftTotal[];
  /** The server could not be asked (offline): only what this tablet holds queued is listed. */
  offline: boolean;
};

/** The open shift's list as the Shift screen shows it: the server's answer merged with this operator's queue. */
export async function loadShiftOperations(
  deps: { api: ApiClient; outbox: Outbox },
  own: { sessionId: string | null; shiftOpenedAtMs: number },
): Promise<ShiftList> {
  let server: ShiftOperation[] = [];
  let serverTotals: ShiftTotal[] = [];
  let offline = false;
  try {
    ({ operations: server, totals: serverTotals } = await deps.api.call('shiftOperations', { query: {} }));
  } catch {
    offline = true;
  }
  const queued = await deps.outbox.db.outbox.where('status').equals('queued').toArray();
  const items = mergeShiftOperations(server, queued, own);
  return { items, totals: shiftTotals(serverTotals, items), offline };
}
