/**
 * Found by the fault simulation (tests/sim): an INITIALIZE answer or a recovery that reaches the
 * server late shows a counter from before a newer load, and must never void that load.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSound, openTestApp, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { balanceOf, creditForLoad, initializeForLoad, openCard, recoveryOf, simCard, KIOSK_TERMINAL_ID } from '../testing/sim.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';

describe(`late card answers on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const initBody = (cardNo: string, amountFen: number, answer: ReturnType<typeof initializeForLoad>) => ({
    operationId: randomUUID(),
    cardNo,
    amountFen,
    sourceAccount: 'QUOTA',
    terminalId: KIOSK_TERMINAL_ID,
    card: answer,
  });
  const purse = async (cardNo: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: t.kiosk });
    return (r.json().accounts as Array<{ code: string; balanceFen: number }>).find((a) => a.code === 'PURSE')?.balanceFen ?? 0;
  };
  const loadOnce = async (card: FuelCard, cardNo: string, amountFen: number) => {
    const started = (
      await t.post('/api/v1/loads/initialise', initBody(cardNo, amountFen, initializeForLoad(card, amountFen)), t.kiosk)
    ).json();
    return { started, tac: creditForLoad(card, started) };
  };

  it('refuses a late initialise at the counter of a newer pending load instead of voiding what the card holds', async () => {
    const zw = simCard(1, [50_000, 30_000]);
    openCard(zw.card, zw.pin);
    // The kiosk's first attempt: the card answers, but the request is held up on the network.
    const late = initializeForLoad(zw.card, 500);
    openCard(zw.card, zw.pin);
    // The customer tries again; this one gets its MAC2 and the card credits (its TAC is not yet sent).
    const { started } = await loadOnce(zw.card, zw.cardNo, 700);
    // Now the first request arrives, showing the counter from before the second load.
    const arrived = await t.post('/api/v1/loads/initialise', initBody(zw.cardNo, 500, late), t.kiosk);
    expect(arrived.json().error.code).toBe('LOAD_PENDING');
    const load = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${zw.cardNo}`, headers: t.kiosk });
    expect(load.statusCode).toBe(200);
    // The newer load is still pending and is posted by the card's proof at its next contact.
    openCard(zw.card, zw.pin);
    const probe = recoveryOf(zw.card, zw.cardNo, started.load);
    const recovered = await t.post('/api/v1/loads/recover', probe, t.kiosk);
    expect(recovered.json().settled).toMatchObject({ loadId: started.load.loadId, state: 'posted' });
    expect(await purse(zw.cardNo)).toBe(balanceOf(zw.card));
  });

  it('ignores a late recovery made for a load that is already settled', async () => {
    // The chip as the first test left it: 800 yuan issued plus the 7 yuan loaded there.
    const zw = simCard(1, [50_000, 30_000, 700]);
    openCard(zw.card, zw.pin);
    const first = (await t.post('/api/v1/loads/initialise', initBody(zw.cardNo, 300, initializeForLoad(zw.card, 300)), t.kiosk)).json();
    // The card never credited the first load; a recovery for it is made but held up.
    openCard(zw.card, zw.pin);
    const lateRecovery = recoveryOf(zw.card, zw.cardNo, first.load);
    // Another recovery for it gets through and voids it; then a new load at the same counter is credited.
    openCard(zw.card, zw.pin);
    const voided = await t.post('/api/v1/loads/recover', recoveryOf(zw.card, zw.cardNo, first.load), t.kiosk);
    expect(voided.json().settled).toMatchObject({ loadId: first.load.loadId, state: 'voided' });
    openCard(zw.card, zw.pin);
    const { started } = await loadOnce(zw.card, zw.cardNo, 400);
    // The held-up recovery arrives: it names the first load, which is settled, so nothing changes.
    const arrived = await t.post('/api/v1/loads/recover', lateRecovery, t.kiosk);
    expect(arrived.statusCode).toBe(200);
    expect(arrived.json().settled).toBeNull();
    openCard(zw.card, zw.pin);
    const probe = recoveryOf(zw.card, zw.cardNo, started.load);
    expect((await t.post('/api/v1/loads/recover', probe, t.kiosk)).json().settled).toMatchObject({ state: 'posted' });
    expect(await purse(zw.cardNo)).toBe(balanceOf(zw.card));
  });
});
