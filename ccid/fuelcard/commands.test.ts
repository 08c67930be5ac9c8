import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.ts';
import { FuelCardError } from './errors.ts';
import { apdu, readBinary, readRecord } from './commands.ts';

describe('the command builder refuses what a short APDU cannot say, rather than wrapping it', () => {
  it('builds the short forms: no body, Le 256 written 00, a body with Lc', () => {
    expect(toHex(apdu([0x00, 0xb0, 0x95, 0x00], undefined, 30))).toBe('00B095001E');
    expect(toHex(apdu([0x00, 0xa4, 0x04, 0x00], Uint8Array.of(0xa0, 0x00), 256))).toBe('00A4040002A00000');
    expect(toHex(readBinary({ sfi: 0x15, length: 256, offset: 255 }))).toBe('00B095FF00');
  });

  it.each([
    ['a P2 of 256', [0x00, 0xb0, 0x95, 0x100]],
    ['a negative P1', [0x00, 0xb0, -1, 0x00]],
    ['a fractional CLA', [0.5, 0xb0, 0x95, 0x00]],
    ['three header bytes', [0x00, 0xb0, 0x95]],
  ])('refuses %s', (_, header) => {
    expect(() => apdu(header)).toThrow(FuelCardError);
  });

  it.each([0, 257, 1.5, -1])('refuses Le %s', (le) => {
    expect(() => apdu([0x00, 0xb0, 0x95, 0x00], undefined, le)).toThrow(FuelCardError);
  });

  it('refuses a READ BINARY by SFI past offset 255 (it used to read offset 0)', () => {
    expect(() => readBinary({ sfi: 0x15, length: 30, offset: 256 })).toThrow(/offset/);
    expect(() => readBinary({ sfi: 0x15, length: 30, offset: -1 })).toThrow(/offset/);
  });

  it('refuses a record number a P1 cannot hold', () => {
    expect(() => readRecord({ sfi: 0x18, record: 255, length: 23 })).toThrow(FuelCardError);
  });
});
