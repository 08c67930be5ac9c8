import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T0Card } from '../sim/reader/t0-card.ts';
import { T1Card } from '../sim/reader/t1-card.ts';
import { decodeCommandApdu, encodeCommandApdu, type CommandApdu } from './apdu.ts';
import { parseAtr } from './atr.ts';
import { Iso7816Error } from './errors.ts';
import { parsePps } from './pps.ts';
import { describeSw } from './sw.ts';
import { t0Transceive } from './t0.ts';
import { T1Host, decodeT1Block, encodeT1Block, type T1Block } from './t1.ts';
import { EchoCard } from '../sim/test-cards.ts';
import { encodeTlv, parseTlv, type TlvNode } from './tlv.ts';
import { parseTranscript } from './trace.ts';

/** Runs `parse`; passes when it returns or throws an Iso7816Error, fails on any other exception. */
function valueOrTypedError(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (error instanceof Iso7816Error) return true;
    throw error;
  }
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const runs = { numRuns: 500 };

describe('parsers give a value or a typed error for any input', () => {
  it('ATR parser', () => {
    fc.assert(
      fc.property(bytes(40), (b) => valueOrTypedError(() => parseAtr(b))),
      runs,
    );
    // Start with a valid TS so that the structure walk is exercised, not just the TS check.
    fc.assert(
      fc.property(fc.constantFrom(0x3b, 0x3f), bytes(36), (ts, rest) => valueOrTypedError(() => parseAtr(Uint8Array.from([ts, ...rest])))),
      runs,
    );
  });

  it('ATR parser accepts only what fits within 33 bytes and accounts for every byte', () => {
    fc.assert(
      fc.property(bytes(40), (b) => {
        try {
          const atr = parseAtr(Uint8Array.from([0x3b, ...b]));
          expect(atr.bytes.length).toBeLessThanOrEqual(33);
          expect(atr.protocols.length).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof Iso7816Error)) throw error;
        }
      }),
      runs,
    );
  });

  it('PPS parser', () => {
    fc.assert(
      fc.property(bytes(8), (b) => valueOrTypedError(() => parsePps(Uint8Array.from([0xff, ...b])))),
      runs,
    );
  });

  it('command APDU decoder', () => {
    fc.assert(
      fc.property(bytes(300), (b) => valueOrTypedError(() => decodeCommandApdu(b))),
      runs,
    );
  });

  it('T=1 block decoder with LRC and CRC', () => {
    fc.assert(
      fc.property(bytes(260), fc.constantFrom('LRC' as const, 'CRC' as const), (b, edc) => valueOrTypedError(() => decodeT1Block(b, edc))),
      runs,
    );
  });

  it('BER-TLV parser', () => {
    fc.assert(
      fc.property(bytes(200), (b) => valueOrTypedError(() => parseTlv(b))),
      runs,
    );
  });

  it('transcript parser', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.tuple(fc.constantFrom('>', '<', '#', ' ', '> ', '< '), fc.stringMatching(/^[0-9A-Fa-f *]{0,20}$/)).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => valueOrTypedError(() => parseTranscript(lines.join('\n')))),
      runs,
    );
  });

  it('status-word descriptions never throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 0x1ffff }), (sw) => describeSw(sw).hex.length === 4),
      runs,
    );
  });
});

describe('codecs round-trip', () => {
  const command: fc.Arbitrary<CommandApdu> = fc.record({
    cla: fc.integer({ min: 0, max: 255 }),
    ins: fc.integer({ min: 0, max: 255 }),
    p1: fc.integer({ min: 0, max: 255 }),
    p2: fc.integer({ min: 0, max: 255 }),
    data: fc.oneof(bytes(255), bytes(600)),
    ne: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 65_536 })),
  });

  it('command APDUs of every case', () => {
    fc.assert(
      fc.property(command, fc.boolean(), (apdu, extended) => {
        const decoded = decodeCommandApdu(encodeCommandApdu(apdu, { extended }));
        expect({ ...decoded, case: undefined }).toEqual({ ...apdu, case: undefined });
      }),
      runs,
    );
  });

  it('T=1 blocks', () => {
    const nad = fc.integer({ min: 0, max: 255 });
    const block: fc.Arbitrary<T1Block> = fc.oneof(
      fc.record({ kind: fc.constant('I' as const), nad, ns: fc.constantFrom(0 as const, 1 as const), more: fc.boolean(), inf: bytes(254) }),
      fc.record({
        kind: fc.constant('R' as const),
        nad,
        nr: fc.constantFrom(0 as const, 1 as const),
        error: fc.constantFrom('none' as const, 'edc' as const, 'other' as const),
      }),
      fc.record({
        kind: fc.constant('S' as const),
        nad,
        type: fc.constantFrom('IFS' as const, 'WTX' as const),
        response: fc.boolean(),
        inf: bytes(1).filter((b) => b.length === 1),
      }),
    );
    fc.assert(
      fc.property(block, fc.constantFrom('LRC' as const, 'CRC' as const), (b, edc) => {
        expect(decodeT1Block(encodeT1Block(b, edc), edc)).toEqual(b);
      }),
      runs,
    );
  });

  it('BER-TLV trees', () => {
    const tag = fc.constantFrom(0x84, 0x88, 0x50, 0x9f0c, 0x5f2d, 0x9f4d, 0x9f8101);
    const constructedTag = fc.constantFrom(0x6f, 0xa5, 0xbf0c, 0x70, 0x7f21);
    const tree = fc.letrec<{ node: TlvNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ tag, constructed: fc.constant(false), value: bytes(140) }),
        fc.record({
          tag: constructedTag,
          constructed: fc.constant(true),
          value: fc.constant(new Uint8Array(0)),
          children: fc.array(tie('node'), { maxLength: 3 }),
        }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (nodes) => {
        const encoded = nodes.map((n) => encodeTlv(n));
        const all = new Uint8Array(encoded.reduce((a, e) => a + e.length, 0));
        let offset = 0;
        for (const e of encoded) {
          all.set(e, offset);
          offset += e.length;
        }
        const parsed = parseTlv(all, { tlvDepthMax: 64 });
        expect(parsed.map((n) => encodeTlv(n))).toEqual(encoded);
      }),
      runs,
    );
  });
});

describe('engines end with a value or a typed error, never a hang', () => {
  it('T=1 host against a card that answers random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(12), { minLength: 1, maxLength: 30 }), async (answers) => {
        let i = 0;
        const host = new T1Host(async () => answers[i++ % answers.length]!, {
          ifsc: 32,
          ifsd: 32,
          edc: 'LRC',
          limits: { t1BlockCountMax: 200 },
        });
        await host.transceive(Uint8Array.of(0, 0xa4, 0, 0)).catch((error: unknown) => {
          if (!(error instanceof Iso7816Error)) throw error;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('T=0 host against a reader that answers random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(6), { minLength: 1, maxLength: 10 }), async (answers) => {
        let i = 0;
        await t0Transceive(Uint8Array.of(0, 0xb0, 0, 0, 0x10), async () => answers[i++ % answers.length]!).catch((error: unknown) => {
          if (!(error instanceof Iso7816Error)) throw error;
        });
      }),
      { numRuns: 300 },
    );
  });

  it('card-side engines answer any input without throwing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            bytes(40),
            fc
              .tuple(fc.constantFrom(0, 1), fc.boolean(), bytes(40))
              .map(([ns, more, inf]) => encodeT1Block({ kind: 'I', nad: 0, ns: ns as 0 | 1, more, inf }, 'LRC')),
          ),
          { maxLength: 20 },
        ),
        (inputs) => {
          const t1 = new T1Card(new EchoCard(), { edc: 'LRC', sendChunkMax: 5 });
          const t0 = new T0Card(new EchoCard(), { wrongLe: '6Cxx' });
          for (const input of inputs) {
            expect(t1.receive(input).length).toBeGreaterThanOrEqual(4);
            expect(t0.transmit(input).length).toBeGreaterThanOrEqual(2);
          }
        },
      ),
      runs,
    );
  });
});
