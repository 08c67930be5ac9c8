import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { T0Card } from '../sim/reader/t0-card.ts';
import { Iso7816Error } from './errors.ts';
import { t0Transceive } from './t0.ts';
import { EchoCard } from '../sim/test-cards.ts';
import { TraceRecorder, maskCommand, parseTrace, parseTranscript, replayTranscript, transcriptResponder } from './trace.ts';

const TRANSCRIPT = `
# Sinopec insertion sequence (responses from the echo card)
> 00A404000CA00000000353494E4F50454300
< A00000000353494E4F5045439000

# VERIFY with the PIN masked
> 0020000002**
< 9000
>80 5C 00 01 04
<00 01 02 03 90 00
`;

describe('APDU trace recorder', () => {
  it('masks the data of VERIFY, CHANGE PIN and PIN UNBLOCK but keeps header, Lc and Le', () => {
    expect(maskCommand(fromHex('00200000029999'))).toBe('0020000002**');
    expect(maskCommand(fromHex('805E0100079999FF123456'.padEnd(22, '0')))).toBe('805E010007**');
    expect(maskCommand(fromHex('84240001 0C 0011223344556677 8899AABB'))).toBe('842400010C**');
    expect(maskCommand(fromHex('002C000002123400'))).toBe('002C000002**00');
    expect(maskCommand(fromHex('0020000002999999'))).toBe('0020000002**99');
    // A malformed PIN command keeps only the header and the first length byte.
    expect(maskCommand(fromHex('00200000059999'))).toBe('0020000005**');
    expect(maskCommand(fromHex('00A40400023F00'))).toBe('00A40400023F00');
  });

  it('records time, direction, hex and names, and never the PIN', async () => {
    let now = 1000;
    const recorder = new TraceRecorder({ clock: () => (now += 5), namer: (apdu) => (apdu[1] === 0x5c ? 'GET BALANCE' : undefined) });
    const card = new T0Card(new EchoCard());
    const transmit = recorder.wrap((apdu) => t0Transceive(apdu, async (tpdu) => card.transmit(tpdu)));
    await transmit(fromHex('00200000029999'));
    await transmit(fromHex('805C000104'));
    expect(recorder.entries.map((e) => [e.timeMs, e.direction, e.text, e.name])).toEqual([
      [1005, 'command', '0020000002**', 'VERIFY'],
      [1010, 'response', '9000', undefined],
      [1015, 'command', '805C000104', 'GET BALANCE'],
      [1020, 'response', '0001020390' + '00', undefined],
    ]);
    expect(recorder.toTranscript()).not.toContain('00200000029999');
    expect(parseTranscript(recorder.toTranscript())).toHaveLength(2);
  });

  it('keeps at most the capped number of entries, dropping the oldest', () => {
    const recorder = new TraceRecorder({ limits: { traceEntryCountMax: 3 } });
    for (let i = 0; i < 5; i++) recorder.comment(`entry ${i}`);
    expect(recorder.entries.map((e) => e.text)).toEqual(['entry 2', 'entry 3', 'entry 4']);
  });
});

describe('transcripts', () => {
  it('parses commands, responses, comments and blank lines', () => {
    const exchanges = parseTranscript(TRANSCRIPT);
    expect(exchanges.map((e) => [e.line, toHex(e.command), e.commandMasked, toHex(e.response)])).toEqual([
      [3, '00A404000CA00000000353494E4F50454300', false, 'A00000000353494E4F5045439000'],
      [7, '0020000002', true, '9000'],
      [9, '805C000104', false, '000102039000'],
    ]);
  });

  it('takes a comment after the hex of a line', () => {
    expect(parseTranscript('> 805C000104 # GET BALANCE\n< 000003E89000 # 10.00 yuan').map((e) => toHex(e.response))).toEqual([
      '000003E89000',
    ]);
  });

  it('keeps a command without a response when asked (a trace cut off), and refuses it otherwise', () => {
    const text = '> 805C000104\n> 00B0950000\n< 9000\n> 805C000104';
    expect(parseTrace(text, { unanswered: 'keep' }).map((e) => [e.line, e.response === null])).toEqual([
      [1, true],
      [2, false],
      [4, true],
    ]);
    expect(() => parseTrace(text)).toThrow(expect.objectContaining({ code: 'TRANSCRIPT_SYNTAX', line: 2 }));
  });

  it('refuses a bad line with its line number', () => {
    const cases: [string, number][] = [
      ['> 00A4\n< 9000', 1],
      ['> 00A40400\n< 90', 2],
      ['> 00A40400\n> 00A40400\n< 9000', 2],
      ['# ok\n< 9000', 2],
      ['> 00A40400', 1],
      ['> 00A40400\n< 90ZZ', 2],
      ['\n\nhello', 3],
      ['> 00A40400**11**22\n< 9000', 1],
    ];
    for (const [text, line] of cases) {
      const error = (() => {
        try {
          parseTranscript(text);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(Iso7816Error);
      expect((error as Iso7816Error).code, text).toBe('TRANSCRIPT_SYNTAX');
      expect((error as Iso7816Error).line, text).toBe(line);
      expect((error as Error).message, text).toContain(`line ${line}`);
    }
  });

  it('replays a transcript against the T=0 stack and the echo card', async () => {
    const card = new T0Card(new EchoCard());
    const transmit = (apdu: Uint8Array) => t0Transceive(apdu, async (tpdu) => card.transmit(tpdu));
    const count = await replayTranscript(TRANSCRIPT, transmit, { unmask: (e) => Uint8Array.from([...e.command, 0x99, 0x99]) });
    expect(count).toBe(3);
  });

  it('reports the first difference with its line', async () => {
    const text = '> 00B0000002\n< 00019000\n> 00B0000002\n< FFFF9000';
    const card = new T0Card(new EchoCard());
    await expect(replayTranscript(text, (apdu) => t0Transceive(apdu, async (t) => card.transmit(t)))).rejects.toMatchObject({
      code: 'TRANSCRIPT_MISMATCH',
      line: 3,
    });
  });

  it('refuses to replay a masked command without unmask', async () => {
    await expect(replayTranscript('> 0020000002**\n< 9000', () => fromHex('9000'))).rejects.toMatchObject({
      code: 'TRANSCRIPT_MISMATCH',
      line: 1,
    });
  });

  it('plays the card side from a transcript, matching masked data of any value', () => {
    const respond = transcriptResponder(TRANSCRIPT);
    expect(toHex(respond(fromHex('00A404000CA00000000353494E4F50454300')))).toBe('A00000000353494E4F5045439000');
    expect(toHex(respond(fromHex('00200000021234')))).toBe('9000');
    expect(() => respond(fromHex('805C000108'))).toThrow(expect.objectContaining({ code: 'TRANSCRIPT_MISMATCH', line: 9 }));
  });
});
