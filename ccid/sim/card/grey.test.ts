import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, u32be } from '../../bytes.ts';
import { asnFactor, diversify, greyLockGtac, unlockDebitTac } from '../../crypto/index.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { createDemoCard } from '../demo/cards.ts';
import { issuerOnlineUnlock, SimIssuerError } from './issuer.ts';
import { send } from './testkit.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from '../pump/psam.ts';
import { Pump } from '../pump/pump.ts';

const DATE = fromHex('20240601');
const TIME = fromHex('101112');
const newPump = () => new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });
const dtkOf = (asn: Uint8Array) => diversify(DEMO_TEST_MASTER_KEYS.MTK, asnFactor(asn));

function lockedCard() {
  const demo = createDemoCard('named');
  const pump = newPump();
  const session = pump.insert(demo.card, demo.pin);
  const record = pump.greyLock(session, { date: DATE, time: TIME });
  return { ...demo, pump, session, record };
}

describe('grey lock and debit for unlock at a pump', () => {
  it('locks with flag 01, MAC2 and a GTAC the issuer can check, then debits, sets TACUF and clears it', () => {
    const { card, asn, pump, session, record } = lockedCard();
    const locked = send(card, 'E0CA00001E');
    const gtac = greyLockGtac({
      dtk: dtkOf(asn),
      balanceFen: 80_000,
      terminalTtc: record.psamTtc,
      terminalId: DEMO_PSAM_TERMINAL_ID,
      date: DATE,
      time: TIME,
    });
    expect(locked.data).toBe(
      `019101${toHex(u32be(80_000))}0000${toHex(DEMO_PSAM_TERMINAL_ID)}${toHex(DATE)}${toHex(TIME)}${toHex(record.mac2!)}${toHex(gtac)}`,
    );
    const ready = pump.prepareUnlock(record, 4_567);
    const data = concatBytes(u32be(4_567), fromHex('0000'), DEMO_PSAM_TERMINAL_ID, u32be(record.psamTtc), DATE, TIME, ready.gmac!);
    const debit = send(card, concatBytes(fromHex('E07E08011B'), data, fromHex('04')));
    const tac = unlockDebitTac({
      dtk: dtkOf(asn),
      amountFen: 4_567,
      terminalTtc: record.psamTtc,
      terminalId: DEMO_PSAM_TERMINAL_ID,
      date: DATE,
      time: TIME,
    });
    expect(debit).toMatchObject({ sw: '9000', data: toHex(tac) });
    const unread = send(card, 'E0CA00001E').data;
    expect(unread.slice(0, 6)).toBe('109301');
    expect(unread.slice(44)).toBe(`${toHex(u32be(4_567))}${toHex(tac)}`);
    expect(send(card, 'E0CA010000').sw).toBe('9000');
    expect(send(card, 'E0CA00001E').data.slice(0, 2)).toBe('00');
    expect(card.inspect().purse).toMatchObject({ edBalanceFen: 80_000 - 4_567, offlineTtc: 1 });
    expect(send(card, '00B201C417').data.slice(18, 20)).toBe('93');
    expect(send(card, '805A009302 0000').data).toBe(toHex(concatBytes(tac, ready.gmac!)));
    expect(session.asn).toEqual(asn);
  });

  it('fuels in one go with the pump harness', () => {
    const { card, pin } = createDemoCard('anonymous');
    const pump = newPump();
    const { tac } = pump.fuel(pump.insert(card, pin), { amountFen: 2_000, date: DATE, time: TIME });
    expect(tac.length).toBe(4);
    expect(card.inspect().purse.edBalanceFen).toBe(8_000);
    expect(card.inspect().grey.status).toBe(0);
  });

  it('answers GET LOCK PROOF with 6985 on a card that never locked', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    expect(send(card, 'E0CA00001E').sw).toBe('6985');
  });

  it('refuses purchase, load, unload and a second lock on a grey card with 9408', () => {
    const { card } = lockedCard();
    const tid = DEMO_PSAM_TERMINAL_ID;
    expect(send(card, concatBytes(fromHex('805001010B01'), u32be(1), tid)).sw).toBe('9408');
    expect(send(card, concatBytes(fromHex('805000010B01'), u32be(1), tid)).sw).toBe('9408');
    expect(send(card, concatBytes(fromHex('805005010B01'), u32be(1), tid)).sw).toBe('9408');
    expect(send(card, concatBytes(fromHex('E07A080107 01'), tid)).sw).toBe('9408');
    expect(send(card, 'E0CA010000').sw).toBe('6985');
  });

  it('refuses DEBIT FOR UNLOCK with the wrong counter (9406) or more than the balance (9401)', () => {
    const { card, pump, record } = lockedCard();
    const ready = pump.prepareUnlock(record, 100);
    const body = (amountFen: number, ctc: string) =>
      concatBytes(
        fromHex('E07E08011B'),
        u32be(amountFen),
        fromHex(ctc),
        DEMO_PSAM_TERMINAL_ID,
        u32be(record.psamTtc),
        DATE,
        TIME,
        ready.gmac!,
      );
    expect(send(card, body(100, '0001')).sw).toBe('9406');
    expect(send(card, body(80_001, '0000')).sw).toBe('9401');
    expect(send(card, concatBytes(fromHex('E07E08021B'), body(100, '0000').subarray(5))).sw).toBe('6985');
    expect(send(card, 'E07E080104 00000000').sw).toBe('6700');
  });

  it('blocks the application after 3 bad GMACs: 9302 three times, then 9407, and SELECT answers 6A81', () => {
    const { card, record } = lockedCard();
    const bad = concatBytes(
      fromHex('E07E08011B'),
      u32be(100),
      fromHex('0000'),
      DEMO_PSAM_TERMINAL_ID,
      u32be(record.psamTtc),
      DATE,
      TIME,
      fromHex('00000000'),
    );
    for (let i = 0; i < 3; i++) expect(send(card, bad).sw).toBe('9302');
    expect(card.inspect().appStatus).toBe('blocked');
    expect(send(card, bad).sw).toBe('9407');
    expect(send(card, '00A404000CA00000000353494E4F504543').sw).toBe('6A81');
  });

  it('refuses a new grey lock while the unlock TAC is unread (flag 10)', () => {
    const { card, pump, record } = lockedCard();
    const ready = pump.prepareUnlock(record, 100);
    send(
      card,
      concatBytes(
        fromHex('E07E08011B'),
        u32be(100),
        fromHex('0000'),
        DEMO_PSAM_TERMINAL_ID,
        u32be(record.psamTtc),
        DATE,
        TIME,
        ready.gmac!,
      ),
    );
    expect(send(card, concatBytes(fromHex('E07A080107 01'), DEMO_PSAM_TERMINAL_ID)).sw).toBe('6985');
  });

  it('recovers the demo grey card at the pump with its grey record', () => {
    const { card, pin, greyRecord } = createDemoCard('grey');
    expect(card.inspect().grey.status).toBe(1);
    const pump = newPump();
    const session = pump.insert(card, pin);
    expect(session.greyStatus).toBe(1);
    // A fresh PSAM does not know the lock, but the record carries the GMAC of the original PSAM.
    const tac = pump.recoverGrey(session, greyRecord!);
    expect(tac.length).toBe(4);
    expect(card.inspect().purse.edBalanceFen).toBe(40_000 - 12_345);
  });
});

describe('online grey unlock (联机解扣, type 95)', () => {
  it('debits the amount with the issuer MAC2, unlocks to flag 00 and advances the online counter', () => {
    const { card, asn } = lockedCard();
    const mac3 = issuerOnlineUnlock(card, asn, {
      masters: DEMO_TEST_MASTER_KEYS,
      amountFen: 1_000,
      terminalId: fromHex('000000000007'),
      date: DATE,
      time: TIME,
    });
    expect(mac3.length).toBe(4);
    const state = card.inspect();
    expect(state.grey.status).toBe(0);
    expect(state.purse).toMatchObject({ edBalanceFen: 79_000, onlineTtc: 3, offlineTtc: 0 });
    expect(send(card, '00B201C417').data.slice(18, 20)).toBe('95');
    expect(send(card, '805A009502 0002').data.slice(0, 8)).toBe(toHex(mac3));
  });

  it('forces an unlock with amount 0', () => {
    const { card, asn } = lockedCard();
    issuerOnlineUnlock(card, asn, {
      masters: DEMO_TEST_MASTER_KEYS,
      amountFen: 0,
      terminalId: fromHex('000000000007'),
      date: DATE,
      time: TIME,
    });
    expect(card.inspect().purse.edBalanceFen).toBe(80_000);
    expect(card.inspect().grey.status).toBe(0);
  });

  it('refuses INITIALIZE FOR GREY UNLOCK on a card that is not grey (6985) and a bad MAC2 (9302)', () => {
    const demo = createDemoCard('named');
    demo.card.powerOn();
    send(demo.card, '00A404000CA00000000353494E4F504543');
    expect(send(demo.card, 'E07A09010701000000000007').sw).toBe('6985');
    const { card } = lockedCard();
    expect(send(card, 'E07A09010701000000000007').sw).toBe('9000');
    expect(send(card, concatBytes(fromHex('E07E09000F'), u32be(0), DATE, TIME, fromHex('00000000'))).sw).toBe('9302');
    expect(() =>
      issuerOnlineUnlock(card, new Uint8Array(10), {
        masters: DEMO_TEST_MASTER_KEYS,
        amountFen: 0,
        terminalId: fromHex('000000000007'),
        date: DATE,
        time: TIME,
      }),
    ).toThrow(SimIssuerError);
  });
});
