/**
 * An outside review made money this way: INITIALIZE FOR LOAD → initialise (answer A) → CREDIT FOR
 * LOAD on the card, TAC kept back → a recovery whose probe is A (or any answer taken at the pending
 * counter before the credit). The server voided the load the card held. A void now needs a probe
 * that carries the load's challenge under MAC1 (online.ts isFreshProbe); every stale probe is
 * refused with nothing changed, through the endpoint and the push, from a kiosk and a tablet.
 * And the second line: a chip holding money the ledger did not give raises an alarm.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import {
  balanceOf,
  creditForLoad,
  debitForUnload,
  initializeForLoad,
  initializeForUnload,
  openCard,
  recoveryOf,
  simCard,
  KIOSK_TERMINAL_ID,
  TABLET_TERMINAL_ID,
} from '../testing/sim.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import { resolvePending } from '../ledger/transfers.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

/** The tables money lives in: a refused recovery leaves them as they were (a push still records its refusal). */
const MONEY_TABLES = ['account', 'transfer', 'card_load', 'card', 'card_alarm'];

describe(`stale recovery probes on ${testEngine()}`, () => {
  let t: TestApp;
  let serial = 500;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  /** A new card of Zhang Wei (single-user, quota 1,000 yuan in the demo), with no history. */
  const freshCard = async () => {
    const c = simCard(serial++);
    await t.db.query(
      "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) SELECT $1, customer_id, 'user', 'single', true, 'active', 1 FROM card WHERE card_no = $2",
      [c.cardNo, demoCardNo(1)],
    );
    openCard(c.card, c.pin);
    return c;
  };
  const purse = async (cardNo: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: t.kiosk });
    return (r.json().accounts as Array<{ code: string; balanceFen: number }>).find((a) => a.code === 'PURSE')?.balanceFen ?? 0;
  };
  type Device = { name: 'kiosk' | 'tablet'; deviceId: 'demo-kiosk-1' | 'demo-tablet-1'; terminalId: string; headers: () => Headers };
  const KIOSK: Device = { name: 'kiosk', deviceId: 'demo-kiosk-1', terminalId: KIOSK_TERMINAL_ID, headers: () => t.kiosk };
  const TABLET: Device = { name: 'tablet', deviceId: 'demo-tablet-1', terminalId: TABLET_TERMINAL_ID, headers: () => t.as.outlet_operator };
  const initLoad = async (
    card: FuelCard,
    cardNo: string,
    amountFen: number,
    answer = initializeForLoad(card, amountFen),
    device = KIOSK,
  ) => {
    const r = await t.post(
      '/api/v1/loads/initialise',
      { operationId: randomUUID(), cardNo, amountFen, sourceAccount: 'QUOTA', terminalId: device.terminalId, card: answer },
      device.headers(),
    );
    expect(r.statusCode).toBe(200);
    return r.json() as {
      load: { loadId: string; onlineTtc: number; probeChallenge: string | null };
      mac2: string;
      date: string;
      time: string;
    };
  };
  const push = async (deviceId: 'demo-kiosk-1' | 'demo-tablet-1', headers: Headers, type: string, payload: unknown) => {
    const head = await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId]);
    const seq = Number(head.rows[0]?.last_seq ?? 0n) + 1;
    const r = await t.post(
      '/api/v1/sync/push',
      { contractVersion: CONTRACT_VERSION, operations: [{ id: randomUUID(), deviceId, seq, type, payload }] },
      headers,
    );
    expect(r.statusCode).toBe(200);
    return r.json().results[0] as {
      status: string;
      error?: { code: string };
      result?: { settled?: { state: string } | null; load?: { state: string } };
    };
  };
  /** Both ways a device can send a recovery: the endpoint and the push. */
  const everyRoute = (body: Record<string, unknown>, device = KIOSK) => [
    () => t.post('/api/v1/loads/recover', body, device.headers()).then((r) => r.json().error?.code as string | undefined),
    () => push(device.deviceId, device.headers(), 'load.recover', body).then((r) => r.error?.code),
  ];

  it.each([['kiosk'], ['tablet']] as const)(
    "refuses the load's own INITIALIZE answer as a probe after the card took the money, from a %s through the endpoint and the push, and the TAC still posts",
    async (name) => {
      const device = name === 'kiosk' ? KIOSK : TABLET;
      const c = await freshCard();
      const answer = initializeForLoad(c.card, 20_000, device.terminalId);
      const started = await initLoad(c.card, c.cardNo, 20_000, answer, device);
      const tac = creditForLoad(c.card, started);
      const before = await snapshot(t.db, MONEY_TABLES);
      const stale = { cardNo: c.cardNo, loadId: started.load.loadId, probe: { amountFen: 20_000, terminalId: device.terminalId, answer } };
      for (const send of everyRoute(stale, device)) expect(await send()).toBe('PROBE_NOT_FRESH');
      // Without naming the load, as an older device did: no void either.
      const { loadId: _named, ...unnamed } = stale;
      for (const send of everyRoute(unnamed, device)) expect(await send()).toBe('PROBE_NOT_FRESH');
      // Claiming the challenge as its terminal id does not help: MAC1 covers the real one.
      const claimed = { ...stale, probe: { ...stale.probe, terminalId: started.load.probeChallenge } };
      for (const send of everyRoute(claimed, device)) expect(await send()).toBe('MAC1_INVALID');
      // Nor does sending it from the other device.
      const other = device === KIOSK ? TABLET : KIOSK;
      for (const send of everyRoute(stale, other)) expect(await send()).toBe('TERMINAL_MISMATCH');
      expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
      const done = await t.post('/api/v1/loads/complete', { loadId: started.load.loadId, tac }, device.headers());
      expect(done.json().load).toMatchObject({ state: 'posted', settledBy: 'tac' });
      expect(await purse(c.cardNo)).toBe(balanceOf(c.card));
    },
  );

  it('refuses a probe taken at the pending counter just before the load, and settles the load from a fresh one', async () => {
    const c = await freshCard();
    const early = initializeForLoad(c.card, 0);
    openCard(c.card, c.pin);
    const started = await initLoad(c.card, c.cardNo, 30_000);
    creditForLoad(c.card, started);
    const before = await snapshot(t.db, MONEY_TABLES);
    const stale = { cardNo: c.cardNo, loadId: started.load.loadId, probe: { amountFen: 0, terminalId: KIOSK_TERMINAL_ID, answer: early } };
    for (const send of everyRoute(stale)) expect(await send()).toBe('PROBE_NOT_FRESH');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    // The card's fresh word, with the challenge: the counter moved, the load happened.
    openCard(c.card, c.pin);
    const fresh = await t.post('/api/v1/loads/recover', recoveryOf(c.card, c.cardNo, started.load), t.kiosk);
    expect(fresh.json().settled).toMatchObject({ loadId: started.load.loadId, state: 'posted', settledBy: 'counter_advanced' });
    expect(await purse(c.cardNo)).toBe(balanceOf(c.card));
  });

  it("refuses a probe made with another load's challenge", async () => {
    const c = await freshCard();
    const first = await initLoad(c.card, c.cardNo, 1_000);
    // The first load never reached the card; a fresh probe voids it.
    openCard(c.card, c.pin);
    expect((await t.post('/api/v1/loads/recover', recoveryOf(c.card, c.cardNo, first.load), t.kiosk)).json().settled).toMatchObject({
      state: 'voided',
    });
    // A probe made with the first load's challenge, kept; then a second load at the same counter, credited.
    openCard(c.card, c.pin);
    const kept = recoveryOf(c.card, c.cardNo, first.load);
    openCard(c.card, c.pin);
    const second = await initLoad(c.card, c.cardNo, 2_000);
    const tac = creditForLoad(c.card, second);
    const before = await snapshot(t.db, MONEY_TABLES);
    // Its terminal id is neither this device's nor the second load's challenge: refused as such.
    const retargeted = { ...kept, loadId: second.load.loadId };
    for (const send of everyRoute(retargeted)) expect(await send()).toBe('TERMINAL_MISMATCH');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    expect((await t.post('/api/v1/loads/complete', { loadId: second.load.loadId, tac }, t.kiosk)).json().load.state).toBe('posted');
    expect(await purse(c.cardNo)).toBe(balanceOf(c.card));
  });

  it('refuses a stale probe of an outlet unload the card made, through the endpoint and the push, and its MAC3 still posts', async () => {
    const c = await freshCard();
    const loaded = await initLoad(c.card, c.cardNo, 5_000);
    await t.post('/api/v1/loads/complete', { loadId: loaded.load.loadId, tac: creditForLoad(c.card, loaded) }, t.kiosk);
    openCard(c.card, c.pin);
    const early = initializeForLoad(c.card, 0, TABLET_TERMINAL_ID);
    openCard(c.card, c.pin);
    const unload = await t.post(
      '/api/v1/unloads/initialise',
      {
        operationId: randomUUID(),
        cardNo: c.cardNo,
        amountFen: 2_000,
        destinationAccount: 'QUOTA',
        terminalId: TABLET_TERMINAL_ID,
        card: initializeForUnload(c.card, 2_000),
      },
      t.as.outlet_operator,
    );
    expect(unload.statusCode).toBe(200);
    const mac3 = debitForUnload(c.card, unload.json());
    const before = await snapshot(t.db, MONEY_TABLES);
    const stale = {
      cardNo: c.cardNo,
      loadId: unload.json().load.loadId,
      probe: { amountFen: 0, terminalId: TABLET_TERMINAL_ID, answer: early },
    };
    expect((await t.post('/api/v1/loads/recover', stale, t.as.outlet_operator)).json().error.code).toBe('PROBE_NOT_FRESH');
    expect((await push('demo-tablet-1', t.as.outlet_operator, 'load.recover', stale)).error?.code).toBe('PROBE_NOT_FRESH');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    const done = await t.post('/api/v1/unloads/complete', { loadId: unload.json().load.loadId, tac: mac3 }, t.as.outlet_operator);
    expect(done.json().load).toMatchObject({ state: 'posted', kind: 'unload' });
    expect(await purse(c.cardNo)).toBe(balanceOf(c.card));
  });

  it('gives a pending load its challenge in the initialise answer and the pull, and none once settled', async () => {
    const c = await freshCard();
    const started = await initLoad(c.card, c.cardNo, 700);
    expect(started.load.probeChallenge).toMatch(/^[0-9A-F]{12}$/);
    const pulled = await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [c.cardNo] }, t.kiosk);
    expect(pulled.json().pendingLoads).toEqual([
      expect.objectContaining({ loadId: started.load.loadId, probeChallenge: started.load.probeChallenge }),
    ]);
    const done = await t.post('/api/v1/loads/complete', { loadId: started.load.loadId, tac: creditForLoad(c.card, started) }, t.kiosk);
    expect(done.json().load.probeChallenge).toBeNull();
  });
});

describe(`chip alarms on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const addCard = async (serialNo: number, chipLoadsFen: number[]) => {
    const c = simCard(serialNo, chipLoadsFen);
    await t.db.query(
      "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) SELECT $1, customer_id, 'user', 'single', true, 'active', 1 FROM card WHERE card_no = $2",
      [c.cardNo, demoCardNo(1)],
    );
    openCard(c.card, c.pin);
    return c;
  };
  const initLoad = (card: FuelCard, cardNo: string, amountFen: number) =>
    t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo,
        amountFen,
        sourceAccount: 'QUOTA',
        terminalId: KIOSK_TERMINAL_ID,
        card: initializeForLoad(card, amountFen),
      },
      t.kiosk,
    );
  const alarms = async () =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/admin/card-alarms', headers: t.as.center_operator })).json().alarms as Array<{
      cardNo: string;
      chipBalanceFen: number;
      ledgerMaxFen: number;
      clearedAt: string | null;
    }>;

  it('stops the loads of a card whose chip holds money the ledger never gave it, until a centre clears it', async () => {
    // 300 yuan on the chip that no load of the ledger put there.
    const c = await addCard(600, [30_000]);
    const refused = await initLoad(c.card, c.cardNo, 1_000);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('CARD_UNDER_REVIEW');
    expect((await alarms()).filter((a) => a.cardNo === c.cardNo)).toEqual([
      expect.objectContaining({ chipBalanceFen: 30_000, ledgerMaxFen: 0, clearedAt: null }),
    ]);
    const audit = await t.db.query<{ action: string }>("SELECT action FROM audit_log WHERE subject = $1 AND action = 'card.alarm'", [
      c.cardNo,
    ]);
    expect(audit.rows).toHaveLength(1);
    // Nothing was reserved, and the next try is refused at once (no second alarm).
    expect((await t.db.query('SELECT 1 FROM card_load WHERE card_no = $1', [c.cardNo])).rows).toHaveLength(0);
    openCard(c.card, c.pin);
    expect((await initLoad(c.card, c.cardNo, 1_000)).json().error.code).toBe('CARD_UNDER_REVIEW');
    expect((await alarms()).filter((a) => a.cardNo === c.cardNo)).toHaveLength(1);
    // An outlet cannot see or clear alarms; a centre can, with a note.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/card-alarms', headers: t.as.outlet_operator })).statusCode).toBe(403);
    expect((await t.post('/api/v1/admin/card-alarms/clear', { cardNo: c.cardNo, note: 'x' }, t.as.outlet_supervisor)).statusCode).toBe(403);
    expect((await t.post('/api/v1/admin/card-alarms/clear', { cardNo: c.cardNo, note: ' ' }, t.as.center_operator)).json().error.code).toBe(
      'INVALID_REQUEST',
    );
    const cleared = await t.post(
      '/api/v1/admin/card-alarms/clear',
      { cardNo: c.cardNo, note: 'issued with 300 yuan before the system; balance taken over' },
      t.as.center_operator,
    );
    expect(cleared.json()).toEqual({ cardNo: c.cardNo, alarmsCleared: 1 });
    // Cleared, the card loads again: the balance looked at is accepted, and carried into its next loads.
    for (const amountFen of [1_000, 500]) {
      openCard(c.card, c.pin);
      const again = await initLoad(c.card, c.cardNo, amountFen);
      expect(again.statusCode).toBe(200);
      await t.post('/api/v1/loads/complete', { loadId: again.json().load.loadId, tac: creditForLoad(c.card, again.json()) }, t.kiosk);
    }
    // More than what was looked at is a new alarm.
    c.card.powerOff();
    const grown = simCard(600, [30_000, 1_000, 500, 100]);
    openCard(grown.card, grown.pin);
    expect((await initLoad(grown.card, grown.cardNo, 100)).json().error.code).toBe('CARD_UNDER_REVIEW');
  });

  it('raises the alarm at the next contact when a load the card took was voided', async () => {
    const c = await addCard(601, []);
    const started = await initLoad(c.card, c.cardNo, 4_000);
    expect(started.statusCode).toBe(200);
    creditForLoad(c.card, started.json());
    // As the hole did: the load voided though the card holds it (here by hand, as a broken path would).
    const load = started.json().load;
    await t.db.transaction(async (tx) => {
      const row = await tx.query<{ transfer_id: string }>('SELECT transfer_id FROM card_load WHERE id = $1', [load.loadId]);
      await resolvePending(tx, row.rows[0]!.transfer_id, 'void');
      await tx.query("UPDATE card_load SET state = 'voided', settled_by = 'counter_unchanged', settled_at = now() WHERE id = $1", [
        load.loadId,
      ]);
      await tx.query('UPDATE card SET pending_load_id = NULL WHERE card_no = $1', [c.cardNo]);
    });
    openCard(c.card, c.pin);
    const probe = await t.post(
      '/api/v1/loads/recover',
      { cardNo: c.cardNo, probe: { amountFen: 0, terminalId: KIOSK_TERMINAL_ID, answer: initializeForLoad(c.card, 0) } },
      t.kiosk,
    );
    expect(probe.statusCode).toBe(200);
    expect((await alarms()).filter((a) => a.cardNo === c.cardNo)).toEqual([
      expect.objectContaining({ chipBalanceFen: 4_000, ledgerMaxFen: 0 }),
    ]);
    openCard(c.card, c.pin);
    expect((await initLoad(c.card, c.cardNo, 100)).json().error.code).toBe('CARD_UNDER_REVIEW');
  });

  it('raises no alarm for a card whose chip matches its ledger, before and after its loads', async () => {
    const c = await addCard(602, []);
    for (const amountFen of [1_000, 2_500]) {
      openCard(c.card, c.pin);
      const started = await initLoad(c.card, c.cardNo, amountFen);
      expect(started.statusCode).toBe(200);
      await t.post('/api/v1/loads/complete', { loadId: started.json().load.loadId, tac: creditForLoad(c.card, started.json()) }, t.kiosk);
    }
    expect((await alarms()).filter((a) => a.cardNo === c.cardNo)).toEqual([]);
  });
});
