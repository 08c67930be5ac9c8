import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { creditForLoad, initializeForLoad, openCard, simCard, KIOSK_TERMINAL_ID } from '../testing/sim.ts';

describe(`the sync API on ${testEngine()}`, () => {
  let t: TestApp;
  let zhangWei: string;
  let unit: string;
  beforeAll(async () => {
    t = await openTestApp();
    zhangWei = String((await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'")).rows[0]!.id);
    unit = String((await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示物流有限公司'")).rows[0]!.id);
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const op = (seq: number, type: string, payload: unknown, deviceId = 'demo-tablet-1') => ({ id: randomUUID(), deviceId, seq, type, payload });
  const push = (operations: unknown[], headers = t.as.outlet_operator) => t.post('/api/v1/sync/push', { operations }, headers);
  const quota = async (customerId: string) =>
    (await t.db.query<{ credits_posted: bigint; debits_posted: bigint }>("SELECT credits_posted, debits_posted FROM account WHERE code = 'QUOTA' AND owner_key = $1", [`customer:${customerId}`])).rows.map((r) => r.credits_posted - r.debits_posted)[0];

  it('applies a batch in seq order, once, and returns the first results on a replay', async () => {
    const before = await quota(zhangWei);
    const batch = [op(2, 'receipt.cash', { customerId: zhangWei, amountFen: 200 }), op(1, 'receipt.cash', { customerId: zhangWei, amountFen: 100 })];
    const first = await push(batch);
    expect(first.statusCode).toBe(200);
    expect(first.json().results.map((r: { seq: number; status: string }) => [r.seq, r.status])).toEqual([[1, 'applied'], [2, 'applied']]);
    expect(first.json().lastSeq).toBe(2);
    const state = await snapshot(t.db);
    const replay = await push(batch);
    expect(replay.json().results.every((r: { replayed: boolean }) => r.replayed)).toBe(true);
    expect(replay.json().results.map((r: { result: unknown }) => r.result)).toEqual(first.json().results.map((r: { result: unknown }) => r.result));
    expect(await snapshot(t.db)).toBe(state);
    expect(await quota(zhangWei)).toBe(before! + 300n);
  });

  it('moves the blacklist and grey list versions a device pulls whenever a card enters or leaves a list, and only then', async () => {
    const lists = async () => (await t.post('/api/v1/sync/pull', { cardNos: [] }, t.kiosk)).json().lists as { blacklistVersion: string; greylistVersion: string };
    const card = demoCardNo(5);
    const start = await lists();
    await t.db.query('UPDATE card SET online_ttc_seen = coalesce(online_ttc_seen, 0) + 1 WHERE card_no = $1', [card]);
    expect(await lists()).toEqual(start);
    await t.db.query("UPDATE card SET state = 'lost' WHERE card_no = $1", [card]);
    const lost = await lists();
    expect(BigInt(lost.blacklistVersion)).toBe(BigInt(start.blacklistVersion) + 1n);
    expect(lost.greylistVersion).toBe(start.greylistVersion);
    await t.db.query("UPDATE card SET state = 'blacklisted' WHERE card_no = $1", [card]);
    expect(await lists()).toEqual(lost);
    await t.db.query("UPDATE card SET state = 'active', grey = true WHERE card_no = $1", [card]);
    const grey = await lists();
    expect(BigInt(grey.blacklistVersion)).toBe(BigInt(lost.blacklistVersion) + 1n);
    expect(BigInt(grey.greylistVersion)).toBe(BigInt(start.greylistVersion) + 1n);
    await t.db.query('UPDATE card SET grey = false WHERE card_no = $1', [card]);
    expect(BigInt((await lists()).greylistVersion)).toBe(BigInt(grey.greylistVersion) + 1n);
  });

  it('stops a batch at a gap in seq and applies nothing after it', async () => {
    const r = await push([op(5, 'receipt.cash', { customerId: zhangWei, amountFen: 1 }), op(6, 'receipt.cash', { customerId: zhangWei, amountFen: 1 })]);
    expect(r.json().stopped).toEqual({ seq: 5, reason: 'SEQ_GAP', expectedSeq: 3 });
    expect(r.json().results.map((x: { status: string }) => x.status)).toEqual(['not_applied', 'not_applied']);
    const reused = await push([op(2, 'receipt.cash', { customerId: zhangWei, amountFen: 1 })]);
    expect(reused.json().stopped.reason).toBe('SEQ_CONFLICT');
  });

  it('answers and records a business refusal without blocking what follows', async () => {
    const batch = [
      op(3, 'preallocation', { customerId: unit, allocations: [{ cardNo: demoCardNo(2), amountFen: 100 }, { cardNo: demoCardNo(8), amountFen: 999_999_999 }] }),
      op(4, 'preallocation', { customerId: unit, allocations: [{ cardNo: demoCardNo(2), amountFen: 100 }, { cardNo: demoCardNo(8), amountFen: 200 }] }),
      op(5, 'receipt.cash', { customerId: zhangWei, amountFen: 'lots' }),
      op(6, 'inquiry', { cardNo: demoCardNo(1) }),
    ];
    const r = await push(batch);
    const results = r.json().results as Array<{ status: string; error?: { code: string }; result?: { transferIds?: string[] } }>;
    expect(results.map((x) => x.error?.code ?? x.status)).toEqual(['INSUFFICIENT_FUNDS', 'applied', 'INVALID_REQUEST', 'applied']);
    expect(results[1]!.result!.transferIds).toHaveLength(2);
    expect(r.json().lastSeq).toBe(6);
    const again = await push([batch[0]]);
    expect(again.json().results[0]).toMatchObject({ status: 'rejected', replayed: true, error: { code: 'INSUFFICIENT_FUNDS' } });
  });

  it('refuses cash handling from a kiosk as a result, and operations of another device as a whole', async () => {
    const r = await push([op(1, 'receipt.cash', { customerId: zhangWei, amountFen: 100 }, 'demo-kiosk-1'), op(2, 'inquiry', { cardNo: demoCardNo(1) }, 'demo-kiosk-1')], t.kiosk);
    expect(r.json().results.map((x: { error?: { code: string }; status: string }) => x.error?.code ?? x.status)).toEqual(['FORBIDDEN', 'applied']);
    const foreign = await push([op(3, 'inquiry', { cardNo: demoCardNo(1) }, 'demo-tablet-1')], t.kiosk);
    expect(foreign.statusCode).toBe(403);
    const outOfScope = await push([op(7, 'receipt.cash', { customerId: unit, amountFen: 1 })], t.as.other_city_operator);
    expect(outOfScope.json().error.code).toBe('DEVICE_REQUIRED');
  });

  it('completes a load queued while the kiosk was offline, and pulls the balances behind the cards', async () => {
    const zw = simCard(1, [50_000, 30_000]);
    openCard(zw.card, zw.pin);
    const started = (await t.post('/api/v1/loads/initialise', { operationId: randomUUID(), cardNo: zw.cardNo, amountFen: 1_000, sourceAccount: 'QUOTA', terminalId: KIOSK_TERMINAL_ID, card: initializeForLoad(zw.card, 1_000) }, t.kiosk)).json();
    const pulled = await t.post('/api/v1/sync/pull', { cardNos: [zw.cardNo, demoCardNo(9)] }, t.kiosk);
    expect(pulled.json().cards.map((c: { cardNo: string }) => c.cardNo)).toEqual([zw.cardNo]);
    expect(pulled.json().pendingLoads).toHaveLength(1);
    const tac = creditForLoad(zw.card, started);
    const r = await push([op(3, 'load.complete', { loadId: started.load.loadId, tac }, 'demo-kiosk-1')], t.kiosk);
    expect(r.json().results[0].result.load.state).toBe('posted');
    const after = await t.post('/api/v1/sync/pull', { cardNos: [zw.cardNo] }, t.kiosk);
    expect(after.json().pendingLoads).toEqual([]);
    expect(after.json().lastSeq).toBe(3);
    expect(after.json().cards[0].accounts.find((a: { code: string }) => a.code === 'PURSE').balanceFen).toBe(zw.card.inspect().purse.edBalanceFen);
  });
});
