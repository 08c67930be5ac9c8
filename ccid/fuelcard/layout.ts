/**
 * Fixed field layouts, the one codec behind every command body, response body and record of the
 * fuel card: a layout lists (name, kind, bytes) in card order, `decodeLayout` turns bytes into a
 * typed object and `encodeLayout` writes it back. Kinds: unsigned big-endian integers (money in fen,
 * counters), hex strings (keys, MACs, ids), BCD date and time strings.
 */
import { concatBytes, fromHex, toHex, uintBe, uintMax } from '../bytes.ts';
import { decodeBcdDate, decodeBcdTime, encodeBcdDate, encodeBcdTime } from './bcd.ts';
import { invalidInput, malformed } from './errors.ts';

export type FieldKind = 'uint' | 'hex' | 'date' | 'time';
export type FieldSpec = readonly [name: string, kind: FieldKind, bytes: number];
export type Layout = readonly FieldSpec[];

type KindValue<K extends FieldKind> = K extends 'uint' ? number : string;
export type LayoutValue<L extends Layout> = { [F in L[number] as F[0]]: KindValue<F[1]> };

export function layoutBytes(layout: Layout): number {
  return layout.reduce((sum, [, , bytes]) => sum + bytes, 0);
}

function readUint(bytes: Uint8Array): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}

export function uintBytes(value: number, width: number, name: string): Uint8Array {
  const out = uintBe(value, width);
  if (out === null) throw invalidInput(`${name} must be an integer 0..${uintMax(width)}, got ${value}`);
  return out;
}

/** Decodes exactly `layoutBytes(layout)` bytes; RESPONSE_MALFORMED otherwise, DATA_INVALID on bad BCD. */
export function decodeLayout<L extends Layout>(layout: L, bytes: Uint8Array, what: string): LayoutValue<L> {
  const expected = layoutBytes(layout);
  if (bytes.length !== expected) throw malformed(what, String(expected), bytes.length);
  const out: Record<string, number | string> = {};
  let at = 0;
  for (const [name, kind, width] of layout) {
    const field = bytes.subarray(at, at + width);
    at += width;
    if (kind === 'uint') out[name] = readUint(field);
    else if (kind === 'hex') out[name] = toHex(field);
    else if (kind === 'date') out[name] = decodeBcdDate(field);
    else out[name] = decodeBcdTime(field);
  }
  return out as LayoutValue<L>;
}

export function encodeLayout<L extends Layout>(layout: L, value: LayoutValue<L>): Uint8Array {
  const record = value as Record<string, number | string | undefined>;
  const parts = layout.map(([name, kind, width]) => {
    const field = record[name];
    if (kind === 'uint') {
      if (typeof field !== 'number') throw invalidInput(`${name} must be a number`);
      return uintBytes(field, width, name);
    }
    if (typeof field !== 'string') throw invalidInput(`${name} must be a string`);
    if (kind === 'date') return encodeBcdDate(field);
    if (kind === 'time') return encodeBcdTime(field);
    if (!new RegExp(`^[0-9A-Fa-f]{${width * 2}}$`).test(field)) throw invalidInput(`${name} must be ${width} bytes of hex`);
    return fromHex(field);
  });
  return concatBytes(...parts);
}
