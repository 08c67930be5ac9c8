import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase } from '../device-db/database.ts';
import { Outbox, OutboxError, type PushOperation, type PushTransport, type PushVerdict } from './outbox.ts';
import { OPERATION_ID } from './ids.ts';

let dbCount = 0;
/** The i-th card number, for payloads that must differ (the outbox never looks inside them). */
const cardNo = (i = 0): string => String(i).padStart(20, '0');
/** A customer id of the contract's shape, for cash receipts. */
const CUSTOMER_ID = '7';
function freshOutbox(): Outbox {
  return new Outbox(new DeviceDatabase(`outbox-test-${++dbCount}`));
}

/** A server that applies each id once and answers the first result on a replay. */
function fakeServer(options: { reject?: (op: PushOperation) => string | undefined } = {}) {
  const applied = new Map<string, PushVerdict>();
  const calls: PushOperation[][] = [];
  const push: PushTransport = async (_deviceId, operations) => {
    calls.push(operations);
    return operations.map((op) => {
      const first = applied.get(op.id);
      if (first) return first;
      const code = options.reject?.(op);
      const verdict: PushVerdict = code
        ? { id: op.id, outcome: 'rejected', code }
        : { id: op.id, outcome: 'applied', result: { seq: op.seq } };
      applied.set(op.id, verdict);
      return verdict;
    });
  };
  return { push, applied, calls };
}

describe('the outbox', () => {
  it('gives every operation a device-made id and a dense sequence number before anything is sent', async () => {
    const outbox = freshOutbox();
    const a = await outbox.enqueue('inquiry', { cardNo: '1' });
    const b = await outbox.enqueue('receipt.cash', { customerId: CUSTOMER_ID, amountFen: 100 });
    expect(a.id).toMatch(OPERATION_ID);
    expect(b.id).not.toBe(a.id);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(await outbox.queuedCount()).toBe(2);
    expect((await outbox.get(a.id))?.status).toBe('queued');
  });

  it("types each operation's payload by the contract's schema for its type", async () => {
    const outbox = freshOutbox();
    const receipt = await outbox.enqueue('receipt.cash', { customerId: CUSTOMER_ID, amountFen: 100 });
    // The record keeps its type: its payload reads as a cash receipt's without a cast.
    expect(receipt.payload.amountFen).toBe(100);
    const refused = async () => {
      // @ts-expect-error an inquiry names a card, not an amount
      await outbox.enqueue('inquiry', { amountFen: 100 });
      // @ts-expect-error no such operation type in the contract
      await outbox.enqueue('cash_receipt', { customerId: CUSTOMER_ID, amountFen: 100 });
      // @ts-expect-error a load's proof needs its TAC
      await outbox.enqueue('load.complete', { loadId: '01890000-0000-7000-8000-000000000000' });
    };
    expect(refused).toBeTypeOf('function'); // checked by the compiler, never run
  });

  it('keeps the queue across a reload (a new Outbox over the same database)', async () => {
    const name = `outbox-reload-${++dbCount}`;
    const first = new Outbox(new DeviceDatabase(name));
    await first.enqueue('inquiry', { cardNo: cardNo() });
    first.db.close();
    const second = new Outbox(new DeviceDatabase(name));
    expect(await second.queuedCount()).toBe(1);
    const next = await second.enqueue('inquiry', { cardNo: cardNo() });
    expect(next.seq).toBe(2);
  });

  it('drains in sequence order and settles each operation from the server answer', async () => {
    const outbox = freshOutbox();
    for (let i = 0; i < 5; i++) await outbox.enqueue('inquiry', { cardNo: cardNo(i) });
    const server = fakeServer();
    const report = await outbox.drain('kiosk-1', server.push);
    expect(report).toMatchObject({ sentCount: 5, appliedCount: 5, rejectedCount: 0, remainingCount: 0, networkFailed: false });
    expect(server.calls[0]!.map((op) => op.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('records a business rejection as an answer and goes on with what follows', async () => {
    const outbox = freshOutbox();
    const bad = await outbox.enqueue('receipt.cash', { customerId: CUSTOMER_ID, amountFen: -1 });
    const good = await outbox.enqueue('receipt.cash', { customerId: CUSTOMER_ID, amountFen: 100 });
    const server = fakeServer({ reject: (op) => (op.id === bad.id ? 'AMOUNT_INVALID' : undefined) });
    const report = await outbox.drain('kiosk-1', server.push);
    expect(report).toMatchObject({ appliedCount: 1, rejectedCount: 1, remainingCount: 0 });
    expect(await outbox.get(bad.id)).toMatchObject({ status: 'rejected', errorCode: 'AMOUNT_INVALID' });
    expect((await outbox.get(good.id))?.status).toBe('applied');
  });

  it('keeps everything queued when the network fails, and sends the same ids again later', async () => {
    const outbox = freshOutbox();
    const op = await outbox.enqueue('inquiry', { cardNo: cardNo() });
    const report = await outbox.drain('kiosk-1', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(report).toMatchObject({ networkFailed: true, remainingCount: 1 });
    const server = fakeServer();
    await outbox.drain('kiosk-1', server.push);
    expect(server.calls[0]![0]!.id).toBe(op.id);
    expect((await outbox.get(op.id))?.attemptCount).toBe(2);
  });

  it('settles an operation once even when the answer is lost and the server sees it twice', async () => {
    const outbox = freshOutbox();
    const op = await outbox.enqueue('receipt.cash', { customerId: CUSTOMER_ID, amountFen: 500 });
    const server = fakeServer();
    // First send reaches the server but the answer is lost on the way back.
    await outbox.drain('kiosk-1', async (d, ops) => {
      await server.push(d, ops);
      throw new TypeError('connection reset');
    });
    expect(await outbox.queuedCount()).toBe(1);
    await outbox.drain('kiosk-1', server.push);
    expect(server.applied.size).toBe(1);
    expect((await outbox.get(op.id))?.status).toBe('applied');
  });

  it('leaves operations the server did not look at queued, and ignores answers for ids it never sent', async () => {
    const outbox = freshOutbox();
    const a = await outbox.enqueue('inquiry', { cardNo: cardNo() });
    const b = await outbox.enqueue('inquiry', { cardNo: cardNo() });
    const report = await outbox.drain('kiosk-1', async () => [
      { id: a.id, outcome: 'applied', result: null },
      { id: b.id, outcome: 'retry' },
      { id: '01890000-0000-7000-8000-000000000000', outcome: 'applied', result: null },
    ]);
    expect(report).toMatchObject({ appliedCount: 1, remainingCount: 1 });
    expect((await outbox.get(b.id))?.status).toBe('queued');
  });

  it('shares one drain between concurrent callers', async () => {
    const outbox = freshOutbox();
    await outbox.enqueue('inquiry', { cardNo: cardNo() });
    const server = fakeServer();
    const [x, y] = await Promise.all([outbox.drain('kiosk-1', server.push), outbox.drain('kiosk-1', server.push)]);
    expect(x).toBe(y);
    expect(server.calls).toHaveLength(1);
  });

  it('drains more than one batch', async () => {
    const outbox = freshOutbox();
    for (let i = 0; i < 250; i++) await outbox.enqueue('inquiry', { cardNo: cardNo(i) });
    const server = fakeServer();
    const report = await outbox.drain('kiosk-1', server.push);
    expect(report.appliedCount).toBe(250);
    expect(server.calls.map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('sends one batch at a time, in seq order, while writing the answers to the one before', async () => {
    const outbox = freshOutbox();
    for (let i = 0; i < 250; i++) await outbox.enqueue('inquiry', { cardNo: cardNo(i) });
    const server = fakeServer();
    let inFlight = 0;
    let inFlightMax = 0;
    const report = await outbox.drain('kiosk-1', async (deviceId, operations) => {
      inFlightMax = Math.max(inFlightMax, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return server.push(deviceId, operations);
    });
    expect(report).toMatchObject({ sentCount: 250, appliedCount: 250, remainingCount: 0 });
    expect(inFlightMax).toBe(1);
    expect(server.calls.flat().map((op) => op.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect((await outbox.db.outbox.toArray()).every((r) => r.status === 'applied' && r.attemptCount === 1)).toBe(true);
  });

  it('sends in the same drain what was queued while its last batch was on the wire', async () => {
    const outbox = freshOutbox();
    await outbox.enqueue('inquiry', { cardNo: cardNo(1) });
    const server = fakeServer();
    let late: Promise<unknown> | undefined;
    const report = await outbox.drain('kiosk-1', async (deviceId, operations) => {
      late ??= outbox.enqueue('inquiry', { cardNo: cardNo(2) });
      await late;
      return server.push(deviceId, operations);
    });
    expect(report).toMatchObject({ sentCount: 2, appliedCount: 2, remainingCount: 0 });
    expect(server.calls.map((c) => c.map((op) => op.seq))).toEqual([[1], [2]]);
  });

  it('sends again first what the server did not look at, then goes on', async () => {
    const outbox = freshOutbox();
    for (let i = 0; i < 150; i++) await outbox.enqueue('inquiry', { cardNo: cardNo(i) });
    const server = fakeServer();
    let first = true;
    const report = await outbox.drain('kiosk-1', async (deviceId, operations) => {
      if (!first) return server.push(deviceId, operations);
      first = false;
      // Stopped at seq 41, as after a gap: the rest of the batch is not applied.
      const answered = await server.push(deviceId, operations.slice(0, 40));
      return [...answered, ...operations.slice(40).map((op) => ({ id: op.id, outcome: 'retry' as const }))];
    });
    expect(report).toMatchObject({ appliedCount: 150, remainingCount: 0 });
    expect(server.calls.map((c) => [c[0]!.seq, c.length])).toEqual([
      [1, 40],
      [41, 100],
      [141, 10],
    ]);
  });

  it('prunes only settled operations past the retention', async () => {
    const outbox = freshOutbox();
    await outbox.enqueue('inquiry', { cardNo: cardNo() });
    await outbox.drain('kiosk-1', fakeServer().push);
    const queued = await outbox.enqueue('inquiry', { cardNo: cardNo() });
    expect(await outbox.prune(Date.now() + 31 * 24 * 3600 * 1000)).toBe(1);
    expect(await outbox.get(queued.id)).toBeDefined();
  });

  it('refuses to continue from a corrupted sequence counter', async () => {
    const outbox = freshOutbox();
    await outbox.db.settings.put({ key: 'outbox.nextSeq', value: 'seven' });
    await expect(outbox.enqueue('inquiry', { cardNo: cardNo() })).rejects.toBeInstanceOf(OutboxError);
  });
});
