/**
 * The host side (ccid/fuelcard flows) driving the simulated card: the two were written apart from
 * the same reference, so these tests are where they must agree.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import {
  TRANS_TYPE,
  asnFactor,
  diversify,
  loadMac1,
  loadMac2,
  loadSessionKey,
  loadTac,
  onlineUnlockMac2,
  onlineUnlockSessionKey,
  pinReloadMac,
  pinUnblockData,
  unloadMac2,
  unloadSessionKey,
} from '../crypto/index.ts';
import { changePin, getTransactionProve, verifyPin } from '../fuelcard/card.ts';
import { personalise } from '../fuelcard/issue.ts';
import { load, recoverOnline, unload, type OnlineHost } from '../fuelcard/load.ts';
import { reloadCardPin, unblockPin } from '../fuelcard/pin.ts';
import { readCard } from '../fuelcard/read.ts';
import { onlineGreyUnlock, unlockWithGreyRecord } from '../fuelcard/unlock.ts';
import { DEMO_TEST_MASTER_KEYS, createDemoCard } from './demo-cards.ts';
import { pinToBcd } from './fuel-card-files.ts';
import { blankFuelCard } from './fuel-card-issue.ts';
import { deriveCardKey } from './fuel-card-keys.ts';
import type { FuelCard } from './fuel-card.ts';

const transmitOf = (card: FuelCard) => async (apdu: Uint8Array) => card.transmit(apdu);
const TID = '000000000042';
const key = (master: Uint8Array, asn: string) => diversify(master, asnFactor(fromHex(asn)));

/** The issuer: checks MAC1 and answers MAC2 with the DEMO master keys, as the server would. */
function issuerHost(asn: string, kind: 'load' | 'unload'): OnlineHost {
  return async (r) => {
    const master = kind === 'load' ? DEMO_TEST_MASTER_KEYS.MLK : DEMO_TEST_MASTER_KEYS.MULK;
    const make = kind === 'load' ? loadSessionKey : unloadSessionKey;
    const sessionKey = make(key(master, asn), fromHex(r.random), r.onlineTtc);
    const mac1 = loadMac1({ sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, transType: r.transType, terminalId: fromHex(r.terminalId) });
    if (toHex(mac1) !== r.mac1) throw new Error('MAC1 does not verify');
    const stamp = { terminalId: fromHex(r.terminalId), date: fromHex('20240601'), time: fromHex('101112') };
    const mac2 = kind === 'load' ? loadMac2({ sessionKey, amountFen: r.amountFen, transType: r.transType, ...stamp }) : unloadMac2({ sessionKey, amountFen: r.amountFen, ...stamp });
    return { mac2: toHex(mac2), date: '2024-06-01', time: '10:11:12' };
  };
}

async function opened(id: Parameters<typeof createDemoCard>[0]) {
  const demo = createDemoCard(id);
  demo.card.powerOn();
  const reading = await readCard(transmitOf(demo.card), { pin: demo.pin, selectLoyalty: true });
  return { ...demo, transmit: transmitOf(demo.card), reading, asnText: toHex(demo.asn) };
}

describe('ccid/fuelcard flows against the simulated card', () => {
  it('reads a card the dispenser way: holder name, balance, records, grey state', async () => {
    const { reading } = await opened('named');
    expect(reading).toMatchObject({ loyalty: 'ABSENT', pinVerified: true, balanceFen: 80_000, greyState: 'NORMAL', lockProof: null });
    expect(reading.ef16.holderName).toBe('张伟');
    expect(reading.ef15.expiryDate).toBe('2034-12-31');
    expect(reading.records).toHaveLength(2);
    expect(reading.records![0]).toMatchObject({ amountFen: 30_000 });
  });

  it('reads an anonymous card with the default PIN and a grey card as LOCKED', async () => {
    expect((await opened('anonymous')).reading).toMatchObject({ pinVerified: true, balanceFen: 10_000 });
    expect((await opened('grey')).reading.greyState).toBe('LOCKED');
  });

  it('loads and unloads, with TACs the issuer can check', async () => {
    const { transmit, asnText } = await opened('named');
    const loaded = await load(transmit, { amountFen: 5_000, terminalId: TID, host: issuerHost(asnText, 'load') });
    const tac = loadTac({ dtk: key(DEMO_TEST_MASTER_KEYS.MTK, asnText), balanceFenAfter: 85_000, onlineTtc: 2, amountFen: 5_000, transType: TRANS_TYPE.LOAD_ED, terminalId: fromHex(TID), date: fromHex('20240601'), time: fromHex('101112') });
    expect(loaded).toMatchObject({ balanceFenAfter: 85_000, tac: toHex(tac), onlineTtc: 2 });
    const unloaded = await unload(transmit, { amountFen: 85_000, terminalId: TID, host: issuerHost(asnText, 'unload') });
    expect(unloaded.balanceFenAfter).toBe(0);
    expect(await getTransactionProve(transmit, { transType: TRANS_TYPE.UNLOAD, ttc: 3 })).toEqual({ tac: unloaded.tac, mac: expect.any(String) });
  });

  it('recovers a load whose answer was lost, by the online counter and GET TRANSACTION PROVE', async () => {
    for (const when of ['before-write', 'after-write'] as const) {
      const { card, transmit, asnText, pin } = await opened('named');
      card.failNext({ when, ins: 0x52 });
      await expect(load(transmit, { amountFen: 1_000, terminalId: TID, host: issuerHost(asnText, 'load') })).rejects.toMatchObject({ code: 'CARD_POWER_LOST' });
      card.powerOn();
      await readCard(transmit, { pin });
      const outcome = await recoverOnline(transmit, { transType: TRANS_TYPE.LOAD_ED, onlineTtc: 2, terminalId: TID, amountFen: 1_000 });
      expect(outcome.outcome).toBe(when === 'after-write' ? 'COMPLETED' : 'NOT_DONE');
      expect(card.inspect().purse.edBalanceFen).toBe(when === 'after-write' ? 81_000 : 80_000);
    }
  });

  it('changes, unblocks and reloads the PIN', async () => {
    const { card, transmit, asnText } = await opened('named');
    await changePin(transmit, { oldPin: '123456', newPin: '2468' });
    await verifyPin(transmit, '2468');
    await unblockPin(transmit, {
      asn: asnText,
      host: async ({ challenge }) => {
        const data = pinUnblockData({ dpuk: key(DEMO_TEST_MASTER_KEYS.MPUK, asnText), pin: pinToBcd('112233'), challenge: fromHex(challenge) });
        return { encryptedPinBlock: toHex(data.slice(0, 8)), mac: toHex(data.slice(8)) };
      },
    });
    expect(toHex(card.inspect().pin.bcd)).toBe('112233');
    await reloadCardPin(transmit, { asn: asnText, host: async () => ({ newPin: '8888', mac: toHex(pinReloadMac({ drpk: key(DEMO_TEST_MASTER_KEYS.MRPK, asnText), pin: pinToBcd('8888') })) }) });
    await verifyPin(transmit, '8888');
  });

  it('unlocks the demo grey card online (type 95) with the issuer MAC2', async () => {
    const { card, transmit, asnText, greyRecord } = await opened('grey');
    const result = await onlineGreyUnlock(transmit, {
      terminalId: TID,
      host: async (r) => {
        const sessionKey = onlineUnlockSessionKey(key(DEMO_TEST_MASTER_KEYS.MUGK, asnText), fromHex(r.random), r.onlineTtc);
        const amountFen = greyRecord!.amountFen!;
        const mac2 = onlineUnlockMac2({ sessionKey, amountFen, terminalId: fromHex(TID), date: fromHex('20240601'), time: fromHex('101112') });
        return { amountFen, mac2: toHex(mac2), date: '2024-06-01', time: '10:11:12' };
      },
    });
    expect(result.mac3).toHaveLength(8);
    expect(card.inspect().grey.status).toBe(0);
    expect(card.inspect().purse.edBalanceFen).toBe(40_000 - 12_345);
  });

  it('unlocks the demo grey card with its pump grey record (DEBIT FOR UNLOCK)', async () => {
    const { card, transmit, greyRecord } = await opened('grey');
    const r = greyRecord!;
    const { tac } = await unlockWithGreyRecord(transmit, {
      offlineTtc: r.offlineTtc,
      record: { amountFen: r.amountFen!, gmac: toHex(r.gmac!), terminalId: toHex(r.terminalId), terminalTtc: r.psamTtc, date: '2024-03-15', time: '08:15:00' },
    });
    expect(tac).toHaveLength(8);
    expect(card.inspect().grey.status).toBe(0);
  });

  it('personalises a blank card with the issuance flow, then reads and loads it', async () => {
    const card = blankFuelCard();
    card.powerOn();
    const transmit = transmitOf(card);
    const asn = '01000113200000000099';
    const derive = (kind: Parameters<typeof deriveCardKey>[0]) => deriveCardKey(kind, { masters: DEMO_TEST_MASTER_KEYS, asn: fromHex(asn), issuerId: fromHex('10FFFFFFFFFFFFFF'), dpkDiversification: 'ISSUER_THEN_ASN' });
    await personalise(transmit, {
      ef15: { issuerId: '10FFFFFFFFFFFFFF', appType: 0x11, appVersion: 0x01, asn, startDate: '2024-01-01', expiryDate: '2030-12-31', instructionVersion: 1, rfu: 0 },
      ef16: { holderFlag: 1, employeeFlag: 0, holderName: '赵敏', idNumber: '320102199909099999', idType: 1 },
      ef1b: (await import('../fuelcard/files.ts')).decodeEf1b(new Uint8Array(32).fill(0).map((_, i) => (i === 0 ? 1 : 0))),
      ef1c: (await import('../fuelcard/files.ts')).decodeEf1c(createDemoCard('named').card.inspect().ef1c),
      keys: { DAMTK: derive('DAMTK'), DLK: derive('DLK'), DTK: derive('DTK'), DPK: derive('DPK'), DULK: derive('DULK'), DUGK: derive('DUGK'), DPUK: derive('DPUK'), DRPK: derive('DRPK') },
      pin: '654321',
    });
    const reading = await readCard(transmit, { pin: '654321' });
    expect(reading.ef16.holderName).toBe('赵敏');
    expect(reading.ef15.asn).toBe(asn);
    const loaded = await load(transmit, { amountFen: 100, terminalId: TID, host: issuerHost(asn, 'load') });
    expect(loaded.balanceFenAfter).toBe(100);
  });
});
