import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { fuelCardTraceRecorder } from '../fuelcard/trace.ts';
import { parseTranscript } from '../iso7816/trace.ts';
import { EchoCard } from '../sim/test-cards.ts';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { VirtualReader } from '../sim/reader/reader.ts';
import { CcidReader } from './reader.ts';
import { traced } from './traced.ts';

const FAST = { readTimeoutMs: 300, abortTimeoutMs: 50, slotBusyRetryDelayMs: 1 };

describe('a traced card session', () => {
  it('records time, direction, hex and the fuel-card name of every exchange, with PIN data masked', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr38u, card: new EchoCard() });
    const reader = await CcidReader.open(device, { limits: FAST });
    let now = 100;
    const recorder = fuelCardTraceRecorder({ clock: () => (now += 1) });
    const session = traced(await reader.connect(), recorder);
    expect(session.exchangeLevel).toBe('tpdu');
    await session.transmit(fromHex('0020000003123456'));
    expect(toHex(await session.transmit(fromHex('805C000104')))).toBe('000102039000');
    await session.transmit(fromHex('805E010007123456FF654321'));
    await session.transmit(fromHex('842400010C8CF5B9D376E8D4F1586A31E6'));
    await session.transmit(fromHex('80D4010113360100749B5BC8F656F5869E2D9CA8D20084F8'));
    expect(recorder.entries.filter((e) => e.direction === 'command').map((e) => [e.name, e.text])).toEqual([
      ['VERIFY', '0020000003**'],
      ['GET_BALANCE', '805C000104'],
      ['CHANGE_PIN', '805E010007**'],
      ['PIN_UNBLOCK', '842400010C**'],
      ['WRITE_KEY', '80D4010113**'],
    ]);
    expect(recorder.entries.slice(0, 2).map((e) => [e.timeMs, e.direction])).toEqual([
      [101, 'command'],
      [102, 'response'],
    ]);
    const transcript = recorder.toTranscript();
    // (The echo card echoes data back; a real card never answers a PIN command with its PIN.)
    const commandLines = transcript.split('\n').filter((line) => line.startsWith('>'));
    expect(commandLines.join('\n')).not.toMatch(/123456|654321|749B5BC8/);
    expect(parseTranscript(transcript)).toHaveLength(5);
    await session.close();
    await reader.close();
  });

  it('notes an exchange that failed, and passes the error on', async () => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr3901u, card: new EchoCard() });
    const reader = await CcidReader.open(device, { limits: FAST });
    const recorder = fuelCardTraceRecorder();
    const session = traced(await reader.connect(), recorder);
    device.removeCard();
    await expect(session.transmit(fromHex('805C000104'))).rejects.toMatchObject({ name: 'CcidError' });
    expect(recorder.entries.map((e) => e.direction)).toEqual(['command', 'comment']);
    expect(recorder.entries[1]!.text).toMatch(/^no response: [A-Z_]+$/);
    await reader.close();
  });
});
