/**
 * The whole stack over the simulated card: the fuel-card flows (ccid/fuelcard) over the CCID
 * driver (ccid/usb) over the virtual reader (ccid/sim/reader) holding a demo card, at the TPDU
 * level (T=0, GET RESPONSE) and at the short-APDU level.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { asnFactor, diversify, loadMac2, loadSessionKey } from '../crypto/index.ts';
import { load } from '../fuelcard/load.ts';
import { readCard } from '../fuelcard/read.ts';
import { CcidReader } from '../usb/reader.ts';
import { DEMO_TEST_MASTER_KEYS, createDemoCard } from './demo-cards.ts';
import { READER_PROFILES } from './reader-profiles.ts';
import { VirtualReader } from './reader.ts';

const FAST = { readTimeoutMs: 500, abortTimeoutMs: 50, slotBusyRetryDelayMs: 1 };

describe.each([
  ['TPDU level, T=0 (ACR38U)', READER_PROFILES.acr38u],
  ['short-APDU level (ACR3901U)', READER_PROFILES.acr3901u],
])('a demo card in a virtual reader at the %s', (_name, profile) => {
  it('is read and loaded by the fuel-card flows through the CCID driver', async () => {
    const { card, asn, pin } = createDemoCard('named');
    const device = new VirtualReader({ profile, card });
    const reader = await CcidReader.open(device, { limits: FAST });
    const session = await reader.connect();
    const transmit = (apdu: Uint8Array) => session.transmit(apdu);
    const reading = await readCard(transmit, { pin, selectLoyalty: true });
    expect(reading).toMatchObject({ loyalty: 'ABSENT', balanceFen: 80_000, greyState: 'NORMAL' });
    expect(reading.ef16.holderName).toBe('张伟');
    const dlk = diversify(DEMO_TEST_MASTER_KEYS.MLK, asnFactor(asn));
    const result = await load(transmit, {
      amountFen: 2_000,
      terminalId: '000000000042',
      host: async (r) => {
        const sessionKey = loadSessionKey(dlk, fromHex(r.random), r.onlineTtc);
        const mac2 = loadMac2({ sessionKey, amountFen: r.amountFen, transType: r.transType, terminalId: fromHex(r.terminalId), date: fromHex('20240601'), time: fromHex('101112') });
        return { mac2: toHex(mac2), date: '2024-06-01', time: '10:11:12' };
      },
    });
    expect(result.balanceFenAfter).toBe(82_000);
    expect(card.inspect().purse.edBalanceFen).toBe(82_000);
    await session.close();
    await reader.close();
  });
});
