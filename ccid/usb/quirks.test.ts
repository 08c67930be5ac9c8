import { describe, expect, it } from 'vitest';
import { READER_QUIRKS, quirksFor, vidPidKey } from './quirks.ts';

/** Every reader docs/card-protocol.md §8.3 lists, by VID:PID. */
const NAMED_IN_REFERENCE = [
  '072F:90CC',
  '072F:B100',
  '072F:B101',
  '072F:B102',
  '072F:B103',
  '072F:B104',
  '072F:B000',
  '072F:B506',
  '072F:220F',
  '096E:0505',
  '096E:0503',
  '096E:060D',
  '096E:061A',
  '096E:062E',
  'A625:0810',
  '0925:900A',
  '1EA8:8013',
  '163C:0A03',
  '163C:0406',
  '0483:2017',
  '0483:0007',
  '0E6A:5083',
  '1677:0025',
  '08E6:4433',
];

describe('the reader quirk table', () => {
  it.each(NAMED_IN_REFERENCE)('has an entry for %s', (key) => {
    expect(READER_QUIRKS[key]?.model).toBeTruthy();
  });

  it('is keyed by upper-case VID:PID', () => {
    expect(vidPidKey(0x072f, 0xb100)).toBe('072F:B100');
    for (const key of Object.keys(READER_QUIRKS)) expect(key).toMatch(/^[0-9A-F]{4}:[0-9A-F]{4}$/);
    expect(quirksFor(0x0483, 0x0007)?.fix.protocolsOnly).toEqual([0]);
    expect(quirksFor(0x1234, 0x5678)).toBeUndefined();
  });
});
