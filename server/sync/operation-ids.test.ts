/**
 * Operation ids are each device's own (found by the fault simulation's on-path adversary): a
 * device that sees another's request on the wire and sends its operation id first, from its own
 * account, neither refuses that operation nor stops its device's queue.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { initializeForLoad, openCard, simCard, KIOSK_TERMINAL_ID, TABLET_TERMINAL_ID } from '../testing/sim.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

describe(`operation ids per device on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const nextSeq = async (deviceId: string) => {
    const head = await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId]);
    return Number(head.rows[0]?.last_seq ?? 0n) + 1;
  };
  const push = async (deviceId: string, headers: Headers, ops: Array<{ id: string; seq: number }>) => {
    const operations = ops.map((op) => ({ ...op, deviceId, type: 'inquiry', payload: { cardNo: demoCardNo(1) } }));
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations }, headers);
    expect(r.statusCode).toBe(200);
    return r.json() as {
      lastSeq: number;
      results: Array<{ status: string; replayed: boolean; error?: { code: string } }>;
      stopped: unknown;
    };
  };

  it("applies a device's pushed operation whose id another device pushed first, and its queue goes on", async () => {
    const seen = randomUUID();
    const kioskSeq = await nextSeq('demo-kiosk-1');
    // The other device gets the kiosk's operation id off the wire and pushes it first as its own.
    const stolen = await push('demo-tablet-1', t.as.outlet_operator, [{ id: seen, seq: await nextSeq('demo-tablet-1') }]);
    expect(stolen.results[0]).toMatchObject({ status: 'applied' });
    const honest = await push('demo-kiosk-1', t.kiosk, [
      { id: seen, seq: kioskSeq },
      { id: randomUUID(), seq: kioskSeq + 1 },
    ]);
    expect(honest.results.map((r) => [r.status, r.replayed])).toEqual([
      ['applied', false],
      ['applied', false],
    ]);
    expect(honest).toMatchObject({ lastSeq: kioskSeq + 1, stopped: null });
    // Each device's retry gets its own first answer back.
    expect((await push('demo-kiosk-1', t.kiosk, [{ id: seen, seq: kioskSeq }])).results[0]).toMatchObject({
      status: 'applied',
      replayed: true,
    });
  });

  it("initialises a load whose operation id another device used first, instead of answering that device's result", async () => {
    const zw = simCard(1, [50_000, 30_000]);
    openCard(zw.card, zw.pin);
    const operationId = randomUUID();
    const body = (terminalId: string) => ({
      operationId,
      cardNo: zw.cardNo,
      amountFen: 100,
      sourceAccount: 'QUOTA',
      terminalId,
      card: initializeForLoad(zw.card, 100, terminalId),
    });
    const first = await t.post('/api/v1/loads/initialise', body(TABLET_TERMINAL_ID), t.as.outlet_operator);
    expect(first.statusCode).toBe(200);
    openCard(zw.card, zw.pin);
    // Not the tablet's answer replayed (IDEMPOTENCY_CONFLICT before): this kiosk's own request is
    // judged on its own (here the tablet's load is pending at the counter).
    const second = await t.post('/api/v1/loads/initialise', body(KIOSK_TERMINAL_ID), t.kiosk);
    expect(second.json().error?.code).toBe('LOAD_PENDING');
  });
});
