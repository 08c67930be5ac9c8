import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { EchoCard } from '../sim/test-cards.ts';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { VirtualReader } from '../sim/reader/reader.ts';
import { CcidReader } from './reader.ts';

const FAST = { readTimeoutMs: 200, abortTimeoutMs: 50, slotBusyRetryDelayMs: 1 };

/** Replays a `>` command / `<` response transcript against a session. */
async function replay(transmit: (apdu: Uint8Array) => Promise<Uint8Array>, transcript: string): Promise<void> {
  const lines = transcript
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (let i = 0; i < lines.length; i += 2) {
    const command = lines[i]!;
    const response = lines[i + 1]!;
    expect(command.startsWith('>') && response.startsWith('<')).toBe(true);
    expect(toHex(await transmit(fromHex(command.slice(1))))).toBe(response.slice(1).replace(/\s+/g, '').toUpperCase());
  }
}

describe('a short-APDU reader (ACR3901U profile)', () => {
  it('powers the card on and replays a transcript of short APDUs', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard(fromHex('3B 02 14 50')) });
    const reader = await CcidReader.open(device, { limits: FAST });
    expect(reader.info.traits.exchangeLevel).toBe('shortApdu');
    const session = await reader.connect();
    expect(toHex(session.atr)).toBe('3B021450');
    expect(session.protocol).toBe(0);
    await replay(
      (apdu) => session.transmit(apdu),
      `
      # case 1, case 3, case 2, case 4
      > 00 A4 00 00
      < 90 00
      > 00 A4 04 00 02 3F 00
      < 3F 00 90 00
      > 00 B0 00 00 04
      < 00 01 02 03 90 00
      > 00 DC 01 04 03 AA BB CC 00
      < AA BB CC 90 00
      `,
    );
    await session.close();
    await reader.close();
  });

  it('numbers every message with bSeq and sends SetParameters but no PPS when the reader does PPS itself', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard() });
    const reader = await CcidReader.open(device, { limits: FAST });
    const session = await reader.connect();
    await session.transmit(fromHex('00B0000002'));
    expect(device.commands.map((c) => c.type)).toEqual(['GetSlotStatus', 'IccPowerOn', 'SetParameters', 'XfrBlock']);
    expect(device.commands.map((c) => c.seq)).toEqual([0, 1, 2, 3]);
    await reader.close();
  });

  it('refuses to connect when no card is in the reader', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u });
    const reader = await CcidReader.open(device, { limits: FAST });
    await expect(reader.connect()).rejects.toMatchObject({ code: 'NO_CARD' });
    await reader.close();
  });
});

describe('sessions', () => {
  it('a new connection ends the older session with SESSION_CLOSED', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard() });
    const reader = await CcidReader.open(device, { limits: FAST });
    const first = await reader.connect();
    const second = await reader.connect();
    await expect(first.transmit(fromHex('00B0000001'))).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    await first.close();
    expect(toHex(await second.transmit(fromHex('00B0000001')))).toBe('009000');
    await reader.close();
  });

  it('a closed reader refuses work with READER_CLOSED', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard() });
    const reader = await CcidReader.open(device, { limits: FAST });
    const session = await reader.connect();
    await reader.close();
    await expect(session.transmit(fromHex('00B0000001'))).rejects.toMatchObject({ code: 'READER_CLOSED' });
  });
});
