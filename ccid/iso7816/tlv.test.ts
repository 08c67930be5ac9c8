import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { encodeLength, encodeTlv, findTlv, formatTlv, parseTlv, tlv, tlvConstructed } from './tlv.ts';

// An FCI as a PBOC card answers SELECT: 6F { 84 DF name, A5 { 88 SFI, 9F0C issuer data, BF0C { } } }
const FCI = tlvConstructed(0x6f, [
  tlv(0x84, fromHex('A00000000353494E4F504543')),
  tlvConstructed(0xa5, [
    tlv(0x88, fromHex('01')),
    tlv(0x9f0c, fromHex('0102030405')),
    tlvConstructed(0xbf0c, [tlv(0x9f4d, fromHex('0B0A'))]),
  ]),
]);

describe('BER-TLV', () => {
  it('parses an FCI with multi-byte tags and nested templates', () => {
    const bytes = encodeTlv(FCI);
    expect(toHex(bytes).slice(0, 4)).toBe('6F23');
    const nodes = parseTlv(bytes);
    expect(toHex(findTlv(nodes, 0x6f, 0x84)!.value)).toBe('A00000000353494E4F504543');
    expect(toHex(findTlv(nodes, 0x6f, 0xa5, 0x9f0c)!.value)).toBe('0102030405');
    expect(toHex(findTlv(nodes, 0x6f, 0xa5, 0xbf0c, 0x9f4d)!.value)).toBe('0B0A');
    expect(findTlv(nodes, 0x6f, 0x99)).toBeUndefined();
    expect(formatTlv(nodes)).toContain('    9F0C 0102030405');
  });

  it('reads long-form lengths', () => {
    const value = new Uint8Array(300);
    const bytes = encodeTlv(tlv(0x53, value));
    expect(toHex(bytes.subarray(0, 4))).toBe('5382012C');
    expect(parseTlv(bytes)[0]!.value.length).toBe(300);
    expect(toHex(encodeLength(0x7f))).toBe('7F');
    expect(toHex(encodeLength(0x80))).toBe('8180');
    expect(parseTlv(fromHex('5381020102'))[0]!.value.length).toBe(2);
  });

  it('refuses truncation, overruns and indefinite lengths', () => {
    for (const hex of ['9F', '9F0C', '84', '8405AABB', '6F80', '6F850100000000', '9F8080800100', '6F0384']) {
      expect(() => parseTlv(fromHex(hex)), hex).toThrow(expect.objectContaining({ code: 'TLV_MALFORMED' }));
    }
  });

  it('stops deep nesting at the depth cap', () => {
    let bytes = encodeTlv(tlv(0x80, fromHex('00')));
    for (let i = 0; i < 20; i++) bytes = encodeTlv({ tag: 0xa0, value: bytes });
    expect(() => parseTlv(bytes)).toThrow(expect.objectContaining({ code: 'TLV_TOO_DEEP' }));
    expect(parseTlv(bytes, { tlvDepthMax: 30 })).toHaveLength(1);
  });

  it('stops a flood of objects at the count cap', () => {
    const bytes = new Uint8Array(4000).fill(0);
    expect(() => parseTlv(bytes)).toThrow(expect.objectContaining({ code: 'TLV_TOO_MANY' }));
  });

  it('refuses to encode an invalid tag', () => {
    expect(() => encodeTlv(tlv(0x9f, new Uint8Array(0)))).toThrow(expect.objectContaining({ code: 'TLV_INVALID' }));
    expect(() => encodeTlv({ tag: 0x1000000, value: new Uint8Array(0) })).toThrow(expect.objectContaining({ code: 'TLV_INVALID' }));
  });
});
