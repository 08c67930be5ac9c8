import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, readU16be, readU32be, toHex, u32be } from '../../bytes.ts';
import {
  TRANS_TYPE,
  asnFactor,
  diversify,
  loadMac1,
  loadMac2,
  loadSessionKey,
  loadTac,
  purchaseTac,
  unloadMac1,
  unloadMac2,
  unloadMac3,
  unloadSessionKey,
} from '../../crypto/index.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { createDemoCard } from '../demo/cards.ts';
import { issuerLoad } from './issuer.ts';
import { openedDemo, send } from './testkit.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from '../pump/psam.ts';
import { Pump } from '../pump/pump.ts';

const TID = fromHex('000000000042');
const DATE = fromHex('20240601');
const TIME = fromHex('101112');
const STAMP = { terminalId: TID, date: DATE, time: TIME };

/** The issuer's side: card keys from the DEMO master keys and the card number, as a server does. */
const issuerKey = (master: Uint8Array, asn: Uint8Array) => diversify(master, asnFactor(asn));

function initLoad(card: Parameters<typeof send>[0], amountFen: number, purse = 1) {
  const r = send(card, concatBytes(fromHex(`805000${purse.toString(16).padStart(2, '0')}0B01`), u32be(amountFen), TID, fromHex('10')));
  const b = r.bytes;
  return {
    sw: r.sw,
    balanceFen: b.length ? readU32be(b, 0) : 0,
    onlineTtc: b.length ? readU16be(b, 4) : 0,
    keyVersion: b[6],
    algId: b[7],
    random: b.slice(8, 12),
    mac1: b.slice(12, 16),
  };
}

describe('a load (圈存), with the test playing the issuer', () => {
  it('proves MAC1, takes the issuer MAC2, credits the purse and answers a TAC the issuer can check', () => {
    const { card, asn } = openedDemo('named');
    const amountFen = 12_345;
    const init = initLoad(card, amountFen);
    expect(init).toMatchObject({ sw: '9000', balanceFen: 80_000, onlineTtc: 2, keyVersion: 1, algId: 0 });
    const dlk = issuerKey(DEMO_TEST_MASTER_KEYS.MLK, asn);
    const sessionKey = loadSessionKey(dlk, init.random, init.onlineTtc);
    expect(toHex(init.mac1)).toBe(
      toHex(loadMac1({ sessionKey, balanceFen: 80_000, amountFen, transType: TRANS_TYPE.LOAD_ED, terminalId: TID })),
    );
    const mac2 = loadMac2({ sessionKey, amountFen, transType: TRANS_TYPE.LOAD_ED, ...STAMP });
    const credit = send(card, concatBytes(fromHex('805200000B'), DATE, TIME, mac2, fromHex('04')));
    expect(credit.sw).toBe('9000');
    const dtk = issuerKey(DEMO_TEST_MASTER_KEYS.MTK, asn);
    const tac = loadTac({ dtk, balanceFenAfter: 92_345, onlineTtc: 2, amountFen, transType: TRANS_TYPE.LOAD_ED, ...STAMP });
    expect(credit.data).toBe(toHex(tac));
    expect(send(card, '805C000104').data).toBe('000168B9');
    expect(send(card, '00B201C417').data).toBe(`0002000000${toHex(u32be(amountFen))}01${toHex(TID)}${toHex(DATE)}${toHex(TIME)}`);
    expect(send(card, '805A000102 0002').data).toBe(toHex(concatBytes(tac, mac2)));
  });

  it('loads the EP purse with type 02 and no PIN', () => {
    const { card, asn } = createDemoCard('named');
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    const result = issuerLoad(card, asn, { masters: DEMO_TEST_MASTER_KEYS, amountFen: 500, purse: 2, ...STAMP });
    expect(result.balanceFenBefore).toBe(0);
    expect(send(card, '805C000204').data).toBe('000001F4');
    expect(send(card, '00B201C417').data.slice(18, 20)).toBe('02');
  });

  it('refuses a wrong MAC2 with 9302 and leaves balance, counter and log alone', () => {
    const { card } = openedDemo('named');
    const before = card.inspect();
    initLoad(card, 100);
    expect(send(card, concatBytes(fromHex('805200000B'), DATE, TIME, fromHex('DEADBEEF'))).sw).toBe('9302');
    expect(card.inspect()).toEqual(before);
    // The session is gone: the same CREDIT again finds nothing to complete.
    expect(send(card, concatBytes(fromHex('805200000B'), DATE, TIME, fromHex('DEADBEEF'))).sw).toBe('6985');
  });

  it('refuses CREDIT FOR LOAD without INITIALIZE, or with another command in between, with 6985', () => {
    const { card, asn } = openedDemo('named');
    const init = initLoad(card, 100);
    const sessionKey = loadSessionKey(issuerKey(DEMO_TEST_MASTER_KEYS.MLK, asn), init.random, init.onlineTtc);
    const mac2 = loadMac2({ sessionKey, amountFen: 100, transType: TRANS_TYPE.LOAD_ED, ...STAMP });
    send(card, '805C000104');
    expect(send(card, concatBytes(fromHex('805200000B'), DATE, TIME, mac2)).sw).toBe('6985');
  });

  it('refuses an INITIALIZE FOR LOAD without PIN (6982), with an unknown key index (9403), past the purse limit (6985), bad length (6700), bad P2 (6A86)', () => {
    const { card } = createDemoCard('named');
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    expect(initLoad(card, 100).sw).toBe('6982');
    send(card, '0020000003 123456');
    expect(send(card, concatBytes(fromHex('805000010B02'), u32be(100), TID)).sw).toBe('9403');
    expect(initLoad(card, 1_000_000).sw).toBe('6985');
    expect(send(card, '805000010A 01000000640000000000').sw).toBe('6700');
    expect(send(card, concatBytes(fromHex('805000030B01'), u32be(100), TID)).sw).toBe('6A86');
    expect(send(card, concatBytes(fromHex('805007010B01'), u32be(100), TID)).sw).toBe('6A86');
  });

  it('keeps only the last 10 transactions in EF18', () => {
    const { card, asn } = openedDemo('anonymous');
    for (let i = 0; i < 12; i++) issuerLoad(card, asn, { masters: DEMO_TEST_MASTER_KEYS, amountFen: 100 + i, ...STAMP });
    expect(send(card, '00B20AC417').sw).toBe('9000');
    expect(send(card, '00B20BC417').sw).toBe('6A83');
    expect(send(card, '00B201C417').data.slice(0, 4)).toBe('000C');
    expect(send(card, '00B20AC417').data.slice(0, 4)).toBe('0003');
  });

  it('refuses money commands on an employee card with 6A81', () => {
    const { card } = createDemoCard('employee');
    card.powerOn();
    send(card, '00A404000CA00000000353494E4F504543');
    send(card, '0020000002 9999');
    expect(initLoad(card, 100).sw).toBe('6A81');
  });
});

describe('an unload (圈提)', () => {
  it('debits the ED purse with the issuer MAC2 and answers MAC3, proven by GET TRANSACTION PROVE', () => {
    const { card, asn } = openedDemo('named');
    const r = send(card, concatBytes(fromHex('805005010B01'), u32be(30_000), TID, fromHex('10')));
    expect(r.sw).toBe('9000');
    const [balanceFen, onlineTtc, random, mac1] = [
      readU32be(r.bytes, 0),
      readU16be(r.bytes, 4),
      r.bytes.slice(8, 12),
      r.bytes.slice(12, 16),
    ];
    const sessionKey = unloadSessionKey(issuerKey(DEMO_TEST_MASTER_KEYS.MULK, asn), random, onlineTtc);
    expect(toHex(mac1)).toBe(toHex(unloadMac1({ sessionKey, balanceFen, amountFen: 30_000, terminalId: TID })));
    const mac2 = unloadMac2({ sessionKey, amountFen: 30_000, ...STAMP });
    const debit = send(card, concatBytes(fromHex('805403000B'), DATE, TIME, mac2, fromHex('04')));
    const mac3 = unloadMac3({
      dtk: issuerKey(DEMO_TEST_MASTER_KEYS.MTK, asn),
      balanceFenAfter: 50_000,
      onlineTtc,
      amountFen: 30_000,
      ...STAMP,
    });
    expect(debit).toMatchObject({ sw: '9000', data: toHex(mac3) });
    expect(send(card, '805C000104').data).toBe(toHex(u32be(50_000)));
    expect(send(card, `805A000302${toHex(Uint8Array.of(0, onlineTtc))}`).data).toBe(toHex(concatBytes(mac3, mac2)));
  });

  it('refuses more than the balance with 9401, the EP purse with 6A86, and a bad MAC2 with 9302', () => {
    const { card } = openedDemo('named');
    expect(send(card, concatBytes(fromHex('805005010B01'), u32be(80_001), TID)).sw).toBe('9401');
    expect(send(card, concatBytes(fromHex('805005020B01'), u32be(1), TID)).sw).toBe('6A86');
    expect(send(card, concatBytes(fromHex('805005010B01'), u32be(1), TID)).sw).toBe('9000');
    expect(send(card, concatBytes(fromHex('805403000B'), DATE, TIME, fromHex('00000000'))).sw).toBe('9302');
    expect(send(card, '805C000104').data).toBe(toHex(u32be(80_000)));
  });
});

describe('a purchase at the pump (PSAM and card)', () => {
  const newPump = () => new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });

  it('debits the purse, bumps the offline counter, and answers a TAC the issuer can check', () => {
    const { card, asn } = createDemoCard('named');
    const pump = newPump();
    const session = pump.insert(card, '123456');
    const record = pump.purchase(session, { amountFen: 3_000, date: DATE, time: TIME });
    expect(record).toMatchObject({ offlineTtc: 0, psamTtc: 1, balanceFenAfter: 77_000 });
    const dtk = issuerKey(DEMO_TEST_MASTER_KEYS.MTK, asn);
    const tac = purchaseTac({
      dtk,
      amountFen: 3_000,
      transType: TRANS_TYPE.PURCHASE_ED,
      terminalId: DEMO_PSAM_TERMINAL_ID,
      terminalTtc: 1,
      date: DATE,
      time: TIME,
    });
    expect(toHex(record.tac)).toBe(toHex(tac));
    expect(card.inspect().purse).toMatchObject({ edBalanceFen: 77_000, offlineTtc: 1 });
    expect(send(card, '805A000502 0000').data).toBe(toHex(concatBytes(record.tac, record.mac2!)));
    expect(send(card, '805A000502 0001').sw).toBe('9406');
  });

  it('refuses a purchase above the balance with 9401 and a forged MAC1 with 9302', () => {
    const { card } = createDemoCard('named');
    const session = newPump().insert(card, '123456');
    expect(send(card, concatBytes(fromHex('805001010B01'), u32be(80_001), DEMO_PSAM_TERMINAL_ID)).sw).toBe('9401');
    expect(send(card, concatBytes(fromHex('805001010B01'), u32be(100), DEMO_PSAM_TERMINAL_ID)).sw).toBe('9000');
    expect(send(card, concatBytes(fromHex('805401000F 00000001'), DATE, TIME, fromHex('01020304'))).sw).toBe('9302');
    expect(session.card).toBe(card);
    expect(card.inspect().purse.edBalanceFen).toBe(80_000);
  });
});

describe('GET TRANSACTION PROVE', () => {
  it('answers 9406 for a counter that never transacted and for the wrong transaction type', () => {
    const { card } = openedDemo('named');
    expect(send(card, '805A000102 0001').sw).toBe('9000');
    expect(send(card, '805A000102 0002').sw).toBe('9406');
    expect(send(card, '805A000302 0001').sw).toBe('9406');
    expect(send(card, '805A010102 0001').sw).toBe('6A86');
    expect(send(card, '805A000101 00').sw).toBe('6700');
  });

  it('answers MAC then TAC when the card is built with that order', async () => {
    const { createDemoCard: make } = await import('../demo/cards.ts');
    const demo = make('named', { behaviour: { proveOrder: 'MAC_TAC' } });
    demo.card.powerOn();
    send(demo.card, '00A404000CA00000000353494E4F504543');
    const proof = demo.card.inspect().proofs.online!;
    expect(send(demo.card, '805A000102 0001').data).toBe(toHex(concatBytes(proof.mac, proof.tac)));
  });
});
