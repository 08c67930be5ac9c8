import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
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
  transactionProve,
  KIOSK_TERMINAL_ID,
  TABLET_TERMINAL_ID,
} from '../testing/sim.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

describe(`the load protocol on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const named = () => simCard(1, [50_000, 30_000]);
  const accounts = async (cardNo: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: t.kiosk });
    expect(r.statusCode).toBe(200);
    type A = { code: string; balanceFen: number; availableFen: number };
    const byCode = Object.fromEntries((r.json().accounts as A[]).map((a) => [a.code, a]));
    const none: A = { code: '', balanceFen: 0, availableFen: 0 };
    return { QUOTA: byCode.QUOTA ?? none, PURSE: byCode.PURSE ?? none, RESERVE: byCode.RESERVE ?? none };
  };
  const init = (card: FuelCard, cardNo: string, amountFen: number, extra: Record<string, unknown> = {}) =>
    t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo,
        amountFen,
        sourceAccount: 'QUOTA',
        terminalId: KIOSK_TERMINAL_ID,
        card: initializeForLoad(card, amountFen),
        ...extra,
      },
      t.kiosk,
    );

  it('loads 100 yuan from the quota onto the card: MAC1 checked, MAC2 accepted by the card, TAC posts it', async () => {
    const { card, cardNo, pin } = named();
    openCard(card, pin);
    const before = await accounts(cardNo);
    const started = await init(card, cardNo, 10_000);
    expect(started.statusCode).toBe(200);
    const body = started.json();
    expect(body.load).toMatchObject({ state: 'pending', onlineTtc: 2, amountFen: 10_000, balanceFenAfter: 90_000 });
    expect(body.date).toMatch(/^20\d{6}$/);
    const tac = creditForLoad(card, body);
    const done = await t.post('/api/v1/loads/complete', { loadId: body.load.loadId, tac }, t.kiosk);
    expect(done.statusCode).toBe(200);
    expect(done.json().load).toMatchObject({ state: 'posted', settledBy: 'tac' });
    const after = await accounts(cardNo);
    expect(after.QUOTA.balanceFen).toBe(before.QUOTA.balanceFen - 10_000);
    expect(after.PURSE.balanceFen).toBe(balanceOf(card));
    const again = await t.post('/api/v1/loads/complete', { loadId: body.load.loadId, tac }, t.kiosk);
    expect(again.json().load.state).toBe('posted');
  });

  it('answers a retried initialise with the same MAC2 and reserves the money once', async () => {
    const { card, cardNo, pin } = simCard(1, [50_000, 30_000, 10_000]);
    openCard(card, pin);
    const request = {
      operationId: randomUUID(),
      cardNo,
      amountFen: 500,
      sourceAccount: 'QUOTA',
      terminalId: KIOSK_TERMINAL_ID,
      card: initializeForLoad(card, 500),
    };
    const first = await t.post('/api/v1/loads/initialise', request, t.kiosk);
    const second = await t.post('/api/v1/loads/initialise', request, t.kiosk);
    expect(second.json()).toEqual(first.json());
    const conflicting = await t.post('/api/v1/loads/initialise', { ...request, amountFen: 501 }, t.kiosk);
    expect(conflicting.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await accounts(cardNo)).QUOTA.availableFen).toBe((await accounts(cardNo)).QUOTA.balanceFen - 500);
    const tac = creditForLoad(card, first.json());
    expect((await t.post('/api/v1/loads/complete', { loadId: first.json().load.loadId, tac }, t.kiosk)).statusCode).toBe(200);
  });

  it('refuses a forged MAC1 and changes nothing', async () => {
    const { card, cardNo, pin } = simCard(1, [50_000, 30_000, 10_000, 500]);
    openCard(card, pin);
    const answer = initializeForLoad(card, 1_000);
    const before = await snapshot(t.db);
    const forged = await t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo,
        amountFen: 1_000,
        sourceAccount: 'QUOTA',
        terminalId: KIOSK_TERMINAL_ID,
        card: { ...answer, mac1: answer.mac1 === '00000000' ? '00000001' : '00000000' },
      },
      t.kiosk,
    );
    expect(forged.statusCode).toBe(422);
    expect(forged.json().error.code).toBe('MAC1_INVALID');
    const inflated = await t.post(
      '/api/v1/loads/initialise',
      { operationId: randomUUID(), cardNo, amountFen: 2_000, sourceAccount: 'QUOTA', terminalId: KIOSK_TERMINAL_ID, card: answer },
      t.kiosk,
    );
    expect(inflated.json().error.code).toBe('MAC1_INVALID');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('refuses a forged TAC and changes nothing, then posts on the genuine one', async () => {
    const { card, cardNo, pin } = simCard(1, [50_000, 30_000, 10_000, 500]);
    openCard(card, pin);
    const started = (await init(card, cardNo, 1_000)).json();
    const tac = creditForLoad(card, started);
    const before = await snapshot(t.db);
    const forged = await t.post(
      '/api/v1/loads/complete',
      { loadId: started.load.loadId, tac: tac === 'FFFFFFFF' ? 'FFFFFFFE' : 'FFFFFFFF' },
      t.kiosk,
    );
    expect(forged.json().error.code).toBe('TAC_INVALID');
    expect(await snapshot(t.db)).toBe(before);
    expect((await t.post('/api/v1/loads/complete', { loadId: started.load.loadId, tac }, t.kiosk)).json().load.state).toBe('posted');
  });

  it('voids a load whose card was pulled before it wrote, from the unchanged counter', async () => {
    const { card, cardNo, pin } = simCard(5, [20_000]);
    const before = await accounts(demoCardNo(1));
    void before;
    openCard(card, pin);
    const quotaBefore = (await accounts(cardNo)).QUOTA.availableFen;
    const started = await t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo,
        amountFen: 300,
        sourceAccount: 'QUOTA',
        terminalId: KIOSK_TERMINAL_ID,
        card: initializeForLoad(card, 300),
      },
      t.kiosk,
    );
    // 刘洋 has no quota money: the refusal is clear and nothing is reserved.
    expect(started.json().error.code).toBe('INSUFFICIENT_FUNDS');
    expect(quotaBefore ?? 0).toBe(0);
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000]);
    openCard(zw.card, zw.pin);
    const pending = (await init(zw.card, zw.cardNo, 700)).json();
    zw.card.failNext({ when: 'before-write', ins: 0x52 });
    expect(() => creditForLoad(zw.card, pending)).toThrow(/power lost/);
    openCard(zw.card, zw.pin);
    const recovered = await t.post('/api/v1/loads/recover', recoveryOf(zw.card, zw.cardNo, pending.load), t.kiosk);
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json().settled).toMatchObject({ loadId: pending.load.loadId, state: 'voided', settledBy: 'counter_unchanged' });
    expect((await accounts(zw.cardNo)).PURSE.balanceFen).toBe(balanceOf(zw.card));
  });

  it('posts a load whose card wrote before the answer was lost, from GET TRANSACTION PROVE', async () => {
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000]);
    openCard(zw.card, zw.pin);
    const pending = (await init(zw.card, zw.cardNo, 800)).json();
    zw.card.failNext({ when: 'after-write', ins: 0x52 });
    expect(() => creditForLoad(zw.card, pending)).toThrow(/power lost/);
    openCard(zw.card, zw.pin);
    const proof = transactionProve(zw.card, 0x01, pending.load.onlineTtc);
    const forged = await t.post(
      '/api/v1/loads/recover',
      recoveryOf(zw.card, zw.cardNo, pending.load, { tac: proof.tac === '00000000' ? '00000001' : '00000000' }),
      t.kiosk,
    );
    expect(forged.json().error.code).toBe('TAC_INVALID');
    const recovered = await t.post('/api/v1/loads/recover', recoveryOf(zw.card, zw.cardNo, pending.load, { tac: proof.tac }), t.kiosk);
    expect(recovered.json().settled).toMatchObject({ loadId: pending.load.loadId, state: 'posted', settledBy: 'prove' });
    expect((await accounts(zw.cardNo)).PURSE.balanceFen).toBe(balanceOf(zw.card));
  });

  it('settles an older pending load first when a new initialise arrives for the card', async () => {
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000, 800]);
    openCard(zw.card, zw.pin);
    const first = (await init(zw.card, zw.cardNo, 100)).json();
    zw.card.failNext({ when: 'after-write', ins: 0x52 });
    expect(() => creditForLoad(zw.card, first)).toThrow(/power lost/);
    openCard(zw.card, zw.pin);
    const second = (await init(zw.card, zw.cardNo, 200)).json();
    expect(second.settledPrevious).toMatchObject({ loadId: first.load.loadId, state: 'posted', settledBy: 'counter_advanced' });
    const tac = creditForLoad(zw.card, second);
    await t.post('/api/v1/loads/complete', { loadId: second.load.loadId, tac }, t.kiosk);
    expect((await accounts(zw.cardNo)).PURSE.balanceFen).toBe(balanceOf(zw.card));
    const stale = await t.post('/api/v1/loads/complete', { loadId: first.load.loadId, tac }, t.kiosk);
    expect(stale.json().error.code).toBe('TAC_INVALID');
  });

  it('refuses grey, expired and lost cards with their own codes (a card of any outlet is loaded anywhere: server/auth/auth.test.ts)', async () => {
    const cases: Array<[number, number[], string]> = [
      [4, [40_000], 'CARD_GREY'],
      [6, [5_000], 'CARD_EXPIRED'],
    ];
    for (const [serial, loads, code] of cases) {
      const c = simCard(serial, loads);
      openCard(c.card, c.pin);
      expect((await init(c.card, c.cardNo, 100)).json().error.code).toBe(code);
    }
    await t.db.query("UPDATE card SET state = 'lost' WHERE card_no = $1", [demoCardNo(5)]);
    const lost = simCard(5, [20_000]);
    openCard(lost.card, lost.pin);
    expect((await init(lost.card, lost.cardNo, 100)).json().error.code).toBe('CARD_LOST');
    await t.db.query("UPDATE card SET state = 'active' WHERE card_no = $1", [demoCardNo(5)]);
  });

  it('refuses a load past the purse limit and one the account cannot pay', async () => {
    const anon = simCard(3, [10_000], { named: false });
    openCard(anon.card, anon.pin);
    expect((await init(anon.card, anon.cardNo, 90_001)).json().error.code).toBe('PURSE_LIMIT_EXCEEDED');
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000, 800, 100, 200]);
    openCard(zw.card, zw.pin);
    expect((await init(zw.card, zw.cardNo, 300_000)).json().error.code).toBe('INSUFFICIENT_FUNDS');
    const sub = simCard(2, [200_000]);
    openCard(sub.card, sub.pin);
    expect((await init(sub.card, sub.cardNo, 100)).json().error.code).toBe('SOURCE_ACCOUNT_INVALID');
  });

  it('refuses a terminal id that is not the calling device', async () => {
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000, 800, 100, 200]);
    openCard(zw.card, zw.pin);
    const r = await t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo: zw.cardNo,
        amountFen: 100,
        sourceAccount: 'QUOTA',
        terminalId: TABLET_TERMINAL_ID,
        card: initializeForLoad(zw.card, 100, TABLET_TERMINAL_ID),
      },
      t.kiosk,
    );
    expect(r.json().error.code).toBe('TERMINAL_MISMATCH');
  });

  it('unloads from the card back to the quota at an outlet, proven by the card', async () => {
    const zw = simCard(1, [50_000, 30_000, 10_000, 500, 1_000, 800, 100, 200]);
    openCard(zw.card, zw.pin);
    const before = await accounts(zw.cardNo);
    expect(before.PURSE.balanceFen).toBe(balanceOf(zw.card));
    const body = {
      operationId: randomUUID(),
      cardNo: zw.cardNo,
      amountFen: 1_500,
      destinationAccount: 'QUOTA',
      terminalId: TABLET_TERMINAL_ID,
      card: initializeForUnload(zw.card, 1_500),
    };
    expect((await t.post('/api/v1/unloads/initialise', body, t.kiosk)).statusCode).toBe(403);
    const started = await t.post('/api/v1/unloads/initialise', body, t.as.outlet_operator);
    expect(started.statusCode).toBe(200);
    const mac3 = debitForUnload(zw.card, started.json());
    const done = await t.post('/api/v1/unloads/complete', { loadId: started.json().load.loadId, tac: mac3 }, t.as.outlet_operator);
    expect(done.json().load).toMatchObject({ state: 'posted', kind: 'unload' });
    const after = await accounts(zw.cardNo);
    expect(after.QUOTA.balanceFen).toBe(before.QUOTA.balanceFen + 1_500);
    expect(after.PURSE.balanceFen).toBe(balanceOf(zw.card));
  });

  const tabletPush = async (type: string, payload: unknown) => {
    const head = await t.db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-tablet-1'");
    const seq = Number(head.rows[0]?.last_seq ?? 0n) + 1;
    const r = await t.post(
      '/api/v1/sync/push',
      { contractVersion: CONTRACT_VERSION, operations: [{ id: randomUUID(), deviceId: 'demo-tablet-1', seq, type, payload }] },
      t.as.outlet_operator,
    );
    expect(r.statusCode).toBe(200);
    return r.json().results[0] as {
      status: string;
      result?: { load?: { state: string; settledBy: string }; settled?: { state: string; settledBy: string; kind: string } };
      error?: { code: string };
    };
  };

  /** A fresh card of Zhang Wei (single-user, named), so its counters start clean. */
  const freshCard = async (serial: number) => {
    const c = simCard(serial);
    await t.db.query(
      "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) SELECT $1, customer_id, 'user', 'single', true, 'active', 1 FROM card WHERE card_no = $2",
      [c.cardNo, demoCardNo(1)],
    );
    openCard(c.card, c.pin);
    const started = await init(c.card, c.cardNo, 2_000);
    expect(
      (await t.post('/api/v1/loads/complete', { loadId: started.json().load.loadId, tac: creditForLoad(c.card, started.json()) }, t.kiosk))
        .statusCode,
    ).toBe(200);
    return c;
  };

  it('settles an unload whose answer was lost through a pushed recovery, and completes a queued unload through push', async () => {
    const zw = await freshCard(300);
    const before = await accounts(zw.cardNo);
    const unload = (amountFen: number) =>
      t.post(
        '/api/v1/unloads/initialise',
        {
          operationId: randomUUID(),
          cardNo: zw.cardNo,
          amountFen,
          destinationAccount: 'QUOTA',
          terminalId: TABLET_TERMINAL_ID,
          card: initializeForUnload(zw.card, amountFen),
        },
        t.as.outlet_operator,
      );
    // The card debits itself, the tablet loses the answer: the pending unload is settled from the card's counter.
    const cut = await unload(700);
    debitForUnload(zw.card, cut.json());
    const probe = {
      cardNo: zw.cardNo,
      probe: { amountFen: 0, terminalId: TABLET_TERMINAL_ID, answer: initializeForLoad(zw.card, 0, TABLET_TERMINAL_ID) },
    };
    const recovered = await tabletPush('load.recover', probe);
    expect(recovered.status).toBe('applied');
    expect(recovered.result?.settled).toMatchObject({ kind: 'unload', state: 'posted', settledBy: 'counter_advanced' });
    // A second unload whose MAC3 was queued on the tablet while offline.
    const queued = await unload(300);
    const mac3 = debitForUnload(zw.card, queued.json());
    expect(await tabletPush('unload.complete', { loadId: queued.json().load.loadId, tac: '00000000' })).toMatchObject({
      status: 'rejected',
      error: { code: 'TAC_INVALID' },
    });
    expect((await tabletPush('unload.complete', { loadId: queued.json().load.loadId, tac: mac3 })).result?.load).toMatchObject({
      state: 'posted',
      settledBy: 'tac',
    });
    const after = await accounts(zw.cardNo);
    expect(after.QUOTA.balanceFen).toBe(before.QUOTA.balanceFen + 1_000);
    expect(after.PURSE.balanceFen).toBe(balanceOf(zw.card));
  });

  it("loads from the account the card's role loads from when the request names none, and answers the balances once the card takes it", async () => {
    type Balances = { account: string; accountAvailableFen: number; purseMirrorFen: number };
    const cases = [
      { who: 'a single-user card', c: await freshCard(302), account: 'QUOTA' as const, wrong: 'RESERVE' },
      { who: 'a sub card of a multi-user customer', c: simCard(2, [200_000]), account: 'RESERVE' as const, wrong: 'QUOTA' },
    ];
    for (const { who, c, account, wrong } of cases) {
      openCard(c.card, c.pin);
      const before = await accounts(c.cardNo);
      // Named, the source must still be the card's own.
      const refused = await init(c.card, c.cardNo, 1_000, { sourceAccount: wrong });
      expect(refused.json().error?.code, who).toBe('SOURCE_ACCOUNT_INVALID');
      const request = {
        operationId: randomUUID(),
        cardNo: c.cardNo,
        amountFen: 1_000,
        terminalId: KIOSK_TERMINAL_ID,
        card: initializeForLoad(c.card, 1_000),
      };
      const started = await t.post('/api/v1/loads/initialise', request, t.kiosk);
      expect(started.statusCode, who).toBe(200);
      const balances = started.json().balances as Balances;
      expect(balances, who).toEqual({
        account,
        accountAvailableFen: before[account].availableFen - 1_000,
        purseMirrorFen: before.PURSE.balanceFen + 1_000,
      });
      // Reserved: the source shows it already; the purse mirror waits for the card's word.
      const reserved = await accounts(c.cardNo);
      expect(reserved[account].availableFen, who).toBe(balances.accountAvailableFen);
      expect(reserved.PURSE.balanceFen, who).toBe(before.PURSE.balanceFen);
      // A resend is answered with the first answer, balances included.
      expect((await t.post('/api/v1/loads/initialise', request, t.kiosk)).json(), who).toEqual(started.json());
      const tac = creditForLoad(c.card, started.json());
      expect((await t.post('/api/v1/loads/complete', { loadId: started.json().load.loadId, tac }, t.kiosk)).statusCode, who).toBe(200);
      const after = await accounts(c.cardNo);
      expect({ account, accountAvailableFen: after[account].availableFen, purseMirrorFen: after.PURSE.balanceFen }, who).toEqual(balances);
      expect(balances.purseMirrorFen, who).toBe(balanceOf(c.card));
      const audited = await t.db.query<{ detail: { account: string } }>(
        "SELECT detail FROM audit_log WHERE action = 'load.initialise' AND subject = $1 ORDER BY at DESC, chain_no DESC LIMIT 1",
        [c.cardNo],
      );
      expect(audited.rows[0]?.detail.account, who).toBe(account);
    }
  });

  it('answers an unload initialise with the destination and the purse as they will stand once the card takes it', async () => {
    const zw = await freshCard(303);
    const before = await accounts(zw.cardNo);
    const body = {
      operationId: randomUUID(),
      cardNo: zw.cardNo,
      amountFen: 600,
      destinationAccount: 'QUOTA',
      terminalId: TABLET_TERMINAL_ID,
      card: initializeForUnload(zw.card, 600),
    };
    const started = await t.post('/api/v1/unloads/initialise', body, t.as.outlet_operator);
    expect(started.statusCode).toBe(200);
    const balances = started.json().balances as { account: string; accountAvailableFen: number; purseMirrorFen: number };
    expect(balances).toEqual({
      account: 'QUOTA',
      accountAvailableFen: before.QUOTA.availableFen + 600,
      purseMirrorFen: before.PURSE.balanceFen - 600,
    });
    // Pending: the credit is not available yet.
    expect((await accounts(zw.cardNo)).QUOTA.availableFen).toBe(before.QUOTA.availableFen);
    const mac3 = debitForUnload(zw.card, started.json());
    expect(
      (await t.post('/api/v1/unloads/complete', { loadId: started.json().load.loadId, tac: mac3 }, t.as.outlet_operator)).statusCode,
    ).toBe(200);
    const after = await accounts(zw.cardNo);
    expect({ account: 'QUOTA', accountAvailableFen: after.QUOTA.availableFen, purseMirrorFen: after.PURSE.balanceFen }).toEqual(balances);
    expect(balances.purseMirrorFen).toBe(balanceOf(zw.card));
  });

  it('refuses a pushed unload completion from a kiosk: unloads are outlet work', async () => {
    const r = await t.post(
      '/api/v1/sync/push',
      {
        contractVersion: CONTRACT_VERSION,
        operations: [
          {
            id: randomUUID(),
            deviceId: 'demo-kiosk-1',
            seq: 1,
            type: 'unload.complete',
            payload: { loadId: randomUUID(), tac: '00000000' },
          },
        ],
      },
      t.kiosk,
    );
    expect(r.json().results[0]).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
  });

  it('shows the purse limit and the newest account movements behind a card, signed, voided ones left out', async () => {
    const { card, cardNo } = await freshCard(301);
    const summary = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: t.kiosk });
    expect(summary.json().purseLimitFen).toBe(500_000);
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(3)}`, headers: t.kiosk });
    expect(anonymous.json().purseLimitFen).toBe(100_000);
    const started = await init(card, cardNo, 1_234);
    const tac = creditForLoad(card, started.json());
    expect((await t.post('/api/v1/loads/complete', { loadId: started.json().load.loadId, tac }, t.kiosk)).statusCode).toBe(200);
    const history = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}/history`, headers: t.kiosk });
    expect(history.statusCode).toBe(200);
    const { movements, limit } = history.json() as {
      limit: number;
      movements: Array<{ transferId: string; at: string; kind: string; account: string; amountFen: number; state: string }>;
    };
    expect(movements.length).toBeLessThanOrEqual(limit);
    const legs = movements.filter((m) => m.transferId === movements[0]!.transferId);
    expect(legs.map((m) => [m.kind, m.account, m.amountFen, m.state]).sort()).toEqual([
      ['load', 'PURSE', 1_234, 'posted'],
      ['load', 'QUOTA', -1_234, 'posted'],
    ]);
    expect(movements.map((m) => m.at)).toEqual([...movements.map((m) => m.at)].sort().reverse());
    const voided = await t.db.query<{ transfer_id: string }>("SELECT transfer_id FROM card_load WHERE card_no = $1 AND state = 'voided'", [
      cardNo,
    ]);
    for (const v of voided.rows) expect(movements.some((m) => m.transferId === v.transfer_id)).toBe(false);
    // A card is read anywhere at a kiosk; a centre reads within its own subtree only.
    const anywhere = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(9)}/history`, headers: t.kiosk });
    expect(anywhere.statusCode).toBe(200);
    const out = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(9)}/history`, headers: t.as.center_operator });
    expect(out.json().error.code).toBe('OUT_OF_SCOPE');
  });
});

describe(`concurrent loads on ${testEngine()}`, () => {
  it('never overdraw the one quota account they all draw on', async () => {
    const t = await openTestApp();
    try {
      const customer = await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [demoCardNo(1)]);
      const cards = Array.from({ length: 8 }, (_, i) => simCard(100 + i));
      for (const c of cards) {
        await t.db.query(
          "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) VALUES ($1, $2, 'user', 'single', true, 'active', 1)",
          [c.cardNo, customer.rows[0]!.customer_id],
        );
        openCard(c.card, c.pin);
      }
      const outcomes = await Promise.all(
        cards.map(async (c) => {
          const r = await t.post(
            '/api/v1/loads/initialise',
            {
              operationId: randomUUID(),
              cardNo: c.cardNo,
              amountFen: 30_000,
              sourceAccount: 'QUOTA',
              terminalId: KIOSK_TERMINAL_ID,
              card: initializeForLoad(c.card, 30_000),
            },
            t.kiosk,
          );
          if (r.statusCode !== 200) return r.json().error.code as string;
          const tac = creditForLoad(c.card, r.json());
          const done = await t.post('/api/v1/loads/complete', { loadId: r.json().load.loadId, tac }, t.kiosk);
          return done.json().load.state as string;
        }),
      );
      expect(outcomes.filter((o) => o === 'posted')).toHaveLength(3);
      expect(outcomes.filter((o) => o === 'INSUFFICIENT_FUNDS')).toHaveLength(5);
      await expectSound(t.db);
    } finally {
      await t.close();
    }
  });
});
