import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCard, type DemoCard, type DemoCardId } from '../../ccid/sim/demo/cards.ts';
import { toHex } from '../../ccid/bytes.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../../server/testing/app.ts';
import { httpPush } from '../../src/lib/sync/push.ts';
import { openCard, type StaffCard } from '../../src/staff/open-card.ts';
import { STAFF_ERROR, StaffError } from '../../src/staff/errors.ts';
import { runUnload } from '../../src/staff/unload.ts';
import { HttpKioskBackend } from '../../src/kiosk/http-backend.ts';
import { KioskController } from '../../src/kiosk/controller.ts';
import type { StaffBackend } from '../../src/staff/backend.ts';
import { injectFetch, staffRig, type Rig } from '../../src/staff/testing/rig.ts';

const INS_DEBIT_FOR_UNLOAD = 0x54;
// PGlite, the demo seed (scrypt password hashes) and the operators' sign-ins take about ten
// seconds: one server for the file, and one chip per demo card that lives as long as the server,
// so that chip and ledger agree from test to test (each test leaves nothing pending).
const SETUP_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 30_000;

type Tap = (path: string, deliver: () => Promise<Response>) => Promise<Response>;

type Accounts = { QUOTA: number; RESERVE: number; PURSE: number };

function cardNoOf(demo: DemoCard): string {
  return toHex(demo.asn);
}

function purseOf(demo: DemoCard): number {
  return demo.card.inspect().purse.edBalanceFen;
}

/** Answers of unload initialise lost on the way back, `count` times, after the server acted. */
function losingInitialiseAnswers(count: number): Tap {
  let lost = 0;
  return async (path, deliver) => {
    const answer = await deliver();
    if (path.endsWith('/unloads/initialise') && lost++ < count) throw new TypeError('connection reset after the server answered');
    return answer;
  };
}

async function accounts(t: TestApp, cardNo: string): Promise<Accounts> {
  const r = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: t.as.outlet_operator });
  expect(r.statusCode).toBe(200);
  const list = r.json().accounts as Array<{ code: string; balanceFen: number }>;
  const of = (code: string) => list.find((a) => a.code === code)?.balanceFen ?? 0;
  return { QUOTA: of('QUOTA'), RESERVE: of('RESERVE'), PURSE: of('PURSE') };
}

async function unloadsOf(t: TestApp, cardNo: string): Promise<Array<{ state: string; settled_by: string | null; amount_fen: bigint }>> {
  const rows = await t.db.query<{ state: string; settled_by: string | null; amount_fen: bigint }>(
    "SELECT state, settled_by, amount_fen FROM card_load WHERE card_no = $1 AND kind = 'unload' ORDER BY created_at",
    [cardNo],
  );
  return rows.rows;
}

/** The money: what a duplicate message must leave exactly as it was. */
async function ledgerRows(t: TestApp): Promise<string> {
  const parts: string[] = [];
  for (const table of ['account', 'transfer', 'card_load']) {
    const rows = await t.db.query(`SELECT * FROM ${table} ORDER BY 1`);
    parts.push(JSON.stringify(rows.rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
  return parts.join('\n');
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A kiosk of the demo (its own device, IndexedDB and reader) running the real KioskController. One
 * per server: a second would number its outbox from 1 again under the same device id.
 */
async function kioskRig(t: TestApp) {
  const base = await staffRig(t, { who: 'kiosk' });
  const backend = new HttpKioskBackend({ api: base.api, outbox: base.outbox, sync: base.sync });
  const controller = new KioskController({
    reader: base.reader,
    backend,
    db: base.db,
    terminalId: base.deps.terminalId,
    idleTimeoutMs: 60_000,
  });
  return {
    control: base.control,
    controller,
    sync: base.sync,
    async close() {
      controller.dispose();
      await base.close();
    },
  };
}
type KioskRig = Awaited<ReturnType<typeof kioskRig>>;

async function rejection(work: Promise<unknown>): Promise<StaffError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StaffError);
  return error as StaffError;
}

describe('the unload (圈提) at the outlet tablet, against the real server', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let rig: Rig;
  let tap: Tap | null = null;
  let kioskRigShared: KioskRig | null = null;
  const kioskOf = async (): Promise<KioskRig> => (kioskRigShared ??= await kioskRig(t));
  const chips = new Map<DemoCardId, DemoCard>();
  const chip = (id: DemoCardId): DemoCard => chips.get(id) ?? chips.set(id, createDemoCard(id)).get(id)!;

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t, { fetch: injectFetch(t.app, (path, deliver) => (tap ? tap(path, deliver) : deliver())) });
  }, SETUP_TIMEOUT_MS);

  afterEach(async () => {
    tap = null;
    await rig.sync.drain();
    expect(await rig.outbox.queuedCount()).toBe(0);
    expect(await t.db.query("SELECT 1 FROM card_load WHERE state = 'pending'").then((r) => r.rows)).toEqual([]);
    await expectSound(t.db);
  });

  afterAll(async () => {
    await kioskRigShared?.close();
    await rig?.close();
    await t?.close();
  });

  async function open(demo: DemoCard, r: Rig = rig): Promise<StaffCard> {
    return openCard(r.deps, await r.insert(demo.card), { pin: demo.pin });
  }

  async function sentFor(loadId: string): Promise<Array<[string, string]>> {
    const records = await rig.db.outbox.toArray();
    return records.filter((r) => (r.payload as { loadId?: string }).loadId === loadId).map((r) => [r.type, r.status]);
  }

  it('moves money from the purse to the quota account: card down, account up, posted once by the MAC3', async () => {
    const demo = chip('named');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const card = await open(demo);
    expect(card.facts.balanceFen).toBe(80_000);
    expect(card.account).toMatchObject({ role: 'single', cardState: 'active', pending: null });
    const steps: string[] = [];
    const receipt = await runUnload(rig.deps, card, { amountFen: 30_000, destination: 'QUOTA', onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['card', 'server', 'debit', 'confirm']);
    expect(receipt).toMatchObject({
      amountFen: 30_000,
      balanceFenBefore: 80_000,
      balanceFenAfter: 50_000,
      destination: 'QUOTA',
      terminalId: '320100000002',
    });
    expect(purseOf(demo)).toBe(50_000);
    expect(card.facts.balanceFen).toBe(50_000);
    await rig.sync.drain();
    expect(await accounts(t, cardNo)).toEqual({ ...before, QUOTA: before.QUOTA + 30_000, PURSE: before.PURSE - 30_000 });
    expect(await unloadsOf(t, cardNo)).toEqual([{ state: 'posted', settled_by: 'tac', amount_fen: 30_000n }]);
    expect(await sentFor(receipt.loadId)).toEqual([['unload.complete', 'applied']]);
    expect(await rig.db.loadJournal.get(receipt.loadId)).toMatchObject({ kind: 'unload', state: 'settled', tac: receipt.mac3 });
  });

  it('unloads a sub card into its reserve or into its customer quota, as the operator chooses', async () => {
    const demo = chip('subCard');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const start = purseOf(demo);
    const card = await open(demo);
    expect(card.account?.role).toBe('sub');
    await runUnload(rig.deps, card, { amountFen: 50_000, destination: 'RESERVE' });
    await runUnload(rig.deps, card, { amountFen: 20_000, destination: 'QUOTA' });
    await rig.sync.drain();
    expect(purseOf(demo)).toBe(start - 70_000);
    expect(await accounts(t, cardNo)).toEqual({
      QUOTA: before.QUOTA + 20_000,
      RESERVE: before.RESERVE + 50_000,
      PURSE: before.PURSE - 70_000,
    });
  });

  it('refuses to unload a single card into a reserve before the card or the server is asked', async () => {
    const card = await open(chip('named'));
    const rows = await snapshot(t.db);
    const journaled = await rig.db.loadJournal.count();
    const error = await rejection(runUnload(rig.deps, card, { amountFen: 1_000, destination: 'RESERVE' }));
    expect(error.code).toBe(STAFF_ERROR.DESTINATION_INVALID);
    expect(await snapshot(t.db)).toBe(rows);
    expect(await rig.db.loadJournal.count()).toBe(journaled);
  });

  it('settles an unload whose card was pulled after DEBIT wrote as done, once, at the next insertion', async () => {
    const demo = chip('named');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const start = purseOf(demo);
    const counter = demo.card.inspect().purse.onlineTtc;
    const card = await open(demo);
    demo.card.failNext({ when: 'after-write', ins: INS_DEBIT_FOR_UNLOAD });
    const error = await rejection(runUnload(rig.deps, card, { amountFen: 12_345, destination: 'QUOTA' }));
    expect(error.code).toBe(STAFF_ERROR.INTERRUPTED);
    expect(purseOf(demo)).toBe(start - 12_345);
    expect((await unloadsOf(t, cardNo)).at(-1)).toMatchObject({ state: 'pending' });
    expect(await rig.db.loadJournal.get(error.loadId!)).toMatchObject({ state: 'credit-sent', kind: 'unload' });

    const again = await open(demo);
    expect(again.recovery.transactions).toEqual([
      {
        loadId: error.loadId,
        kind: 'unload',
        onlineTtc: counter,
        amountFen: 12_345,
        probeChallenge: expect.stringMatching(/^[0-9A-F]{12}$/),
        completed: true,
        proven: true,
      },
    ]);
    expect(again.facts.balanceFen).toBe(start - 12_345);
    await rig.sync.drain();
    expect((await unloadsOf(t, cardNo)).at(-1)).toEqual({ state: 'posted', settled_by: 'prove', amount_fen: 12_345n });
    expect(await accounts(t, cardNo)).toEqual({ ...before, QUOTA: before.QUOTA + 12_345, PURSE: before.PURSE - 12_345 });

    expect((await open(demo)).recovery.transactions).toEqual([]);
    await rig.sync.drain();
    expect(await sentFor(error.loadId!)).toEqual([['load.recover', 'applied']]);
    expect(await accounts(t, cardNo)).toEqual({ ...before, QUOTA: before.QUOTA + 12_345, PURSE: before.PURSE - 12_345 });
  });

  it('settles an unload whose card was pulled before DEBIT wrote as not done: the reservation is released', async () => {
    const demo = chip('named');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const start = purseOf(demo);
    const card = await open(demo);
    demo.card.failNext({ when: 'before-write', ins: INS_DEBIT_FOR_UNLOAD });
    const error = await rejection(runUnload(rig.deps, card, { amountFen: 20_000, destination: 'QUOTA' }));
    expect(error.code).toBe(STAFF_ERROR.INTERRUPTED);
    expect(purseOf(demo)).toBe(start);

    const again = await open(demo);
    expect(again.recovery.transactions).toMatchObject([{ loadId: error.loadId, kind: 'unload', completed: false, proven: false }]);
    await rig.sync.drain();
    expect((await unloadsOf(t, cardNo)).at(-1)).toEqual({ state: 'voided', settled_by: 'counter_unchanged', amount_fen: 20_000n });
    expect(await accounts(t, cardNo)).toEqual(before);
    expect((await open(demo)).recovery.transactions).toEqual([]);
    // The purse is whole again: the same amount may be unloaded now.
    await runUnload(rig.deps, await open(demo), { amountFen: 20_000, destination: 'QUOTA' });
    await rig.sync.drain();
    expect(await accounts(t, cardNo)).toEqual({ ...before, QUOTA: before.QUOTA + 20_000, PURSE: before.PURSE - 20_000 });
  });

  it('settles from the server pending list an unload whose initialise answer was lost on every send', async () => {
    const demo = chip('subCard');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const start = purseOf(demo);
    const card = await open(demo);
    tap = losingInitialiseAnswers(Infinity);
    const error = await rejection(runUnload(rig.deps, card, { amountFen: 5_000, destination: 'RESERVE' }));
    tap = null;
    expect(error.code).toBe(STAFF_ERROR.NEEDS_NETWORK);
    // Every send carried the same operation id: one pending unload, and the card never debited.
    expect(await unloadsOf(t, cardNo).then((rows) => rows.filter((r) => r.state === 'pending'))).toHaveLength(1);
    expect(purseOf(demo)).toBe(start);
    const again = await open(demo);
    expect(again.recovery.transactions).toMatchObject([{ kind: 'unload', completed: false }]);
    await rig.sync.drain();
    expect((await unloadsOf(t, cardNo)).at(-1)).toMatchObject({ state: 'voided' });
    expect(await accounts(t, cardNo)).toEqual(before);
  });

  it('settles a pending unload that blocks the next one on the same card, then unloads on the retry', async () => {
    const demo = chip('subCard');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const card = await open(demo);
    tap = losingInitialiseAnswers(Infinity);
    expect((await rejection(runUnload(rig.deps, card, { amountFen: 4_000, destination: 'RESERVE' }))).code).toBe(STAFF_ERROR.NEEDS_NETWORK);
    tap = null;
    // The operator tries again at once: the server holds the first at the same counter.
    const blocked = await rejection(runUnload(rig.deps, card, { amountFen: 4_000, destination: 'RESERVE' }));
    expect(blocked).toMatchObject({ code: STAFF_ERROR.PENDING_TRANSACTION, serverCode: 'LOAD_PENDING' });
    await rig.sync.drain();
    expect((await unloadsOf(t, cardNo)).at(-1)).toMatchObject({ state: 'voided', settled_by: 'counter_unchanged' });
    await runUnload(rig.deps, card, { amountFen: 4_000, destination: 'RESERVE' });
    await rig.sync.drain();
    expect(await accounts(t, cardNo)).toEqual({ ...before, RESERVE: before.RESERVE + 4_000, PURSE: before.PURSE - 4_000 });
  });

  it('retries a lost initialise answer with the same operation id and unloads once', async () => {
    const demo = chip('subCard');
    const cardNo = cardNoOf(demo);
    const start = purseOf(demo);
    const loadsBefore = (await unloadsOf(t, cardNo)).length;
    const card = await open(demo);
    tap = losingInitialiseAnswers(1);
    const receipt = await runUnload(rig.deps, card, { amountFen: 7_000, destination: 'RESERVE' });
    expect(receipt.balanceFenAfter).toBe(start - 7_000);
    await rig.sync.drain();
    const rows = await unloadsOf(t, cardNo);
    expect(rows).toHaveLength(loadsBefore + 1);
    expect(rows.at(-1)).toEqual({ state: 'posted', settled_by: 'tac', amount_fen: 7_000n });
  });

  it('settles at once, from the counter, an unload whose MAC2 the card refuses', async () => {
    const demo = chip('named');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const start = purseOf(demo);
    const corrupt: StaffBackend = {
      inquiry: (no) => rig.backend.inquiry(no),
      initialise: async (request) => ({ ...(await rig.backend.initialise(request)), mac2: '00000000' }),
      queue: (s) => rig.backend.queue(s),
      send: () => rig.backend.send(),
      flush: () => rig.backend.flush(),
    };
    const deps = { ...rig.deps, backend: corrupt };
    const error = await rejection(runUnload(deps, await open(demo), { amountFen: 9_000, destination: 'QUOTA' }));
    expect(error.code).toBe(STAFF_ERROR.CARD_REFUSED);
    await rig.sync.drain();
    expect((await unloadsOf(t, cardNo)).at(-1)).toEqual({ state: 'voided', settled_by: 'counter_unchanged', amount_fen: 9_000n });
    expect(await accounts(t, cardNo)).toEqual(before);
    expect(purseOf(demo)).toBe(start);
  });

  it('refuses more than the purse holds, at the tablet and at the card, and changes nothing', async () => {
    const demo = chip('named');
    const start = purseOf(demo);
    const card = await open(demo);
    const rows = await snapshot(t.db);
    const [sentBefore, journaledBefore] = [await rig.db.outbox.count(), await rig.db.loadJournal.count()];
    expect((await rejection(runUnload(rig.deps, card, { amountFen: start + 1, destination: 'QUOTA' }))).code).toBe(
      STAFF_ERROR.PURSE_INSUFFICIENT,
    );
    expect((await rejection(runUnload(rig.deps, card, { amountFen: 0, destination: 'QUOTA' }))).code).toBe(STAFF_ERROR.AMOUNT_INVALID);
    expect((await rejection(runUnload(rig.deps, card, { amountFen: 10.5, destination: 'QUOTA' }))).code).toBe(STAFF_ERROR.AMOUNT_INVALID);
    // A stale view of the purse lets the request through: the card itself refuses (9401).
    card.facts = { ...card.facts, balanceFen: start + 1_000_000 };
    const byCard = await rejection(runUnload(rig.deps, card, { amountFen: start + 1, destination: 'QUOTA' }));
    expect(byCard).toMatchObject({ code: STAFF_ERROR.PURSE_INSUFFICIENT, sw: 0x9401 });
    expect(await snapshot(t.db)).toBe(rows);
    expect(purseOf(demo)).toBe(start);
    expect([await rig.db.outbox.count(), await rig.db.loadJournal.count()]).toEqual([sentBefore, journaledBefore]);
  });

  it('refuses a card reported lost with CARD_LOST and changes nothing', async () => {
    const demo = chip('anonymous');
    const cardNo = cardNoOf(demo);
    await t.db.query("UPDATE card SET state = 'lost' WHERE card_no = $1", [cardNo]);
    try {
      const start = purseOf(demo);
      const card = await open(demo);
      expect(card.account?.cardState).toBe('lost');
      const rows = await snapshot(t.db);
      const journaled = await rig.db.loadJournal.count();
      const error = await rejection(runUnload(rig.deps, card, { amountFen: 1_000, destination: 'QUOTA' }));
      expect(error).toMatchObject({ code: STAFF_ERROR.CARD_LOST, serverCode: 'CARD_LOST' });
      expect(await snapshot(t.db)).toBe(rows);
      expect(purseOf(demo)).toBe(start);
      expect(await rig.db.loadJournal.count()).toBe(journaled);
    } finally {
      await t.db.query("UPDATE card SET state = 'active' WHERE card_no = $1", [cardNo]);
    }
  });

  it('lets an expired card give its money back, as the server allows (it may not be loaded)', async () => {
    const demo = chip('expired');
    const cardNo = cardNoOf(demo);
    const before = await accounts(t, cardNo);
    const card = await open(demo);
    expect(card.facts.expired).toBe(true);
    await runUnload(rig.deps, card, { amountFen: 5_000, destination: 'QUOTA' });
    await rig.sync.drain();
    expect(purseOf(demo)).toBe(0);
    expect(await accounts(t, cardNo)).toEqual({ ...before, QUOTA: before.QUOTA + 5_000, PURSE: 0 });
  });

  it('refuses a kiosk, and a tablet without a signed-in operator, with NOT_PERMITTED and changes nothing', async () => {
    const demo = chip('named');
    const start = purseOf(demo);
    for (const who of ['kiosk', 'tablet-without-operator'] as const) {
      const device = await staffRig(t, { who });
      try {
        const card = await open(demo, device);
        const rows = await snapshot(t.db);
        const error = await rejection(runUnload(device.deps, card, { amountFen: 1_000, destination: 'QUOTA' }));
        expect(error, who).toMatchObject({ code: STAFF_ERROR.NOT_PERMITTED, serverCode: 'FORBIDDEN' });
        expect(await snapshot(t.db)).toBe(rows);
        expect(purseOf(demo)).toBe(start);
        expect(await device.db.loadJournal.count()).toBe(0);
      } finally {
        await device.close();
      }
    }
  });

  it('changes nothing when the completion is pushed again, replayed or as a new operation', async () => {
    const demo = chip('anonymous');
    const receipt = await runUnload(rig.deps, await open(demo), { amountFen: 1_000, destination: 'QUOTA' });
    await rig.sync.drain();
    const money = await ledgerRows(t);
    const sent = (await rig.db.outbox.toArray()).find((r) => (r.payload as { loadId?: string }).loadId === receipt.loadId)!;
    const push = httpPush(rig.api);
    const replay = await push(rig.deviceId, [{ id: sent.id, seq: sent.seq, type: sent.type, payload: sent.payload }]);
    expect(replay).toEqual([{ id: sent.id, outcome: 'applied', result: sent.result }]);
    await rig.outbox.enqueue('unload.complete', { loadId: receipt.loadId, tac: receipt.mac3 });
    const report = await rig.sync.drain();
    expect(report).toMatchObject({ appliedCount: 1, rejectedCount: 0 });
    expect(await ledgerRows(t)).toBe(money);
  });

  // The kiosk settles a card's pending transaction of either kind (src/lib/online): a card
  // pulled during an unload at the tablet need not come back to a tablet.
  for (const cutOff of ['after-write', 'before-write'] as const) {
    const debited = cutOff === 'after-write';
    it(`settles at a kiosk, at the next insertion, an unload left pending at the tablet ${debited ? 'after' : 'before'} DEBIT wrote`, async () => {
      const demo = chip('named');
      const cardNo = cardNoOf(demo);
      const before = await accounts(t, cardNo);
      const card = await open(demo);
      demo.card.failNext({ when: cutOff, ins: INS_DEBIT_FOR_UNLOAD });
      const error = await rejection(runUnload(rig.deps, card, { amountFen: 3_000, destination: 'QUOTA' }));
      expect(error.code).toBe(STAFF_ERROR.INTERRUPTED);
      const after = debited ? { ...before, QUOTA: before.QUOTA + 3_000, PURSE: before.PURSE - 3_000 } : before;
      const kiosk = await kioskOf();
      try {
        kiosk.control.insertCard(demo.card);
        await until(() => kiosk.controller.current.name === 'pin', 'the PIN screen');
        await kiosk.controller.submitPin(demo.pin);
        await until(() => kiosk.controller.current.name === 'home', 'the home screen');
        expect(kiosk.controller.current).toMatchObject({
          notice: { key: debited ? 'kiosk.notice.recovered_unload_completed' : 'kiosk.notice.recovered_unload_not_done' },
        });
        await kiosk.sync.drain();
        // Posted on the MAC3 the card gave the kiosk (asked as an unload's), or voided on the unchanged counter.
        expect((await unloadsOf(t, cardNo)).at(-1)).toEqual(
          debited
            ? { state: 'posted', settled_by: 'prove', amount_fen: 3_000n }
            : { state: 'voided', settled_by: 'counter_unchanged', amount_fen: 3_000n },
        );
        expect(await accounts(t, cardNo)).toEqual(after);
      } finally {
        kiosk.control.removeCard();
        await until(() => kiosk.controller.current.name === 'start', 'the start screen');
      }
      // The tablet's own journal entry is closed at the card's next visit there, without asking the
      // card: the server settled it already, and the card's word went there from the kiosk.
      expect((await open(demo)).recovery).toMatchObject({ transactions: [], settledElsewhere: [{ loadId: error.loadId, kind: 'unload' }] });
      await rig.sync.drain();
      expect(await rig.db.loadJournal.get(error.loadId!)).toMatchObject({ state: 'settled' });
      expect(await accounts(t, cardNo)).toEqual(after);
    });
  }

  it('asks for a PIN the card was not given, and passes on a wrong one with the tries left', async () => {
    const demo = chip('grey');
    expect((await rejection(openCard(rig.deps, await rig.insert(demo.card)))).code).toBe(STAFF_ERROR.PIN_REQUIRED);
    const wrong = await rejection(openCard(rig.deps, await rig.insert(demo.card), { pin: demo.pin === '000000' ? '111111' : '000000' }));
    expect(wrong).toMatchObject({ code: STAFF_ERROR.PIN_WRONG, triesLeft: 2 });
  });
});
