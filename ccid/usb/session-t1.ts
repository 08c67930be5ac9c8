/**
 * TPDU level with T=1: ccid/iso7816 `T1Host` runs the block protocol and this module carries each
 * block in one XfrBlock. A card's S(WTX request, m) makes the next XfrBlock carry bBWI = m and
 * wait m times longer (docs/card-protocol.md §8.2). IFSD is announced by the host unless the reader
 * does it (dwFeatures 0x400); IFSC comes from the ATR.
 */
import { T1Host } from '../iso7816/t1.ts';
import type { SessionInput } from './session-types.ts';

export type T1Link = { transceive(apdu: Uint8Array): Promise<Uint8Array> };

/** ISO 7816-3 §11.4.2: IFSC and IFSD are 1..254; a reader may announce more (bR301: 272). */
function ifs(value: number, fallback: number): number {
  if (!Number.isInteger(value) || value < 1) return fallback;
  return Math.min(value, 254);
}

export async function openT1(input: SessionInput): Promise<T1Link> {
  const { channel, atr, traits, descriptor } = input;
  const t1 = atr.t1 ?? { ifsc: 32, bwi: 4, cwi: 13, edc: 'LRC' as const };
  let wtxMultiplier = 1;
  const host = new T1Host(
    async (block) => {
      const multiplier = wtxMultiplier;
      wtxMultiplier = 1;
      const options = multiplier > 1 ? { bwi: Math.min(multiplier, 0xff), timeoutMultiplier: multiplier } : {};
      return (await channel.xfrBlock(block, options)).data;
    },
    {
      ifsc: ifs(t1.ifsc, 32),
      ifsd: ifs(descriptor.dwMaxIFSD, 32),
      edc: t1.edc,
      nad: 0,
      announceIfsd: !traits.autoIfsd,
      onWtx: (multiplier) => {
        wtxMultiplier = Math.max(1, multiplier);
      },
    },
  );
  return { transceive: (apdu) => host.transceive(apdu) };
}
