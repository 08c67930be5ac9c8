/**
 * The host side (ccid/fuelcard flows) driving the simulated card: the two were written apart from
 * the same description (docs/card-protocol.md), so these tests are where they must agree.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../bytes.ts';
import { TRANS_TYPE, asnFactor, diversify, loadTac } from '../../crypto/index.ts';
import { changePin, getTransactionProve, verifyPin } from '../../fuelcard/card.ts';
import { load, recoverOnline, unload } from '../../fuelcard/load.ts';
import { reloadCardPin, unblockPin } from '../../fuelcard/pin.ts';
import { readCard } from '../../fuelcard/read.ts';
import { onlineGreyUnlock, unlockWithGreyRecord } from '../../fuelcard/unlock.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import { createDemoCard } from '../demo/cards.ts';
import { demoIssuer } from '../demo/issuer.ts';
import type { FuelCard } from './fuel-card.ts';

const transmitOf = (card: FuelCard) => async (apdu: Uint8Array) => card.transmit(apdu);
const TID = '000000000042';
const key = (master: Uint8Array, asn: string) => diversify(master, asnFactor(fromHex(asn)));

const issuerOf = (asn: string) => demoIssuer({ asn, date: '2024-06-01', time: '10:11:12' });

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
    const loaded = await load(transmit, { amountFen: 5_000, terminalId: TID, host: issuerOf(asnText).online });
    const tac = loadTac({
      dtk: key(DEMO_TEST_MASTER_KEYS.MTK, asnText),
      balanceFenAfter: 85_000,
      onlineTtc: 2,
      amountFen: 5_000,
      transType: TRANS_TYPE.LOAD_ED,
      terminalId: fromHex(TID),
      date: fromHex('20240601'),
      time: fromHex('101112'),
    });
    expect(loaded).toMatchObject({ balanceFenAfter: 85_000, tac: toHex(tac), onlineTtc: 2 });
    const unloaded = await unload(transmit, { amountFen: 85_000, terminalId: TID, host: issuerOf(asnText).online });
    expect(unloaded.balanceFenAfter).toBe(0);
    expect(await getTransactionProve(transmit, { transType: TRANS_TYPE.UNLOAD, ttc: 3 })).toEqual({
      tac: unloaded.tac,
      mac: expect.any(String),
    });
  });

  it('recovers a load whose answer was lost, by the online counter and GET TRANSACTION PROVE', async () => {
    for (const when of ['before-write', 'after-write'] as const) {
      const { card, transmit, asnText, pin } = await opened('named');
      card.failNext({ when, ins: 0x52 });
      await expect(load(transmit, { amountFen: 1_000, terminalId: TID, host: issuerOf(asnText).online })).rejects.toMatchObject({
        code: 'CARD_POWER_LOST',
      });
      card.powerOn();
      await readCard(transmit, { pin });
      const outcome = await recoverOnline(transmit, { transType: TRANS_TYPE.LOAD_ED, onlineTtc: 2, terminalId: TID });
      expect(outcome.outcome).toBe(when === 'after-write' ? 'COMPLETED' : 'NOT_DONE');
      expect(card.inspect().purse.edBalanceFen).toBe(when === 'after-write' ? 81_000 : 80_000);
    }
  });

  it('changes, unblocks and reloads the PIN', async () => {
    const { card, transmit, asnText } = await opened('named');
    await changePin(transmit, { oldPin: '123456', newPin: '2468' });
    await verifyPin(transmit, '2468');
    await unblockPin(transmit, { asn: asnText, host: issuerOf(asnText).pinUnblock('112233') });
    expect(toHex(card.inspect().pin.bcd)).toBe('112233');
    await reloadCardPin(transmit, { asn: asnText, host: issuerOf(asnText).pinReload('8888') });
    await verifyPin(transmit, '8888');
  });

  it('unlocks the demo grey card online (type 95) with the issuer MAC2', async () => {
    const { card, transmit, asnText, greyRecord } = await opened('grey');
    const result = await onlineGreyUnlock(transmit, { terminalId: TID, host: issuerOf(asnText).unlock(greyRecord!.amountFen!) });
    expect(result.mac3).toHaveLength(8);
    expect(card.inspect().grey.status).toBe(0);
    expect(card.inspect().purse.edBalanceFen).toBe(40_000 - 12_345);
  });

  it('unlocks the demo grey card with its pump grey record (DEBIT FOR UNLOCK)', async () => {
    const { card, transmit, greyRecord } = await opened('grey');
    const r = greyRecord!;
    const { tac } = await unlockWithGreyRecord(transmit, {
      offlineTtc: r.offlineTtc,
      record: {
        amountFen: r.amountFen!,
        gmac: toHex(r.gmac!),
        terminalId: toHex(r.terminalId),
        terminalTtc: r.psamTtc,
        date: '2024-03-15',
        time: '08:15:00',
      },
    });
    expect(tac).toHaveLength(8);
    expect(card.inspect().grey.status).toBe(0);
  });
});
