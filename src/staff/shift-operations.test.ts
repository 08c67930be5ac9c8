import { describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../lib/device-db/database.ts';
import { mayReverse, mergeShiftOperations, shiftTotals, type ShiftListItem } from './shift-operations.ts';

const SESSION = '0190b2a4-7c1e-7000-8000-000000000001';
const maker = (sessionId = SESSION) => ({ sessionId, madeAt: '2026-12-07T10:00:00.000Z', proof: '0'.repeat(64) });
const queued = (id: string, type: OutboxRecord['type'], payload: unknown, createdAtMs: number, sessionId = SESSION): OutboxRecord =>
  ({ id, seq: 1, type, payload, status: 'queued', attemptCount: 0, createdAtMs, maker: maker(sessionId) }) as OutboxRecord;

describe("the shift's list of money operations", () => {
  it('merges the server list with what this operator still holds queued, newest first, with queued reversals marked', () => {
    const server = [
      {
        operationId: 'a0000000-0000-7000-8000-000000000001',
        deviceId: 'demo-tablet-1',
        type: 'receipt.cash' as const,
        madeAt: '2026-12-07T09:00:00.000Z',
        customerId: '7',
        customerName: '张三',
        cardNo: null,
        amountFen: 50_000,
        status: 'applied' as const,
        late: false,
        reverses: null,
      },
      {
        operationId: 'f0000000-0000-7000-8000-000000000006',
        deviceId: 'demo-tablet-1',
        type: 'load' as const,
        madeAt: '2026-12-07T08:30:00.000Z',
        customerId: '7',
        customerName: '张三',
        cardNo: '1000320000000001',
        amountFen: 4_000,
        status: 'applied' as const,
        late: false,
        reverses: null,
      },
    ];
    const t = Date.parse('2026-12-07T09:30:00.000Z');
    const outbox = [
      queued(
        'b0000000-0000-7000-8000-000000000002',
        'preallocation',
        {
          customerId: '8',
          allocations: [
            { cardNo: '1', amountFen: 100 },
            { cardNo: '2', amountFen: 200 },
          ],
        },
        t,
      ),
      queued(
        'c0000000-0000-7000-8000-000000000003',
        'reversal',
        { operationId: 'A0000000-0000-7000-8000-000000000001', reason: 'x' },
        t + 1,
      ),
      // Another operator's, and one made before the shift opened: not this shift's.
      queued(
        'd0000000-0000-7000-8000-000000000004',
        'receipt.cash',
        { customerId: '9', amountFen: 1 },
        t,
        '0190b2a4-7c1e-7000-8000-000000000009',
      ),
      queued(
        'e0000000-0000-7000-8000-000000000005',
        'receipt.cash',
        { customerId: '9', amountFen: 1 },
        Date.parse('2026-12-07T07:00:00.000Z'),
      ),
    ];
    const items = mergeShiftOperations(server, outbox, { sessionId: SESSION, shiftOpenedAtMs: Date.parse('2026-12-07T08:00:00.000Z') });
    expect(items.map((i) => [i.operationId.slice(0, 1), i.status, i.amountFen, i.reversalQueued])).toEqual([
      ['b', 'queued', 300, false],
      ['a', 'applied', 50_000, true],
      ['f', 'applied', 4_000, false],
    ]);
    expect(items.map((i) => i.deviceId)).toEqual([null, 'demo-tablet-1', 'demo-tablet-1']);
    expect(items.map((i) => i.cardNo)).toEqual([null, null, '1000320000000001']);
    // A load is undone on the card (an unload), never by a reversal.
    expect(mayReverse(items[2]!)).toBe(false);
    // A reversal already queued, or one still queued itself, is not offered again; who may reverse is the server's rule.
    expect(mayReverse(items[1]!)).toBe(false);
    expect(mayReverse({ ...items[1]!, reversalQueued: false })).toBe(true);
    expect(mayReverse({ ...items[1]!, status: 'reversed', reversalQueued: false })).toBe(false);
    expect(mayReverse(items[0]!)).toBe(false);
  });

  it("totals by kind as the server added them up, with what is still queued here folded in, in the kinds' order", () => {
    const item = (type: ShiftListItem['type'], amountFen: number, status: ShiftListItem['status']): ShiftListItem => ({
      operationId: `${type}-${amountFen}-${status}`,
      deviceId: 'demo-tablet-1',
      type,
      madeAtMs: 0,
      customerId: '7',
      customerName: '张三',
      cardNo: null,
      amountFen,
      status,
      reversalQueued: false,
      late: false,
    });
    const server = [
      { type: 'unload' as const, count: 1, amountFen: -1_500 },
      { type: 'receipt.cash' as const, count: 1, amountFen: 50_000 },
      { type: 'card.fee' as const, count: 2, amountFen: 2_200 },
    ];
    const totals = shiftTotals(server, [
      // Listed by the server: already in its totals, whatever their status.
      item('receipt.cash', 50_000, 'applied'),
      item('receipt.cash', 8_800, 'reversed'),
      // Still queued here: counted on top.
      item('receipt.cash', 1, 'queued'),
      item('preallocation', 300, 'queued'),
    ]);
    expect(totals).toEqual([
      { type: 'receipt.cash', count: 2, amountFen: 50_001 },
      { type: 'preallocation', count: 1, amountFen: 300 },
      { type: 'card.fee', count: 2, amountFen: 2_200 },
      { type: 'unload', count: 1, amountFen: -1_500 },
    ]);
    // The server's figures are not changed in place.
    expect(server[1]).toEqual({ type: 'receipt.cash', count: 1, amountFen: 50_000 });
    expect(shiftTotals([], [])).toEqual([]);
  });
});
