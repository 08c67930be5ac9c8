/**
 * The card-side flows where they must refuse or report: against the simulated card of ccid/sim (a
 * demo card at the APDU level) with the demo issuer as the host. The flows that succeed are run at
 * every exchange level in ccid/sim/card/levels.test.ts and recorded in tests/transcripts.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { createDemoCard, DEMO_PIN, type DemoCardId } from '../sim/demo/cards.ts';
import { demoIssuer } from '../sim/demo/issuer.ts';
import { getBalance, initializeForLoad, selectSinopec, verifyPin } from './card.ts';
import { personalise } from './issue.ts';
import { load, recoverOnline, unload } from './load.ts';
import { unblockPin } from './pin.ts';
import { readCard } from './read.ts';

const TERMINAL_ID = '000000000001';

async function opened(id: DemoCardId, options: { verify?: boolean } = {}) {
  const demo = createDemoCard(id);
  demo.card.powerOn();
  const transmit = async (apdu: Uint8Array) => demo.card.transmit(apdu);
  await selectSinopec(transmit);
  if (options.verify !== false) await verifyPin(transmit, demo.pin);
  const issuer = demoIssuer({ asn: toHex(demo.asn), date: '2024-06-01', time: '10:11:12' });
  return { ...demo, transmit, issuer };
}

describe('reading a card', () => {
  it('reads without a PIN and leaves the balance unknown', async () => {
    const { transmit } = await opened('named', { verify: false });
    const reading = await readCard(transmit);
    expect(reading.pinVerified).toBe(false);
    expect(reading.balanceFen).toBeNull();
  });
});

describe('load and unload', () => {
  it('refuses a MAC2 the card does not accept with MAC_INVALID and leaves the balance', async () => {
    const { transmit } = await opened('named');
    const host = async () => ({ mac2: '00000000', date: '2024-01-02', time: '03:04:05' });
    await expect(load(transmit, { amountFen: 1, terminalId: TERMINAL_ID, host })).rejects.toMatchObject({ code: 'MAC_INVALID' });
    expect(await getBalance(transmit)).toBe(80_000);
  });

  it('has the host refuse a MAC1 that does not verify, before any MAC2 is made', async () => {
    const { transmit, issuer } = await opened('named');
    const host: typeof issuer.online = (request) => issuer.online({ ...request, mac1: '00000000' });
    await expect(load(transmit, { amountFen: 100, terminalId: TERMINAL_ID, host })).rejects.toMatchObject({ code: 'HOST_REFUSED' });
  });

  it('refuses to unload more than the balance with INSUFFICIENT_FUNDS', async () => {
    const { transmit, issuer } = await opened('named');
    await expect(unload(transmit, { amountFen: 90_000, terminalId: TERMINAL_ID, host: issuer.online })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
  });

  it('recovers a load that never reached CREDIT as not done', async () => {
    const { transmit } = await opened('named');
    const init = await initializeForLoad(transmit, { keyIndex: 1, amountFen: 700, terminalId: TERMINAL_ID });
    const recovered = await recoverOnline(transmit, { transType: 1, onlineTtc: init.onlineTtc, terminalId: TERMINAL_ID });
    expect(recovered).toEqual({ outcome: 'NOT_DONE', onlineTtcNow: init.onlineTtc });
  });
});

describe('PIN', () => {
  it('counts wrong PINs down to blocked, refuses the right one then, and unblocks with the host data', async () => {
    const { transmit, issuer, asn } = await opened('named', { verify: false });
    await expect(verifyPin(transmit, '111111')).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 2 });
    await expect(verifyPin(transmit, '111111')).rejects.toMatchObject({ code: 'PIN_WRONG', triesLeft: 1 });
    await expect(verifyPin(transmit, '111111')).rejects.toMatchObject({ code: 'PIN_BLOCKED', triesLeft: 0 });
    await expect(verifyPin(transmit, DEMO_PIN)).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    await unblockPin(transmit, { asn: toHex(asn), host: issuer.pinUnblock('246810') });
    await expect(verifyPin(transmit, '246810')).resolves.toBeUndefined();
  });

  it('refuses PIN UNBLOCK data made for another card with MAC_INVALID', async () => {
    const { transmit, asn } = await opened('pinBlocked', { verify: false });
    const stranger = demoIssuer({ asn: '01000113200000000001', date: '2024-06-01', time: '10:11:12' });
    await expect(unblockPin(transmit, { asn: toHex(asn), host: stranger.pinUnblock('246810') })).rejects.toMatchObject({
      code: 'MAC_INVALID',
    });
  });
});

describe('issuance', () => {
  it('refuses a bad field before touching the card', async () => {
    let sent = 0;
    const transmit = async () => (sent++, fromHex('9000'));
    const bad = {
      issuerId: 'XYZ',
      appType: 0x11,
      appVersion: 1,
      asn: '01000113200000000099',
      startDate: '2024-01-01',
      expiryDate: '2030-12-31',
      instructionVersion: 1,
      rfu: 0,
    };
    await expect(personalise(transmit, { ef15: bad } as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(sent).toBe(0);
  });
});
