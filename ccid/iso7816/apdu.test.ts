import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { decodeCommandApdu, decodeResponseApdu, encodeCommandApdu, encodeResponseApdu, type CommandApdu } from './apdu.ts';
import { Iso7816Error } from './errors.ts';
import { counting } from '../sim/test-cards.ts';

const head = { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00 };
const none = new Uint8Array(0);

describe('command APDU codec', () => {
  const rows: { name: string; apdu: CommandApdu; extended?: boolean; hex: string; kind: string }[] = [
    { name: 'case 1 is the bare header', apdu: { ...head, data: none, ne: 0 }, hex: '00A40400', kind: '1' },
    { name: 'case 2S writes Le', apdu: { ...head, data: none, ne: 0x1e }, hex: '00A404001E', kind: '2S' },
    { name: 'case 2S writes Le 256 as 00', apdu: { ...head, data: none, ne: 256 }, hex: '00A4040000', kind: '2S' },
    { name: 'case 3S writes Lc and data', apdu: { ...head, data: fromHex('3F00'), ne: 0 }, hex: '00A40400023F00', kind: '3S' },
    {
      name: 'case 4S writes Lc, data and Le',
      apdu: { ...head, data: fromHex('A0000000035349 4E4F504543'), ne: 256 },
      hex: '00A404000CA00000000353494E4F50454300',
      kind: '4S',
    },
    { name: 'case 2E writes 00 and a 2-byte Le', apdu: { ...head, data: none, ne: 300 }, hex: '00A4040000012C', kind: '2E' },
    { name: 'case 2E writes Le 65536 as 0000', apdu: { ...head, data: none, ne: 65_536 }, hex: '00A40400000000', kind: '2E' },
    {
      name: 'case 3E writes 00 and a 2-byte Lc',
      apdu: { ...head, data: fromHex('01'), ne: 0 },
      extended: true,
      hex: '00A4040000000101',
      kind: '3E',
    },
    {
      name: 'case 4E writes both 2-byte fields',
      apdu: { ...head, data: fromHex('0102'), ne: 65_536 },
      hex: '00A40400000002010200 00'.replace(' ', ''),
      kind: '4E',
    },
  ];
  for (const row of rows) {
    it(`${row.name} and decodes back`, () => {
      const bytes = encodeCommandApdu(row.apdu, { extended: row.extended ?? false });
      expect(toHex(bytes)).toBe(row.hex);
      const decoded = decodeCommandApdu(bytes);
      expect(decoded.case).toBe(row.kind);
      expect(toHex(decoded.data)).toBe(toHex(row.apdu.data));
      expect(decoded.ne).toBe(row.apdu.ne);
    });
  }

  it('switches to extended length fields when Nc exceeds 255', () => {
    const bytes = encodeCommandApdu({ ...head, data: counting(256), ne: 0 });
    expect(toHex(bytes.subarray(4, 7))).toBe('000100');
    expect(decodeCommandApdu(bytes).case).toBe('3E');
  });

  it('refuses out-of-range fields with APDU_INVALID', () => {
    for (const bad of [
      { ...head, cla: 256 },
      { ...head, p1: -1 },
      { ...head, ins: 1.5 },
    ]) {
      expect(() => encodeCommandApdu({ ...bad, data: none, ne: 0 })).toThrow(expect.objectContaining({ code: 'APDU_INVALID' }));
    }
    expect(() => encodeCommandApdu({ ...head, data: none, ne: 65_537 })).toThrow(Iso7816Error);
    expect(() => encodeCommandApdu({ ...head, data: new Uint8Array(65_536), ne: 0 })).toThrow(Iso7816Error);
  });

  it('refuses lengths that fit no case with APDU_MALFORMED', () => {
    for (const hex of [
      '',
      '00',
      '00A404',
      '00A4040002AA',
      '00A4040002AABBCCDD',
      '00A404000000',
      '00A40400000000AA',
      '00A40400000002AA',
      '00A4040000000201020000FF',
    ]) {
      expect(() => decodeCommandApdu(fromHex(hex)), hex).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    }
  });
});

describe('response APDU codec', () => {
  it('splits data and SW1 SW2', () => {
    const r = decodeResponseApdu(fromHex('6F0A9000'));
    expect(toHex(r.data)).toBe('6F0A');
    expect([r.sw1, r.sw2, r.sw]).toEqual([0x90, 0x00, 0x9000]);
    expect(toHex(encodeResponseApdu(r.data, r.sw))).toBe('6F0A9000');
  });

  it('refuses fewer than 2 bytes with RESPONSE_TOO_SHORT', () => {
    expect(() => decodeResponseApdu(fromHex('90'))).toThrow(expect.objectContaining({ code: 'RESPONSE_TOO_SHORT' }));
    expect(() => decodeResponseApdu(new Uint8Array(0))).toThrow(Iso7816Error);
  });
});
