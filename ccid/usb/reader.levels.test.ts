import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { counting, EchoCard } from '../sim/test-cards.ts';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { VirtualReader } from '../sim/reader/reader.ts';
import { decodeParameters } from './parameters.ts';
import { CcidReader } from './reader.ts';

const FAST = { readTimeoutMs: 300, abortTimeoutMs: 50, slotBusyRetryDelayMs: 1 };
const ATR_T0_TA1_13 = fromHex('3B 10 13');
const ATR_T1_LRC = fromHex('3B 80 81 31 FE 45 8B');
const ATR_T1_CRC_IFSC_32 = fromHex('3B 80 81 71 20 45 01 14');
const ATR_T0_T1_TA1_13 = fromHex('3B 90 13 81 31 FE 45 88');

async function open(device: VirtualReader, preferredProtocol?: 0 | 1) {
  const reader = await CcidReader.open(device, { limits: FAST, ...(preferredProtocol === undefined ? {} : { preferredProtocol }) });
  return { reader, session: await reader.connect() };
}

describe('a TPDU reader with a T=0 card', () => {
  it('sends PPS and SetParameters itself when the reader lacks auto-PPS (ACR38U), then maps APDUs to TPDUs', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard(ATR_T0_TA1_13) });
    const { reader, session } = await open(device);
    expect(session.protocol).toBe(0);
    expect(session.exchangeLevel).toBe('tpdu');
    const types = device.commands.map((c) => c.type);
    expect(types).toEqual(['GetSlotStatus', 'IccPowerOn', 'XfrBlock', 'SetParameters']);
    const pps = device.commands[2]!;
    expect(pps.type === 'XfrBlock' && toHex(pps.data)).toBe('FF1013FC');
    const set = device.commands[3]!;
    expect(set.type === 'SetParameters' && decodeParameters(set.protocolNum, set.data)).toMatchObject({
      protocol: 0,
      bmFindexDindex: 0x13,
      bWaitingIntegerT0: 10,
    });
    // Case 4: sent as case 3, the data comes back through 61xx / GET RESPONSE.
    expect(toHex(await session.transmit(fromHex('00 DC 01 04 03 AA BB CC 00')))).toBe('AABBCC9000');
    // Case 2 with Ne = 256.
    const long = await session.transmit(fromHex('00 B0 00 00 00'));
    expect(toHex(long)).toBe(toHex(counting(256)) + '9000');
    await reader.close();
  });

  it('answers 6Cxx with a resend at the right length on a strict card', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr39u, card: new EchoCard(fromHex('3B 00')), t0: { wrongLe: '6Cxx' } });
    const { reader, session } = await open(device);
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 10')))).toBe(toHex(counting(16)) + '9000');
    await reader.close();
  });
});

describe('a TPDU reader with a T=1 card', () => {
  it('runs the block protocol with LRC, negotiates IFSD when the reader does not, and chains long APDUs', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard(ATR_T1_LRC), t1: { sendChunkMax: 40 } });
    const { reader, session } = await open(device);
    expect(session.protocol).toBe(1);
    const set = device.commands.find((c) => c.type === 'SetParameters');
    expect(set?.type === 'SetParameters' && decodeParameters(set.protocolNum, set.data)).toMatchObject({
      protocol: 1,
      bIFSC: 0xfe,
      bmWaitingIntegersT1: 0x45,
    });
    const data = counting(200);
    const apdu = new Uint8Array([0x00, 0xdc, 0x01, 0x04, 200, ...data, 0x00]);
    expect(toHex(await session.transmit(apdu))).toBe(toHex(data) + '9000');
    expect(device.slot.t1Card?.ifsd).toBe(254);
    await reader.close();
  });

  it('uses CRC when the ATR asks for it and chains commands above IFSC', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr39u, card: new EchoCard(ATR_T1_CRC_IFSC_32) });
    const { reader, session } = await open(device);
    const data = counting(100, 7);
    expect(toHex(await session.transmit(new Uint8Array([0x80, 0x50, 0, 0, 100, ...data, 0])))).toBe(toHex(data) + '9000');
    await reader.close();
  });

  it('follows a card asking for more time (WTX) by widening the next XfrBlock with bBWI', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr39u, card: new EchoCard(ATR_T1_LRC) });
    const { reader, session } = await open(device);
    device.slot.t1Card!.faults.wtxBeforeAnswer = { count: 1, multiplier: 3 };
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 02')))).toBe('00019000');
    expect(device.commands.some((c) => c.type === 'XfrBlock' && c.bwi === 3)).toBe(true);
    await reader.close();
  });

  it('recovers from a corrupted block through T=1 retransmission', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr39u, card: new EchoCard(ATR_T1_LRC) });
    const { reader, session } = await open(device);
    await session.transmit(fromHex('00 B0 00 00 01'));
    device.slot.t1Card!.faults.corruptEdcCount = 1;
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 02')))).toBe('00019000');
    await reader.close();
  });

  it('prefers T=1 when asked and the card offers both', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard(ATR_T0_T1_TA1_13) });
    const { reader, session } = await open(device, 1);
    expect(session.protocol).toBe(1);
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 03')))).toBe('0001029000');
    await reader.close();
  });
});

describe('an extended-APDU reader (Feitian bR301 profile)', () => {
  it('chains a long command over several XfrBlock and fetches a chained answer', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.bR301, card: new EchoCard(fromHex('3B 00')) });
    const { reader, session } = await open(device);
    expect(session.exchangeLevel).toBe('extendedApdu');
    const data = counting(600);
    const apdu = new Uint8Array([0x00, 0xdc, 0x01, 0x04, 0x00, 600 >> 8, 600 & 0xff, ...data, 0x00, 0x00]);
    const response = await session.transmit(apdu);
    expect(toHex(response)).toBe(toHex(data) + '9000');
    const levels = device.commands.filter((c) => c.type === 'XfrBlock').map((c) => (c.type === 'XfrBlock' ? c.levelParameter : -1));
    expect(levels).toEqual([0x01, 0x03, 0x02, 0x10, 0x10]);
    await reader.close();
  });
});

describe('a vendor-class reader (SCR3310 profile)', () => {
  it('is found through its CCID class descriptor and works like any TPDU reader', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.scr3310, card: new EchoCard(fromHex('3B 00')) });
    const { reader, session } = await open(device);
    expect(reader.info.interfaceClass).toBe(0xff);
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 01')))).toBe('009000');
    await reader.close();
  });
});

describe('power-on and negotiation', () => {
  it('walks down the voltage classes when the card refuses 5 V on a reader without automatic voltage', async () => {
    const device = new VirtualReader({
      profile: READER_PROFILES.acr39u,
      descriptor: { dwFeatures: 0x000100b2 & ~0x08 },
      card: new EchoCard(fromHex('3B 00')),
      refusedVoltages: [1],
    });
    const { reader } = await open(device);
    expect(device.commands.filter((c) => c.type === 'IccPowerOn').map((c) => (c.type === 'IccPowerOn' ? c.powerSelect : -1))).toEqual([
      1, 2,
    ]);
    await reader.close();
  });

  it('resets the card and carries on with default parameters when the card refuses PPS', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard(ATR_T0_TA1_13), refusePps: true });
    const { reader, session } = await open(device);
    expect(device.commands.map((c) => c.type)).toEqual([
      'GetSlotStatus',
      'IccPowerOn',
      'XfrBlock',
      'IccPowerOff',
      'IccPowerOn',
      'SetParameters',
    ]);
    const set = device.commands.at(-1)!;
    expect(set.type === 'SetParameters' && set.data[0]).toBe(0x11);
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 01')))).toBe('009000');
    await reader.close();
  });

  it('carries on when the reader says the parameters cannot be changed', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard(ATR_T0_TA1_13), rejectSetParameters: true });
    const { reader, session } = await open(device);
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 01')))).toBe('009000');
    await reader.close();
  });

  it('refuses a card whose ATR is garbage with BAD_ATR', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard(fromHex('3B 80')) });
    const reader = await CcidReader.open(device, { limits: FAST });
    await expect(reader.connect()).rejects.toMatchObject({ code: 'BAD_ATR' });
    await reader.close();
  });

  it('refuses a T=1-only card on a reader limited to T=0 by its quirk entry', async () => {
    const device = new VirtualReader({
      profile: { ...READER_PROFILES.acr39u, vendorId: 0x0483, productId: 0x0007 },
      card: new EchoCard(ATR_T1_LRC),
    });
    const reader = await CcidReader.open(device, { limits: FAST });
    await expect(reader.connect()).rejects.toMatchObject({ code: 'PROTOCOL_NOT_SUPPORTED' });
    await reader.close();
  });

  it('closing a session powers the card off and later transmits are refused', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard(fromHex('3B 00')) });
    const { reader, session } = await open(device);
    await session.close();
    expect(device.commands.at(-1)?.type).toBe('IccPowerOff');
    await expect(session.transmit(fromHex('00 B0 00 00 01'))).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    await reader.close();
  });
});
