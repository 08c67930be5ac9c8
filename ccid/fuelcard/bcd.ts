/**
 * BCD fields of the fuel card (docs/card-protocol.md §0): dates YYYYMMDD in 4 bytes, times HHMMSS
 * in 3, the PIN as BCD digits padded with F, the ASN as 20 BCD digits. Dates travel in our code as
 * 'YYYY-MM-DD' and times as 'HH:MM:SS' strings; the card's bytes are only checked for BCD digits,
 * not calendar validity, since cards in the field hold 00000000 in empty fields.
 */
import { toHex } from '../bytes.ts';
import { FUEL_CARD_ERROR, FuelCardError, invalidInput } from './errors.ts';

function bcdDigits(bytes: Uint8Array, what: string): string {
  const digits = toHex(bytes);
  if (!/^[0-9]*$/.test(digits)) throw new FuelCardError(FUEL_CARD_ERROR.DATA_INVALID, `${what} is not BCD: ${digits}`);
  return digits;
}

export function decodeBcdDate(bytes4: Uint8Array): string {
  const d = bcdDigits(bytes4, 'date');
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}

export function decodeBcdTime(bytes3: Uint8Array): string {
  const t = bcdDigits(bytes3, 'time');
  return `${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`;
}

function digitsToBcd(digits: string): Uint8Array {
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** 'YYYY-MM-DD' or 'YYYYMMDD' to 4 BCD bytes. */
export function encodeBcdDate(date: string): Uint8Array {
  const digits = date.replace(/-/g, '');
  if (!/^[0-9]{8}$/.test(digits)) throw invalidInput(`date must be YYYY-MM-DD, got ${date}`);
  return digitsToBcd(digits);
}

/** 'HH:MM:SS' or 'HHMMSS' to 3 BCD bytes. */
export function encodeBcdTime(time: string): Uint8Array {
  const digits = time.replace(/:/g, '');
  if (!/^[0-9]{6}$/.test(digits)) throw invalidInput(`time must be HH:MM:SS, got ${time}`);
  return digitsToBcd(digits);
}

/** A JavaScript Date to the card's date and time in the given UTC offset (China: +480 minutes). */
export function cardDateTime(at: Date, utcOffsetMinutes = 480): { date: Uint8Array; time: Uint8Array } {
  const local = new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString(); // 2024-01-02T03:04:05.000Z
  return { date: encodeBcdDate(local.slice(0, 10)), time: encodeBcdTime(local.slice(11, 19)) };
}

/**
 * docs/card-protocol.md §5.4: the PIN as BCD, an odd digit count padded with F (VERIFY: 2..6
 * bytes).
 */
export function encodePin(digits: string): Uint8Array {
  if (!/^[0-9]{4,12}$/.test(digits)) throw invalidInput('PIN must be 4..12 digits');
  return digitsToBcd(digits.length % 2 === 0 ? digits : `${digits}F`);
}

/** The ASN (card number) as 20 BCD digits, or hex where a card holds non-digits. */
export function encodeAsn(asn: string): Uint8Array {
  if (!/^[0-9]{20}$/.test(asn)) throw invalidInput(`ASN must be 20 digits, got ${asn}`);
  return digitsToBcd(asn);
}
