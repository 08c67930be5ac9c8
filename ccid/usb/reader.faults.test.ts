import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { counting, EchoCard } from '../sim/test-cards.ts';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { VirtualReader, type VirtualReaderOptions } from '../sim/reader/reader.ts';
import { seededFaults } from '../sim/reader/faults.ts';
import { CcidReader } from './reader.ts';
import type { CcidLimits } from './limits.ts';

const FAST: Partial<CcidLimits> = { readTimeoutMs: 100, abortTimeoutMs: 30, slotBusyRetryDelayMs: 1, timeExtensionCountMax: 8 };
const READ = fromHex('00 B0 00 00 02');
const ATR_T1_CRC_IFSC_32 = fromHex('3B 80 81 71 20 45 01 14');

async function setup(options: VirtualReaderOptions, limits: Partial<CcidLimits> = FAST) {
  const device = new VirtualReader({ card: new EchoCard(), ...options });
  const reader = await CcidReader.open(device, { limits });
  const session = await reader.connect();
  return { device, reader, session };
}

/** The reader still works: a fresh card session answers. */
async function stillWorks(device: VirtualReader, reader: CcidReader, atr?: Uint8Array): Promise<void> {
  if (!device.cardPresent) device.insertCard(new EchoCard(atr));
  const session = await reader.connect();
  expect(toHex(await session.transmit(READ))).toBe('00019000');
}

describe('a card pulled out', () => {
  it('in the middle of a command gives CARD_REMOVED and the reader serves the next card', async () => {
    const { device, reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'removeCard' } }] });
    const removed: number[] = [];
    reader.on('cardRemoved', ({ slot }) => removed.push(slot));
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await stillWorks(device, reader);
    expect(removed).toEqual([0]);
    await reader.close();
  });

  it('while a slow card works gives CARD_REMOVED at once, without waiting for the deadline', async () => {
    const { device, reader, session } = await setup({ cardDelayMs: 60 }, { ...FAST, readTimeoutMs: 5_000 });
    const started = Date.now();
    const pending = session.transmit(READ);
    setTimeout(() => device.removeCard(), 5);
    await expect(pending).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    expect(Date.now() - started).toBeLessThan(1_000);
    await stillWorks(device, reader);
    await reader.close();
  });

  it('in the middle of a T=1 chain gives CARD_REMOVED and the reader works afterwards', async () => {
    const { device, reader, session } = await setup({
      profile: READER_PROFILES.acr39u,
      card: new EchoCard(ATR_T1_CRC_IFSC_32),
      faults: [{ command: 'XfrBlock', index: 3, fault: { kind: 'removeCard' } }],
    });
    const data = counting(200);
    await expect(session.transmit(new Uint8Array([0, 0xdc, 1, 4, 200, ...data, 0]))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await stillWorks(device, reader, ATR_T1_CRC_IFSC_32);
    await reader.close();
  });

  it('in the middle of an extended-APDU chain gives CARD_REMOVED', async () => {
    const { device, reader, session } = await setup({
      profile: READER_PROFILES.bR301,
      faults: [{ command: 'XfrBlock', index: 1, fault: { kind: 'removeCard' } }],
    });
    const data = counting(600);
    await expect(session.transmit(new Uint8Array([0, 0xdc, 1, 4, 0, 600 >> 8, 600 & 0xff, ...data, 0, 0]))).rejects.toMatchObject({
      code: 'CARD_REMOVED',
    });
    await stillWorks(device, reader);
    await reader.close();
  });
});

describe('time extensions', () => {
  it('are followed until the answer comes', async () => {
    const { reader, session } = await setup({
      faults: [{ command: 'XfrBlock', fault: { kind: 'timeExtensions', count: 5, multiplier: 2 } }],
    });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('past the cap end in TIME_EXTENSION_LIMIT, an abort, and a reader that still works', async () => {
    const { device, reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'timeExtensions', count: 50 } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'TIME_EXTENSION_LIMIT' });
    expect(device.commands.some((c) => c.type === 'Abort')).toBe(true);
    expect(device.abortRequests.length).toBe(1);
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });
});

describe('stale and duplicated frames', () => {
  it('replies with an earlier bSeq are dropped', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'staleReplies', count: 3 } }] });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('a duplicated reply is dropped by the next exchange', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'duplicateReply' } }] });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    expect(toHex(await session.transmit(fromHex('00 B0 00 00 03')))).toBe('0001029000');
    await reader.close();
  });

  it('more stale replies than the cap end in OUT_OF_STEP and the next exchange recovers', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'staleReplies', count: 15 } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'OUT_OF_STEP' });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('a reader that never answers ends in TIMEOUT; its late answer is dropped later', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'silent' } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });
});

describe('transfer faults', () => {
  it('a stalled bulk-in gives TRANSFER_STALLED and the reader recovers', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'stallIn' } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'TRANSFER_STALLED' });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('a stalled bulk-out gives TRANSFER_STALLED and the reader recovers', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'stallOut' } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'TRANSFER_STALLED' });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('an inbound overflow (babble) gives TRANSFER_FAILED and the reader recovers', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'babble' } }] });
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'TRANSFER_FAILED' });
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });

  it('a hardware error is reported as an event and a typed error', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'hardwareError' } }] });
    const events: number[] = [];
    reader.on('hardwareError', (e) => events.push(e.hardwareErrorCode));
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'HW_ERROR' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events).toEqual([1]);
    expect(toHex(await session.transmit(READ))).toBe('00019000');
    await reader.close();
  });
});

describe('a reader unplugged during an exchange', () => {
  it('gives READER_DISCONNECTED, a disconnected event, and the replugged reader works', async () => {
    const { reader, session } = await setup({ faults: [{ command: 'XfrBlock', fault: { kind: 'unplug' } }] });
    const disconnected: string[] = [];
    reader.on('disconnected', ({ error }) => disconnected.push(error.code));
    await expect(session.transmit(READ)).rejects.toMatchObject({ code: 'READER_DISCONNECTED' });
    await expect(reader.connect()).rejects.toMatchObject({ code: 'READER_DISCONNECTED' });
    expect(disconnected).toEqual(['READER_DISCONNECTED']);
    const replugged = new VirtualReader({ card: new EchoCard() });
    const again = await CcidReader.open(replugged, { limits: FAST });
    await stillWorks(replugged, again);
    await again.close();
  });
});

describe('a seeded storm of faults', () => {
  it('ends every exchange in an answer or a typed error, and the reader keeps working', async () => {
    const faults = seededFaults(42, 0.4, [
      { kind: 'staleReplies', count: 2 },
      { kind: 'duplicateReply' },
      { kind: 'timeExtensions', count: 3 },
      { kind: 'stallIn' },
      { kind: 'silent' },
      { kind: 'babble' },
    ]);
    const { reader, session } = await setup({ faults }, { ...FAST, readTimeoutMs: 40 });
    let answered = 0;
    for (let i = 0; i < 30; i++) {
      try {
        expect(toHex(await session.transmit(READ))).toBe('00019000');
        answered++;
      } catch (error) {
        expect(error).toMatchObject({ name: 'CcidError' });
      }
    }
    expect(answered).toBeGreaterThan(10);
    await reader.close();
  });
});

describe('card events', () => {
  it('are reported from the interrupt pipe as the card comes and goes', async () => {
    const device = new VirtualReader({});
    const reader = await CcidReader.open(device, { limits: FAST });
    const events: string[] = [];
    reader.on('cardInserted', () => events.push('in'));
    reader.on('cardRemoved', () => events.push('out'));
    device.insertCard(new EchoCard());
    await new Promise((resolve) => setTimeout(resolve, 5));
    device.removeCard();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events).toEqual(['in', 'out']);
    expect(reader.cardPresent).toBe(false);
    await reader.close();
  });

  it('are found by polling GetSlotStatus on a reader without an interrupt endpoint', async () => {
    const device = new VirtualReader({ interruptEndpoint: false });
    const reader = await CcidReader.open(device, { limits: { ...FAST, slotPollIntervalMs: 5 } });
    const inserted = new Promise<void>((resolve) => reader.on('cardInserted', () => resolve()));
    device.insertCard(new EchoCard());
    await inserted;
    await reader.close();
  });

  it('run one exchange at a time even when callers overlap', async () => {
    const { reader, session } = await setup({ cardDelayMs: 2 });
    const answers = await Promise.all([1, 2, 3, 4].map((n) => session.transmit(Uint8Array.of(0, 0xb0, 0, 0, n))));
    expect(answers.map((a) => a.length)).toEqual([3, 4, 5, 6]);
    await reader.close();
  });
});
