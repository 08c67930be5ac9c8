import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../bytes.ts';
import { createDemoCard } from '../demo/cards.ts';
import { send } from './testkit.ts';
import { FuelCard } from './fuel-card.ts';

/** Headers the card knows, so random bodies reach the handlers rather than stopping at 6D00. */
const KNOWN_HEADERS: Array<[number, number]> = [
  [0x00, 0xa4],
  [0x00, 0xb0],
  [0x00, 0xb2],
  [0x00, 0x84],
  [0x00, 0x20],
  [0x00, 0xd6],
  [0x04, 0xd6],
  [0x80, 0x5c],
  [0x80, 0x50],
  [0x80, 0x52],
  [0x80, 0x54],
  [0x80, 0x5a],
  [0x80, 0x5e],
  [0x80, 0xd4],
  [0x84, 0x24],
  [0x84, 0x1e],
  [0x84, 0x18],
  [0x84, 0x16],
  [0xe0, 0xca],
  [0xe0, 0x7a],
  [0xe0, 0x7c],
  [0xe0, 0x7e],
];
const INTERESTING_P = [0x00, 0x01, 0x02, 0x03, 0x05, 0x08, 0x09, 0x95, 0x96, 0x9b, 0x9c, 0x98, 0xc4, 0xff];

const byte = fc.integer({ min: 0, max: 255 });
const param = fc.oneof(fc.constantFrom(...INTERESTING_P), byte);

/** A well-formed short APDU with a known header, any parameters and any data. */
const knownApdu = fc
  .tuple(fc.constantFrom(...KNOWN_HEADERS), param, param, fc.uint8Array({ maxLength: 40 }), fc.option(byte, { nil: undefined }))
  .map(([[cla, ins], p1, p2, data, le]) => {
    const parts = [Uint8Array.of(cla, ins, p1, p2)];
    if (data.length > 0) parts.push(Uint8Array.of(data.length), data);
    if (le !== undefined) parts.push(Uint8Array.of(le));
    return concatBytes(...parts);
  });
const anyApdu = fc.oneof(knownApdu, fc.uint8Array({ maxLength: 300 }));

/** A powered card with SINOPEC selected and the PIN verified, fresh for each run. */
function openedCard(saved: unknown): FuelCard {
  const card = FuelCard.restore(saved);
  card.powerOn();
  send(card, '00A404000CA00000000353494E4F504543');
  send(card, '0020000003123456');
  return card;
}

describe('the card under arbitrary bytes', () => {
  const named = createDemoCard('named').card.serialize();
  const grey = createDemoCard('grey').card.serialize();

  it('always answers a well-formed response: data only with 9000, and never throws', () => {
    fc.assert(
      fc.property(fc.array(anyApdu, { maxLength: 25 }), fc.boolean(), (apdus, useGrey) => {
        const card = openedCard(useGrey ? grey : named);
        for (const apdu of apdus) {
          const response = card.transmit(apdu);
          expect(response.length).toBeGreaterThanOrEqual(2);
          const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
          if (sw !== 0x9000) expect(response.length).toBe(2);
          expect(sw >> 12).toBeGreaterThanOrEqual(6);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never changes balance, counters, log or grey state without a valid MAC', () => {
    fc.assert(
      fc.property(fc.array(anyApdu, { maxLength: 25 }), fc.boolean(), (apdus, useGrey) => {
        const card = openedCard(useGrey ? grey : named);
        const before = card.inspect();
        for (const apdu of apdus) card.transmit(apdu);
        const after = card.inspect();
        expect(after.purse).toEqual(before.purse);
        expect(after.log).toEqual(before.log);
        expect(after.grey.status).toBe(before.grey.status);
        expect(after.proofs).toEqual(before.proofs);
        expect(after.keys).toEqual(before.keys);
      }),
      { numRuns: 300 },
    );
  });

  it('restores from any JSON it produced after arbitrary commands', () => {
    fc.assert(
      fc.property(fc.array(knownApdu, { maxLength: 15 }), (apdus) => {
        const card = openedCard(named);
        for (const apdu of apdus) card.transmit(apdu);
        expect(FuelCard.restore(JSON.parse(JSON.stringify(card.serialize()))).inspect()).toEqual(card.inspect());
      }),
      { numRuns: 100 },
    );
  });
});
