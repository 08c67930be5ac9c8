/** The card-side flows against the test card model: read, load, unload, recovery, PIN, grey unlock, issuance. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import * as C from '../crypto/index.ts';
import { verifyPin, getBalance, initializeForLoad, selectSinopec } from './card.ts';
import { readCard } from './read.ts';
import { load, recoverOnline, unload } from './load.ts';
import { reloadCardPin, unblockPin } from './pin.ts';
import { onlineGreyUnlock } from './unlock.ts';
import { personalise } from './issue.ts';
import { decodeEf16 } from './files.ts';
import { TEST_EF15, TEST_TERMINAL_ID, TestCard, testCardKeys } from './test-card.ts';
import { testLoadHost, testUnlockHost } from './sessions.ts';

async function openCard(card: TestCard): Promise<void> {
  await selectSinopec(card.transmit);
  await verifyPin(card.transmit, '123456');
}

describe('reading a card', () => {
  it('reads files, log, lock proof and balance with the PIN', async () => {
    const card = new TestCard();
    await load(card.transmit, { amountFen: 2500, terminalId: TEST_TERMINAL_ID, host: testLoadHost });
    const reading = await readCard(card.transmit, { pin: '123456' });
    expect(reading.ef15.asn).toBe('01000113200000123456');
    expect(reading.ef16.holderName).toBe('张三');
    expect(reading.balanceFen).toBe(2500);
    expect(reading.records).toHaveLength(1);
    expect(reading.records![0]).toMatchObject({ amountFen: 2500, transType: 1 });
    expect(reading.greyState).toBe('NORMAL');
  });

  it('reads without a PIN and leaves the balance unknown', async () => {
    const reading = await readCard(new TestCard({ balanceFen: 10 }).transmit);
    expect(reading.pinVerified).toBe(false);
    expect(reading.balanceFen).toBeNull();
  });

  it('verifies the default PIN 9999 by itself when EF1B says so', async () => {
    const reading = await readCard(new TestCard({ balanceFen: 10, pin: '9999', pinMode: 0 }).transmit);
    expect(reading.pinVerified).toBe(true);
    expect(reading.balanceFen).toBe(10);
  });
});

describe('load and unload', () => {
  it('loads: the TAC verifies on the host with DTK and the balance rises', async () => {
    const card = new TestCard({ balanceFen: 5000 });
    await openCard(card);
    const result = await load(card.transmit, { amountFen: 10000, terminalId: TEST_TERMINAL_ID, host: testLoadHost });
    expect(result.balanceFenAfter).toBe(15000);
    const expectedTac = C.loadTac({
      dtk: testCardKeys().DTK, balanceFenAfter: 15000, onlineTtc: result.onlineTtc, amountFen: 10000, transType: 1,
      terminalId: fromHex(TEST_TERMINAL_ID), date: fromHex('20240102'), time: fromHex('030405'),
    });
    expect(result.tac).toBe(toHex(expectedTac));
    expect(await getBalance(card.transmit)).toBe(15000);
  });

  it('refuses a MAC2 the card does not accept with MAC_INVALID and leaves the balance', async () => {
    const card = new TestCard({ balanceFen: 5000 });
    await openCard(card);
    const host = async () => ({ mac2: '00000000', date: '2024-01-02', time: '03:04:05' });
    await expect(load(card.transmit, { amountFen: 1, terminalId: TEST_TERMINAL_ID, host })).rejects.toMatchObject({ code: 'MAC_INVALID' });
    expect(card.balanceFen).toBe(5000);
  });

  it('unloads, and refuses more than the balance with INSUFFICIENT_FUNDS', async () => {
    const card = new TestCard({ balanceFen: 8000 });
    await openCard(card);
    expect((await unload(card.transmit, { amountFen: 3000, terminalId: TEST_TERMINAL_ID, host: testLoadHost })).balanceFenAfter).toBe(5000);
    await expect(unload(card.transmit, { amountFen: 9000, terminalId: TEST_TERMINAL_ID, host: testLoadHost })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('recovers a load whose answer was lost: the counter advanced and the proof gives the TAC', async () => {
    const card = new TestCard();
    await openCard(card);
    const result = await load(card.transmit, { amountFen: 700, terminalId: TEST_TERMINAL_ID, host: testLoadHost });
    const recovered = await recoverOnline(card.transmit, { transType: 1, onlineTtc: result.onlineTtc, terminalId: TEST_TERMINAL_ID, amountFen: 700 });
    expect(recovered).toEqual({ outcome: 'COMPLETED', tac: result.tac, onlineTtcNow: result.onlineTtc + 1 });
  });

  it('recovers a load that never reached CREDIT as not done', async () => {
    const card = new TestCard();
    await openCard(card);
    const init = await initializeForLoad(card.transmit, { keyIndex: 1, amountFen: 700, terminalId: TEST_TERMINAL_ID });
    const recovered = await recoverOnline(card.transmit, { transType: 1, onlineTtc: init.onlineTtc, terminalId: TEST_TERMINAL_ID, amountFen: 700 });
    expect(recovered.outcome).toBe('NOT_DONE');
  });
});

describe('PIN', () => {
  it('counts wrong PINs down to blocked and unblocks with the host data', async () => {
    const card = new TestCard();
    await selectSinopec(card.transmit);
    await expect(verifyPin(card.transmit, '111111')).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 2 });
    await expect(verifyPin(card.transmit, '111111')).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 1 });
    await expect(verifyPin(card.transmit, '111111')).rejects.toMatchObject({ code: 'PIN_BLOCKED', triesLeft: 0 });
    await expect(verifyPin(card.transmit, '123456')).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    await unblockPin(card.transmit, {
      asn: TEST_EF15.asn,
      host: async ({ challenge }) => {
        const data = C.pinUnblockData({ dpuk: testCardKeys().DPUK, pin: fromHex('246810'), challenge: fromHex(challenge) });
        return { encryptedPinBlock: toHex(data.subarray(0, 8)), mac: toHex(data.subarray(8)) };
      },
    });
    await expect(verifyPin(card.transmit, '246810')).resolves.toBeUndefined();
  });

  it('reloads the PIN with the host MAC', async () => {
    const card = new TestCard();
    await selectSinopec(card.transmit);
    const mac = toHex(C.pinReloadMac({ drpk: testCardKeys().DRPK, pin: fromHex('135790') }));
    await reloadCardPin(card.transmit, { asn: TEST_EF15.asn, host: async () => ({ newPin: '135790', mac }) });
    await expect(verifyPin(card.transmit, '135790')).resolves.toBeUndefined();
  });
});

describe('grey unlock', () => {
  it('unlocks a grey card online, debits what is owed and clears TACUF', async () => {
    const lockProof = { greyStatus: 1, greyState: 'LOCKED', transType: 0x91, purseType: 1, balanceFen: 20000, offlineTtc: 2, terminalId: '320100000007', date: '2024-01-01', time: '18:30:00', mac2: '00000000', gtac: '00000000' } as const;
    const card = new TestCard({ balanceFen: 20000, offlineTtc: 2, lockProof: { ...lockProof } });
    await openCard(card);
    const result = await onlineGreyUnlock(card.transmit, { terminalId: TEST_TERMINAL_ID, host: testUnlockHost(1500) });
    expect(result.lockProof?.greyState).toBe('LOCKED');
    expect(result.tacCleared).toBe(true);
    expect(card.balanceFen).toBe(18500);
    expect(card.lockProof?.greyState).toBe('NORMAL');
  });
});

describe('issuance', () => {
  it('personalises the files with secure messaging under DAMTK', async () => {
    const card = new TestCard();
    const keys = testCardKeys();
    const ef16 = { holderFlag: 1, employeeFlag: 1, holderName: '李娜', idNumber: '320102199001011234', idType: 1 };
    await personalise(card.transmit, {
      ef15: TEST_EF15, ef16,
      ef1b: { usesDefaultPin: false, pinMode: 1, employeeNumber: 0, employeePassword: '0000', rfu: '00'.repeat(28) },
      ef1c: { gradeLimit: 'FFFF', locationMode: 0xff, locations: [], perFuellingLimit: 0xffff, fuellingsPerDayMax: 0xff, amountPerDayFenMax: 0xffffffff, vehiclePlate: '', rfu: '00'.repeat(30) },
      keys: { DAMTK: keys.DAMTK, DLK: keys.DLK, DTK: keys.DTK },
      pin: '123456',
    });
    expect(decodeEf16(card.files.get(0x16)!)).toEqual(ef16);
  });

  it('refuses a bad field before touching the card', async () => {
    let sent = 0;
    const transmit = async () => (sent++, fromHex('9000'));
    const bad = { ...TEST_EF15, issuerId: 'XYZ' };
    await expect(personalise(transmit, { ef15: bad } as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(sent).toBe(0);
  });
});
