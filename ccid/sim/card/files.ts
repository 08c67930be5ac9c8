/**
 * The contents of the SINOPEC ADF's binary files (docs/card-protocol.md §3.1–3.4) and the card
 * number (ASN, §5.1 there), built from named fields. Pure builders used to issue simulated cards;
 * the terminal's decoders live in ccid/fuelcard.
 */
import { fromHex } from '../../bytes.ts';
import { FILE_BYTES } from './state.ts';

/** Card types, ASN[2] (docs/card-protocol.md §5.1, S2 `CRVaribles.h`). */
export const CARD_TYPE = { USER: 0x01, MANAGE: 0x02, EMPLOYEE: 0x04, PUMP_TEST: 0x05, MAINTENANCE: 0x06 } as const;
export type CardTypeCode = (typeof CARD_TYPE)[keyof typeof CARD_TYPE];

/**
 * Sinopec's issuer code in EF15 byte 0 (S1 writes 10, "中石化"), bytes 1..7 FF (docs/card-protocol.md
 * §3.1).
 */
export const SINOPEC_ISSUER_ID = fromHex('10FFFFFFFFFFFFFF');

export class FuelCardIssueError extends Error {
  readonly code = 'CARD_ISSUE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'FuelCardIssueError';
  }
}

function digitsToBcd(digits: string, name: string): Uint8Array {
  if (!/^\d*$/.test(digits) || digits.length % 2 !== 0) throw new FuelCardIssueError(`${name} must be an even number of digits`);
  return fromHex(digits);
}

/**
 * ASN per S1: "0100" + cardType(2) + keyVersion(1) + province(2) + "00" + serial(9) = 20 digits
 * (docs/card-protocol.md §5.1; S1 always writes key version digit 1). Example:
 * 01000113200000123456.
 */
export function buildAsn(f: { cardType: number; province: string; serial: number; keyVersion?: number }): Uint8Array {
  const keyVersion = f.keyVersion ?? 1;
  if (!/^\d{2}$/.test(f.province)) throw new FuelCardIssueError('province must be 2 digits');
  if (!Number.isSafeInteger(f.serial) || f.serial < 0 || f.serial > 999_999_999)
    throw new FuelCardIssueError('serial must be 0..999999999');
  if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 9) throw new FuelCardIssueError('key version must be a digit');
  const type = f.cardType.toString(16).padStart(2, '0');
  const digits = `0100${type}${keyVersion}${f.province}00${String(f.serial).padStart(9, '0')}`;
  return digitsToBcd(digits, 'ASN');
}

/** BCD YYYYMMDD from "2024-01-02" or "20240102". */
export function bcdDate(date: string): Uint8Array {
  const digits = date.replace(/-/g, '');
  if (!/^\d{8}$/.test(digits)) throw new FuelCardIssueError(`not a date: ${date}`);
  return fromHex(digits);
}

export interface Ef15Fields {
  issuerId?: Uint8Array;
  asn: Uint8Array;
  startDate: string;
  expiryDate: string;
}

/** EF15, public application basic data, 30 bytes (docs/card-protocol.md §3.1). */
export function buildEf15(f: Ef15Fields): Uint8Array {
  const out = new Uint8Array(FILE_BYTES.ef15);
  const issuerId = f.issuerId ?? SINOPEC_ISSUER_ID;
  if (issuerId.length !== 8) throw new FuelCardIssueError('issuer id must be 8 bytes');
  if (f.asn.length !== 10) throw new FuelCardIssueError('ASN must be 10 bytes');
  out.set(issuerId, 0);
  out[8] = 0x11; // application type
  out[9] = 0x01; // application version
  out.set(f.asn, 10);
  out.set(bcdDate(f.startDate), 20);
  out.set(bcdDate(f.expiryDate), 24);
  out[28] = 0x01; // instruction set version
  out[29] = 0x00;
  return out;
}

export interface Ef16Fields {
  /** 1 single-user card, 2 multi-user (main/sub) card (S2). */
  holderFlag: 1 | 2;
  /** 0 = the holder is a Sinopec employee (S2); S1 writes 0 for everyone. */
  employeeFlag?: number;
  /** Holder name already GBK-encoded, at most 20 bytes; empty for an anonymous card. */
  nameGbk?: Uint8Array;
  /** ASCII ID number, at most 18 characters. */
  idNumber?: string;
  /** 01 ID card, 02 driving licence, 03 officer card, 04 other. */
  idType?: number;
}

/** EF16, cardholder data, 41 bytes (docs/card-protocol.md §3.2). Unused bytes are 00. */
export function buildEf16(f: Ef16Fields): Uint8Array {
  const out = new Uint8Array(FILE_BYTES.ef16);
  const name = f.nameGbk ?? new Uint8Array(0);
  const id = f.idNumber ?? '';
  if (name.length > 20) throw new FuelCardIssueError('holder name longer than 20 GBK bytes');
  if (!/^[\x20-\x7e]{0,18}$/.test(id)) throw new FuelCardIssueError('ID number must be at most 18 ASCII characters');
  out[0] = f.holderFlag;
  out[1] = f.employeeFlag ?? 0;
  out.set(name, 2);
  for (let i = 0; i < id.length; i++) out[22 + i] = id.charCodeAt(i);
  out[40] = f.idType ?? (id.length > 0 ? 0x01 : 0x00);
  return out;
}

/** EF1B, general info, 32 bytes (docs/card-protocol.md §3.3). */
export function buildEf1b(f: { customerPin: boolean; employeeNumber?: number; employeePasswordBcd?: string }): Uint8Array {
  const out = new Uint8Array(FILE_BYTES.ef1b);
  out[0] = f.customerPin ? 0x01 : 0x00;
  out[1] = f.employeeNumber ?? 0;
  out.set(digitsToBcd(f.employeePasswordBcd ?? '0000', 'employee password').subarray(0, 2), 2);
  return out;
}

/** EF1C, usage limits, 96 bytes (docs/card-protocol.md §3.4): no limits unless given. */
export function buildEf1c(
  f: { perFuellingLimit?: number; fuellingsPerDay?: number; amountPerDayFen?: number; plateGbk?: Uint8Array } = {},
): Uint8Array {
  const out = new Uint8Array(FILE_BYTES.ef1c);
  out[0] = 0xff; // grade: no limit
  out[1] = 0xff;
  out[2] = 0xff; // location: no limit
  const perFuelling = f.perFuellingLimit ?? 0xffff;
  out[43] = (perFuelling >> 8) & 0xff;
  out[44] = perFuelling & 0xff;
  out[45] = f.fuellingsPerDay ?? 0xff;
  const perDay = f.amountPerDayFen ?? 0xffffffff;
  out.set([(perDay >>> 24) & 0xff, (perDay >>> 16) & 0xff, (perDay >>> 8) & 0xff, perDay & 0xff], 46);
  if (f.plateGbk !== undefined) {
    if (f.plateGbk.length > 16) throw new FuelCardIssueError('plate longer than 16 GBK bytes');
    out.set(f.plateGbk, 50);
  }
  return out;
}

/** The PIN as VERIFY carries it: digits to BCD, an odd count padded with an F nibble. */
export function pinToBcd(digits: string): Uint8Array {
  if (!/^\d{4,12}$/.test(digits)) throw new FuelCardIssueError('PIN must be 4..12 digits');
  return fromHex(digits.length % 2 === 0 ? digits : `${digits}F`);
}
