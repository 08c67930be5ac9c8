/**
 * The fixed-width fields that go into session keys, MACs and TACs, with their checks: money is an
 * integer number of fen written as 4 bytes big-endian, counters are 2 (card) or 4 (terminal) bytes,
 * and the byte fields have the lengths of docs/card-protocol.md §0.
 */
import { uintBe, uintMax } from '../bytes.ts';
import { CRYPTO_ERROR, CryptoError, requireField } from './errors.ts';

/** Transaction type codes, 交易类型标识 (docs/card-protocol.md §2.5). */
export const TRANS_TYPE = {
  LOAD_ED: 0x01,
  LOAD_EP: 0x02,
  UNLOAD: 0x03,
  CASH_WITHDRAW: 0x04,
  PURCHASE_ED: 0x05,
  PURCHASE_EP: 0x06,
  OVERDRAFT_UPDATE: 0x07,
  COMPOSITE_PURCHASE: 0x09,
  GREY_LOCK: 0x91,
  UNLOCK_DEBIT: 0x93,
  ONLINE_UNLOCK: 0x95,
} as const;

/** Unsigned big-endian integer of `width` bytes; a typed error when out of range or not an integer. */
export function uintField(value: number, width: 1 | 2 | 3 | 4, name: string): Uint8Array {
  const out = uintBe(value, width);
  if (out === null)
    throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `${name} must be an integer 0..${uintMax(width)}, got ${value}`);
  return out;
}

export const fen4 = (fen: number, name = 'amountFen'): Uint8Array => uintField(fen, 4, name);
export const ttc2 = (ttc: number, name = 'ttc'): Uint8Array => uintField(ttc, 2, name);
export const ttc4 = (ttc: number, name = 'terminalTtc'): Uint8Array => uintField(ttc, 4, name);

export function transTypeByte(type: number): Uint8Array {
  return uintField(type, 1, 'transType');
}

/** A 2-byte counter given as bytes or as a number. */
export function ttc2Bytes(ttc: Uint8Array | number, name: string): Uint8Array {
  if (typeof ttc === 'number') return ttc2(ttc, name);
  requireField(ttc, 2, name);
  return ttc;
}

export function terminalIdField(terminalId: Uint8Array): Uint8Array {
  requireField(terminalId, 6, 'terminalId');
  return terminalId;
}

/** Date BCD YYYYMMDD (4 bytes) and time BCD HHMMSS (3 bytes), checked for length only. */
export function dateTimeFields(date: Uint8Array, time: Uint8Array): Uint8Array[] {
  requireField(date, 4, 'date');
  requireField(time, 3, 'time');
  return [date, time];
}
