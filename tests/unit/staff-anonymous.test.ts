import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { readCard } from '../../ccid/fuelcard/read.ts';
import type { FuelCard, PowerLossPoint } from '../../ccid/sim/card/fuel-card.ts';
import { createDemoStockCard } from '../../ccid/sim/demo/stock.ts';
import { expectSound, openTestApp, type TestApp } from '../../server/testing/app.ts';
import { openTestShift } from '../../server/testing/shifts.ts';
import { anonymousBackend, type AnonymousBackend } from '../../src/staff/anonymous-backend.ts';
import { AnonymousInterruptedError, runInitialise, runUpgrade, type AnonymousStep } from '../../src/staff/anonymous.ts';
import { runSell, runTopUp } from '../../src/staff/anonymous-money.ts';
import { STAFF_ERROR } from '../../src/staff/errors.ts';
import { staffRig, type Rig } from '../../src/staff/testing/rig.ts';

// One server and one tablet for the file: PGlite, the demo seed and the sign-in take seconds.
const SETUP_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 30_000;
const INS = { UPDATE_BINARY: 0xd6, INITIALIZE: 0x50, CHANGE_PIN: 0x5e } as const;
const PIN = '975310';
const BUYER = { name: '演示买家赵敏', idType: 'resident_id', idNo: '11010519491231002X', phone: '13900139000' } as const;

/**
 * Anonymous cards at the outlet tablet (src/staff/anonymous*.ts) through the real reader stack
 * (the virtual CCID reader, the simulated card) against the server on PGlite: a batch initialised
 * card by card, a card pulled at each write redone; sold with a first amount loaded at once, topped
 * up and loaded, then upgraded with the buyer's PIN, the chip's balance kept.
 */
describe('anonymous cards 不记名卡 at the outlet tablet, against the real server', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let rig: Rig;
  let backend: AnonymousBackend;
  let serial = 950;

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t);
    backend = anonymousBackend(rig.api);
    await openTestShift(t.db); // the fee and the cash go into the drawer of the clerk's open shift
  }, SETUP_TIMEOUT_MS);
  afterEach(async () => expectSound(t.db));
  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  async function stock(): Promise<{ card: FuelCard; cardNo: string }> {
    const { card, asn } = createDemoStockCard({ serial: ++serial });
    const cardNo = toHex(asn);
    await t.db.query(
      "INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id) SELECT $1, 'user', 'single', false, 'stock', 1, '2036-12-31', org_unit_id FROM operator WHERE username = 'demo.operator'",
      [cardNo],
    );
    return { card, cardNo };
  }

  const stateOf = async (cardNo: string) =>
    (await t.db.query<{ state: string }>('SELECT state FROM anonymous_card WHERE card_no = $1', [cardNo])).rows[0]?.state;

  it('initialises a batch, sells one with a first amount, tops it up and upgrades it, the balance on the chip kept', async () => {
    const batch = [await stock(), await stock(), await stock()];
    for (const { card, cardNo } of batch) {
      const steps: AnonymousStep[] = [];
      const done = await runInitialise(backend, { transmit: await rig.insert(card), onStep: (s) => steps.push(s) });
      expect(done).toMatchObject({ cardNo, already: false });
      expect(steps).toEqual(['read', 'start', 'holder', 'holder', 'pin', 'prove', 'complete']);
      expect(await stateOf(cardNo)).toBe('initialised');
    }
    // The same card again is counted once.
    expect(await runInitialise(backend, { transmit: await rig.insert(batch[0]!.card) })).toMatchObject({ already: true });

    const { card, cardNo } = batch[0]!;
    const sold = await runSell(rig.deps, backend, { transmit: await rig.insert(card), feeFen: 1_000, firstAmountFen: 30_000 });
    expect(sold).toMatchObject({ cardNo, feeFen: 1_000, amountFen: 30_000, loadError: null });
    expect(sold.load).toMatchObject({ amountFen: 30_000, balanceFenBefore: 0, balanceFenAfter: 30_000 });
    const topped = await runTopUp(rig.deps, backend, { transmit: await rig.insert(card), amountFen: 20_000 });
    expect(topped.load).toMatchObject({ balanceFenBefore: 30_000, balanceFenAfter: 50_000 });
    await rig.sync.drain();

    const upgraded = await runUpgrade(backend, {
      transmit: await rig.insert(card),
      details: BUYER,
      customerPin: () => Promise.resolve(PIN),
    });
    expect(upgraded).toMatchObject({ cardNo, holderName: BUYER.name, resumed: false });
    const reading = await readCard(await rig.insert(card), { pin: PIN });
    expect(reading).toMatchObject({ pinVerified: true, balanceFen: 50_000 });
    expect(reading.ef16.holderName).toBe(BUYER.name);
    const row = await t.db.query('SELECT named FROM card WHERE card_no = $1', [cardNo]);
    expect(row.rows[0]).toEqual({ named: true });
  });

  const cuts: Array<[string, number, PowerLossPoint, AnonymousStep]> = [
    ['EF16, before the card writes', INS.UPDATE_BINARY, 'before-write', 'holder'],
    ['EF16, after the card wrote', INS.UPDATE_BINARY, 'after-write', 'holder'],
    ['the probe', INS.INITIALIZE, 'after-write', 'prove'],
  ];
  for (const [what, ins, when, step] of cuts) {
    it(`a card pulled at ${what} during initialising is redone when inserted again`, async () => {
      const { card, cardNo } = await stock();
      card.failNext({ when, ins, skip: 0 });
      const error = await runInitialise(backend, { transmit: await rig.insert(card) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AnonymousInterruptedError);
      expect((error as AnonymousInterruptedError).step).toBe(step);
      expect(await stateOf(cardNo)).toBe('initialising');
      expect(await runInitialise(backend, { transmit: await rig.insert(card) })).toMatchObject({ cardNo, already: false });
      expect(await stateOf(cardNo)).toBe('initialised');
    });
  }

  it('an upgrade pulled after its PIN change resumes with the buyer’s PIN, no try lost', async () => {
    const { card } = await stock();
    await runInitialise(backend, { transmit: await rig.insert(card) });
    await runSell(rig.deps, backend, { transmit: await rig.insert(card), feeFen: 0, firstAmountFen: 0 });
    card.failNext({ when: 'after-write', ins: INS.CHANGE_PIN, skip: 0 });
    const request = { details: BUYER, customerPin: () => Promise.resolve(PIN) };
    await expect(runUpgrade(backend, { ...request, transmit: await rig.insert(card) })).rejects.toBeInstanceOf(AnonymousInterruptedError);
    const again = await runUpgrade(backend, { ...request, transmit: await rig.insert(card) });
    expect(again.resumed).toBe(true);
    expect(card.inspect().pin.triesLeft).toBe(card.inspect().pin.triesMax);
  });

  it('refuses in StaffError terms: a stock card sold before its initialisation, a named card topped up, a bad amount', async () => {
    const { card } = await stock();
    await expect(runSell(rig.deps, backend, { transmit: await rig.insert(card), feeFen: 0, firstAmountFen: 0 })).rejects.toMatchObject({
      code: 'NOT_ANONYMOUS',
    });
    await expect(runSell(rig.deps, backend, { transmit: await rig.insert(card), feeFen: -1, firstAmountFen: 0 })).rejects.toMatchObject({
      code: STAFF_ERROR.AMOUNT_INVALID,
    });
    const { createDemoCard } = await import('../../ccid/sim/demo/cards.ts');
    const named = createDemoCard('named');
    await expect(runTopUp(rig.deps, backend, { transmit: await rig.insert(named.card), amountFen: 100 })).rejects.toMatchObject({
      code: STAFF_ERROR.PIN_REQUIRED,
    });
  });
});
