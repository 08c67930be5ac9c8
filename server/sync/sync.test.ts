import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { LIMITS } from '../limits.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { openTestShift } from '../testing/shifts.ts';
import { creditForLoad, initializeForLoad, openCard, simCard, KIOSK_TERMINAL_ID } from '../testing/sim.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

/** The demo seed's personal customer 张伟 and its unit customer, as the ids the payloads carry. */
async function demoCustomerIds(t: TestApp): Promise<[string, string]> {
  const idOf = async (name: string) =>
    String((await t.db.query<{ id: bigint }>('SELECT id FROM customer WHERE name = $1', [name])).rows[0]!.id);
  return [await idOf('演示客户张伟'), await idOf('演示物流有限公司')];
}

describe(`the sync API on ${testEngine()}`, () => {
  let t: TestApp;
  let zhangWei: string;
  let unit: string;
  beforeAll(async () => {
    t = await openTestApp();
    [zhangWei, unit] = await demoCustomerIds(t);
    // Cash is taken only into the drawer of an open shift (server/shifts/).
    await openTestShift(t.db);
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const op = (seq: number, type: string, payload: unknown, deviceId = 'demo-tablet-1') => ({
    id: randomUUID(),
    deviceId,
    seq,
    type,
    payload,
  });
  const push = (operations: unknown[], headers = t.as.outlet_operator) =>
    t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations }, headers);
  const quota = async (customerId: string) =>
    (
      await t.db.query<{ credits_posted: bigint; debits_posted: bigint }>(
        "SELECT credits_posted, debits_posted FROM account WHERE code = 'QUOTA' AND owner_key = $1",
        [`customer:${customerId}`],
      )
    ).rows.map((r) => r.credits_posted - r.debits_posted)[0];

  it('applies a batch in seq order, once, and returns the first results on a replay', async () => {
    const before = await quota(zhangWei);
    const batch = [
      op(2, 'receipt.cash', { customerId: zhangWei, amountFen: 200 }),
      op(1, 'receipt.cash', { customerId: zhangWei, amountFen: 100 }),
    ];
    const first = await push(batch);
    expect(first.statusCode).toBe(200);
    expect(first.json().results.map((r: { seq: number; status: string }) => [r.seq, r.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    expect(first.json().lastSeq).toBe(2);
    const state = await snapshot(t.db);
    const replay = await push(batch);
    expect(replay.json().results.every((r: { replayed: boolean }) => r.replayed)).toBe(true);
    expect(replay.json().results.map((r: { result: unknown }) => r.result)).toEqual(
      first.json().results.map((r: { result: unknown }) => r.result),
    );
    expect(await snapshot(t.db)).toBe(state);
    expect(await quota(zhangWei)).toBe(before! + 300n);
  });

  it('moves the blacklist and grey list versions a device pulls whenever a card enters or leaves a list, and only then', async () => {
    const lists = async () =>
      (await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [] }, t.kiosk)).json().lists as {
        blacklistVersion: string;
        greylistVersion: string;
      };
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
    const r = await push([
      op(5, 'receipt.cash', { customerId: zhangWei, amountFen: 1 }),
      op(6, 'receipt.cash', { customerId: zhangWei, amountFen: 1 }),
    ]);
    expect(r.json().stopped).toEqual({ seq: 5, reason: 'SEQ_GAP', expectedSeq: 3 });
    expect(r.json().results.map((x: { status: string }) => x.status)).toEqual(['not_applied', 'not_applied']);
    const reused = await push([op(2, 'receipt.cash', { customerId: zhangWei, amountFen: 1 })]);
    expect(reused.json().stopped.reason).toBe('SEQ_CONFLICT');
  });

  it('answers and records a business refusal without blocking what follows', async () => {
    const batch = [
      op(3, 'preallocation', {
        customerId: unit,
        allocations: [
          { cardNo: demoCardNo(2), amountFen: 100 },
          { cardNo: demoCardNo(8), amountFen: 999_999_999 },
        ],
      }),
      op(4, 'preallocation', {
        customerId: unit,
        allocations: [
          { cardNo: demoCardNo(2), amountFen: 100 },
          { cardNo: demoCardNo(8), amountFen: 200 },
        ],
      }),
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
    const r = await push(
      [
        op(1, 'receipt.cash', { customerId: zhangWei, amountFen: 100 }, 'demo-kiosk-1'),
        op(2, 'inquiry', { cardNo: demoCardNo(1) }, 'demo-kiosk-1'),
      ],
      t.kiosk,
    );
    expect(r.json().results.map((x: { error?: { code: string }; status: string }) => x.error?.code ?? x.status)).toEqual([
      'FORBIDDEN',
      'applied',
    ]);
    const foreign = await push([op(3, 'inquiry', { cardNo: demoCardNo(1) }, 'demo-tablet-1')], t.kiosk);
    expect(foreign.statusCode).toBe(403);
    const outOfScope = await push([op(7, 'receipt.cash', { customerId: unit, amountFen: 1 })], t.as.other_city_operator);
    expect(outOfScope.json().error.code).toBe('DEVICE_REQUIRED');
  });

  it('completes a load queued while the kiosk was offline, and pulls the balances behind the cards', async () => {
    const zw = simCard(1, [50_000, 30_000]);
    openCard(zw.card, zw.pin);
    const started = (
      await t.post(
        '/api/v1/loads/initialise',
        {
          operationId: randomUUID(),
          cardNo: zw.cardNo,
          amountFen: 1_000,
          sourceAccount: 'QUOTA',
          terminalId: KIOSK_TERMINAL_ID,
          card: initializeForLoad(zw.card, 1_000),
        },
        t.kiosk,
      )
    ).json();
    const pulled = await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [zw.cardNo, demoCardNo(9)] }, t.kiosk);
    // A card of another city's customer too: cards are read anywhere in the network (docs/architecture.md decision 12).
    expect(pulled.json().cards.map((c: { cardNo: string }) => c.cardNo)).toEqual([zw.cardNo, demoCardNo(9)]);
    expect(pulled.json().pendingLoads).toHaveLength(1);
    const tac = creditForLoad(zw.card, started);
    const r = await push([op(3, 'load.complete', { loadId: started.load.loadId, tac }, 'demo-kiosk-1')], t.kiosk);
    expect(r.json().results[0].result.load.state).toBe('posted');
    const after = await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [zw.cardNo] }, t.kiosk);
    expect(after.json().pendingLoads).toEqual([]);
    expect(after.json().lastSeq).toBe(3);
    expect(after.json().cards[0].accounts.find((a: { code: string }) => a.code === 'PURSE').balanceFen).toBe(
      zw.card.inspect().purse.edBalanceFen,
    );
  });
});

describe(`a push batch on ${testEngine()}: one transaction per chunk of operations that write, a savepoint for each`, () => {
  let t: TestApp;
  let zhangWei: string;
  let unit: string;
  let seq = 0;
  beforeAll(async () => {
    t = await openTestApp();
    [zhangWei, unit] = await demoCustomerIds(t);
    // Cash is taken only into the drawer of an open shift (server/shifts/).
    await openTestShift(t.db);
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  type Result = { id: string; seq: number; status: string; replayed: boolean; result?: Record<string, unknown>; error?: { code: string } };
  const op = (type: string, payload: unknown) => ({ id: randomUUID(), deviceId: 'demo-tablet-1', seq: ++seq, type, payload });
  const push = async (operations: unknown[]) => {
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations }, t.as.outlet_operator);
    expect(r.statusCode).toBe(200);
    return r.json() as { lastSeq: number; results: Result[]; stopped: unknown };
  };
  const quota = async (customerId: string) =>
    (
      await t.db.query<{ credits_posted: bigint; debits_posted: bigint }>(
        "SELECT credits_posted, debits_posted FROM account WHERE code = 'QUOTA' AND owner_key = $1",
        [`customer:${customerId}`],
      )
    ).rows.map((r) => r.credits_posted - r.debits_posted)[0]!;
  const outcome = (r: Result) => r.error?.code ?? r.status;
  const cash = (amountFen: number) => op('receipt.cash', { customerId: zhangWei, amountFen });
  // A fault raised by the database on an audit insert: a deadlock, or a lost connection, as PostgreSQL would report it.
  const injectFault = async (sqlstate: string, onInsertNo: (n: string) => string) => {
    await t.db.exec(`CREATE SEQUENCE fault_seq;
      CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF ${onInsertNo("nextval('fault_seq')")} THEN RAISE EXCEPTION 'injected fault' USING ERRCODE = '${sqlstate}'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER inject_fault BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION inject_fault();`);
  };
  const removeFault = () => t.db.exec('DROP TRIGGER inject_fault ON audit_log; DROP FUNCTION inject_fault(); DROP SEQUENCE fault_seq;');

  it('records a refusal in the middle of a batch and applies the operations on both sides of it', async () => {
    const before = await quota(zhangWei);
    const batch = [
      cash(100),
      op('preallocation', { customerId: unit, allocations: [{ cardNo: demoCardNo(2), amountFen: 999_999_999 }] }),
      cash(200),
    ];
    const r = await push(batch);
    expect(r.results.map(outcome)).toEqual(['applied', 'INSUFFICIENT_FUNDS', 'applied']);
    expect(r.lastSeq).toBe(seq);
    expect(await quota(zhangWei)).toBe(before + 300n);
    const recorded = await t.db.query<{ status: string }>('SELECT status FROM operation WHERE id = ANY($1::uuid[]) ORDER BY seq', [
      batch.map((o) => o.id),
    ]);
    expect(recorded.rows.map((x) => x.status)).toEqual(['applied', 'rejected', 'applied']);
  });

  it('answers a replayed batch that mixes old and new operations: the old with their first results, the new applied once', async () => {
    const old = [
      cash(10),
      op('preallocation', { customerId: unit, allocations: [{ cardNo: demoCardNo(2), amountFen: 999_999_999 }] }),
      op('inquiry', { cardNo: demoCardNo(1) }),
    ];
    const first = await push(old);
    const before = await quota(zhangWei);
    const fresh = [cash(20), op('inquiry', { cardNo: demoCardNo(1) })];
    const mixed = await push([fresh[1], old[2], fresh[0], old[0], old[1]]);
    expect(mixed.results.map((x) => [x.seq, x.replayed, outcome(x)])).toEqual([
      [old[0]!.seq, true, 'applied'],
      [old[1]!.seq, true, 'INSUFFICIENT_FUNDS'],
      [old[2]!.seq, true, 'applied'],
      [fresh[0]!.seq, false, 'applied'],
      [fresh[1]!.seq, false, 'applied'],
    ]);
    expect(mixed.results.slice(0, 3)).toEqual(first.results.map((x) => ({ ...x, replayed: true })));
    expect(mixed.lastSeq).toBe(seq);
    expect(await quota(zhangWei)).toBe(before + 20n);
  });

  it('answers an operation sent twice in one batch once, and the second copy with the first result', async () => {
    const before = await quota(zhangWei);
    const receipt = cash(5);
    const inquiry = op('inquiry', { cardNo: demoCardNo(1) });
    const r = await push([receipt, receipt, inquiry, inquiry]);
    expect(r.results.map((x) => [x.seq, x.replayed, x.status])).toEqual([
      [receipt.seq, false, 'applied'],
      [receipt.seq, true, 'applied'],
      [inquiry.seq, false, 'applied'],
      [inquiry.seq, true, 'applied'],
    ]);
    expect(r.results[3]!.result).toEqual(r.results[2]!.result);
    expect(await quota(zhangWei)).toBe(before + 5n);
  });

  it('answers each inquiry of a run as of its place in the batch, with refusals for unknown and malformed cards', async () => {
    const cardNo = demoCardNo(2);
    const reserve = (x: Result) =>
      (x.result!.accounts as Array<{ code: string; balanceFen: number }>).find((a) => a.code === 'RESERVE')?.balanceFen ?? 0;
    const r = await push([
      op('inquiry', { cardNo }),
      op('inquiry', { cardNo: '9'.repeat(20) }),
      op('inquiry', { cardNo: 'not a card' }),
      op('preallocation', { customerId: unit, allocations: [{ cardNo, amountFen: 700 }] }),
      op('inquiry', { cardNo }),
      op('inquiry', { cardNo: demoCardNo(1) }),
    ]);
    expect(r.results.map(outcome)).toEqual(['applied', 'CARD_NOT_FOUND', 'INVALID_REQUEST', 'applied', 'applied', 'applied']);
    expect(reserve(r.results[4]!)).toBe(reserve(r.results[0]!) + 700);
    const alone = await push([op('inquiry', { cardNo: demoCardNo(1) })]);
    expect(alone.results[0]!.result).toEqual(r.results[5]!.result);
  });

  it("answers an inquiry about a card of another city's customer: a card is read at any kiosk of the network", async () => {
    const inquiry = (kioskSeq: number, cardNo: string) => ({
      id: randomUUID(),
      deviceId: 'demo-kiosk-1',
      seq: kioskSeq,
      type: 'inquiry',
      payload: { cardNo },
    });
    const r = await t.post(
      '/api/v1/sync/push',
      { contractVersion: CONTRACT_VERSION, operations: [inquiry(1, demoCardNo(1)), inquiry(2, demoCardNo(9)), inquiry(3, demoCardNo(1))] },
      t.kiosk,
    );
    expect(r.json().results.map((x: Result) => outcome(x))).toEqual(['applied', 'applied', 'applied']);
  });

  it('retries a batch hit by a deadlock in its middle and applies every operation once', async () => {
    const before = await quota(zhangWei);
    await injectFault('40P01', (n) => `${n} = 2`);
    try {
      const r = await push([cash(1), cash(2), op('inquiry', { cardNo: demoCardNo(1) }), cash(4)]);
      expect(r.results.map((x) => [x.replayed, x.status])).toEqual(Array(4).fill([false, 'applied']));
    } finally {
      await removeFault();
    }
    expect(await quota(zhangWei)).toBe(before + 7n);
  });

  // The transaction that wrote a row is its xmin: the records of one chunk share theirs.
  const transactionsOf = async (ids: string[]) =>
    Number(
      (await t.db.query<{ n: bigint }>('SELECT count(DISTINCT xmin::text) AS n FROM operation WHERE id = ANY($1::uuid[])', [ids])).rows[0]!
        .n,
    );

  it('commits a batch with more operations that write than savepoints allowed in one transaction in several, and applies each once', async () => {
    const before = await quota(zhangWei);
    const count = LIMITS.pushSavepointCountMax + 10;
    // Inquiries take no savepoint: they ride along in whichever chunk reaches them.
    const batch = Array.from({ length: count }, (_, i) => (i % 10 === 9 ? op('inquiry', { cardNo: demoCardNo(1) }) : cash(1)));
    const writes = batch.filter((o) => o.type === 'receipt.cash');
    expect(writes.length).toBeGreaterThan(LIMITS.pushSavepointCountMax);
    const r = await push(batch);
    expect(r.results.map((x) => [x.seq, x.status, x.replayed])).toEqual(batch.map((o) => [o.seq, 'applied', false]));
    expect(r).toMatchObject({ lastSeq: seq, stopped: null });
    expect(await quota(zhangWei)).toBe(before + BigInt(writes.length));
    expect(await transactionsOf(batch.map((o) => o.id))).toBe(2);
    const replay = await push(batch);
    expect(replay.results).toEqual(r.results.map((x) => ({ ...x, replayed: true })));
    expect(await quota(zhangWei)).toBe(before + BigInt(writes.length));
  });

  it('keeps the chunks a long batch committed when a later one fails for good, and answers them from their records when it is sent again', async () => {
    const before = await quota(zhangWei);
    const batch = Array.from({ length: LIMITS.pushSavepointCountMax + 4 }, () => cash(1));
    // The second chunk's second receipt fails for good (a lost connection is not retried).
    await injectFault('08006', (n) => `${n} = ${LIMITS.pushSavepointCountMax + 2}`);
    try {
      const failed = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: batch }, t.as.outlet_operator);
      expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      await removeFault();
    }
    expect(await quota(zhangWei)).toBe(before + BigInt(LIMITS.pushSavepointCountMax));
    const again = await push(batch);
    expect(again.results.map((x) => x.replayed)).toEqual(batch.map((_, i) => i < LIMITS.pushSavepointCountMax));
    expect(again.results.every((x) => x.status === 'applied')).toBe(true);
    expect(again.lastSeq).toBe(seq);
    expect(await quota(zhangWei)).toBe(before + BigInt(batch.length));
  });

  it('leaves nothing of a batch applied when it fails in the middle for good, and applies it whole when sent again', async () => {
    const before = await quota(zhangWei);
    const state = await snapshot(t.db);
    const batch = [cash(1), cash(2), op('inquiry', { cardNo: demoCardNo(1) }), cash(4)];
    await injectFault('08006', (n) => `${n} = 2`);
    try {
      const failed = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: batch }, t.as.outlet_operator);
      expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      await removeFault();
    }
    expect(await snapshot(t.db)).toBe(state);
    const again = await push(batch);
    expect(again.results.map((x) => [x.replayed, x.status])).toEqual(Array(4).fill([false, 'applied']));
    expect(await quota(zhangWei)).toBe(before + 7n);
  });
});
