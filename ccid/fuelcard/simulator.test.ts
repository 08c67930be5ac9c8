/**
 * The application layer against the simulated fuel card of ccid/sim (another room's card side of
 * the same commands), at the APDU level: the flows of this folder must work on it unchanged, and
 * the host computes its MACs with ccid/crypto from the demo master keys.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import * as C from '../crypto/index.ts';
import { createDemoCard, DEMO_PIN, DEMO_TEST_MASTER_KEYS, type DemoCardId } from '../sim/demo-cards.ts';
import { encodeBcdDate, encodeBcdTime } from './bcd.ts';
import { getBalance, verifyPin } from './card.ts';
import { load, recoverOnline, unload, type OnlineHost } from './load.ts';
import { changePin } from './pin.ts';
import { readCard } from './read.ts';
import type { Transmit } from './transport.ts';
import { onlineGreyUnlock, unlockWithGreyRecord, type GreyUnlockHost } from './unlock.ts';

const TERMINAL_ID = '000000000009';
const DATE = '2024-03-04';
const TIME = '05:06:07';

function simulated(id: DemoCardId) {
  const demo = createDemoCard(id);
  demo.card.powerOn();
  const transmit: Transmit = async (apdu) => demo.card.transmit(apdu);
  return { demo, transmit, factor: C.asnFactor(demo.asn) };
}

function onlineHost(factor: Uint8Array): OnlineHost {
  return async (r) => {
    const isLoad = r.transType !== C.TRANS_TYPE.UNLOAD;
    const cardKey = C.diversify(isLoad ? DEMO_TEST_MASTER_KEYS.MLK : DEMO_TEST_MASTER_KEYS.MULK, factor);
    const sessionKey = C.loadSessionKey(cardKey, fromHex(r.random), r.onlineTtc);
    const terminalId = fromHex(r.terminalId);
    const mac1 = isLoad
      ? C.loadMac1({ sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, transType: r.transType, terminalId })
      : C.unloadMac1({ sessionKey, balanceFen: r.balanceFen, amountFen: r.amountFen, terminalId });
    expect(toHex(mac1)).toBe(r.mac1);
    const stamp = { sessionKey, amountFen: r.amountFen, terminalId, date: encodeBcdDate(DATE), time: encodeBcdTime(TIME) };
    return { mac2: toHex(isLoad ? C.loadMac2({ ...stamp, transType: r.transType }) : C.unloadMac2(stamp)), date: DATE, time: TIME };
  };
}

function unlockHost(factor: Uint8Array, amountFen: number): GreyUnlockHost {
  return async (r) => {
    const sessionKey = C.onlineUnlockSessionKey(C.diversify(DEMO_TEST_MASTER_KEYS.MUGK, factor), fromHex(r.random), r.onlineTtc);
    expect(toHex(C.onlineUnlockMac1({ sessionKey, balanceFen: r.balanceFen, offlineTtc: r.offlineTtc, terminalId: fromHex(r.terminalId) }))).toBe(r.mac1);
    const mac2 = C.onlineUnlockMac2({ sessionKey, amountFen, terminalId: fromHex(r.terminalId), date: encodeBcdDate(DATE), time: encodeBcdTime(TIME) });
    return { amountFen, mac2: toHex(mac2), date: DATE, time: TIME };
  };
}

describe('against the simulated card', () => {
  it('reads the named demo card with its holder name, log and balance', async () => {
    const { transmit, demo } = simulated('named');
    const reading = await readCard(transmit, { pin: DEMO_PIN, selectLoyalty: true });
    expect(reading.ef15.asn).toBe(toHex(demo.asn));
    expect(reading.ef16.holderName.length).toBeGreaterThan(0);
    expect(reading.balanceFen).toBeGreaterThan(0);
    expect(reading.greyState).toBe('NORMAL');
  });

  it('loads and unloads, and the TAC of the load verifies with DTK', async () => {
    const { transmit, factor } = simulated('named');
    await readCard(transmit, { pin: DEMO_PIN });
    const before = await getBalance(transmit);
    const loaded = await load(transmit, { amountFen: 12345, terminalId: TERMINAL_ID, host: onlineHost(factor) });
    const tac = C.loadTac({
      dtk: C.diversify(DEMO_TEST_MASTER_KEYS.MTK, factor), balanceFenAfter: before + 12345, onlineTtc: loaded.onlineTtc, amountFen: 12345,
      transType: 1, terminalId: fromHex(TERMINAL_ID), date: encodeBcdDate(DATE), time: encodeBcdTime(TIME),
    });
    expect(loaded.tac).toBe(toHex(tac));
    await unload(transmit, { amountFen: 345, terminalId: TERMINAL_ID, host: onlineHost(factor) });
    expect(await getBalance(transmit)).toBe(before + 12000);
  });

  it('recovers a completed load by its counter and GET TRANSACTION PROVE', async () => {
    const { transmit, factor } = simulated('named');
    await readCard(transmit, { pin: DEMO_PIN });
    const loaded = await load(transmit, { amountFen: 100, terminalId: TERMINAL_ID, host: onlineHost(factor) });
    const recovered = await recoverOnline(transmit, { transType: 1, onlineTtc: loaded.onlineTtc, terminalId: TERMINAL_ID, amountFen: 100 });
    expect(recovered).toMatchObject({ outcome: 'COMPLETED', tac: loaded.tac });
  });

  it('changes the PIN and answers a wrong one with tries left', async () => {
    const { transmit } = simulated('named');
    await readCard(transmit, { pin: DEMO_PIN });
    await changePin(transmit, { oldPin: DEMO_PIN, newPin: '246810' });
    await expect(verifyPin(transmit, DEMO_PIN)).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 2 });
    await expect(verifyPin(transmit, '246810')).resolves.toBeUndefined();
  });

  it('unlocks the grey demo card online (type 95)', async () => {
    const { transmit, factor } = simulated('grey');
    const reading = await readCard(transmit, { pin: DEMO_PIN });
    expect(reading.greyState).toBe('LOCKED');
    const result = await onlineGreyUnlock(transmit, { terminalId: TERMINAL_ID, host: unlockHost(factor, 0) });
    expect(result.mac3).toMatch(/^[0-9A-F]{8}$/);
    const after = await readCard(transmit, { pin: DEMO_PIN });
    expect(after.greyState).toBe('NORMAL');
  });

  it('unlocks the grey demo card with the pump grey record (DEBIT FOR UNLOCK)', async () => {
    const { transmit, demo } = simulated('grey');
    const record = demo.greyRecord!;
    expect(record.amountFen).toBeDefined();
    expect(record.gmac).toBeDefined();
    await readCard(transmit, { pin: DEMO_PIN });
    const { tac } = await unlockWithGreyRecord(transmit, {
      offlineTtc: record.offlineTtc,
      record: { amountFen: record.amountFen!, gmac: toHex(record.gmac!), terminalId: toHex(record.terminalId), terminalTtc: record.psamTtc, date: toHex(record.date).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'), time: toHex(record.time).replace(/(\d{2})(\d{2})(\d{2})/, '$1:$2:$3') },
    });
    expect(tac).toMatch(/^[0-9A-F]{8}$/);
    expect((await readCard(transmit, { pin: DEMO_PIN })).greyState).toBe('NORMAL');
  });
});
