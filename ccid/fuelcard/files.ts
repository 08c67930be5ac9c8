/**
 * Codecs of the SINOPEC ADF's binary files (docs/card-protocol.md §3.1–3.4): EF15 application data,
 * EF16 holder, EF1B general information, EF1C usage limits. Pure: bytes in, values out (a
 * FuelCardError with RESPONSE_MALFORMED on a wrong length, DATA_INVALID on a non-BCD date); the
 * encoders are for personalisation and write the same layout back. Byte strings without a meaning
 * of their own (issuer id, RFU) travel as upper-case hex. The bare § numbers below are
 * docs/card-protocol.md's too.
 */
import { concatBytes, fromHex, readU16be, readU32be, toHex } from '../bytes.ts';
import { decodeBcdDate, encodeAsn, encodeBcdDate } from './bcd.ts';
import { invalidInput, malformed } from './errors.ts';
import { FILE_BYTES } from './spec.ts';
import { decodeGbk, encodeGbk } from './gbk.ts';
import { uintBytes } from './layout.ts';

function requireLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw malformed(what, String(length), bytes.length);
}

function hexField(hex: string, length: number, name: string): Uint8Array {
  if (!new RegExp(`^[0-9A-Fa-f]{${length * 2}}$`).test(hex)) throw invalidInput(`${name} must be ${length} bytes of hex`);
  return fromHex(hex);
}

function byteField(value: number, name: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw invalidInput(`${name} must be a byte, got ${value}`);
  return Uint8Array.of(value);
}

// ---- EF15: public application basic data, 30 bytes (§3.1) ----

export type Ef15 = {
  issuerId: string;
  appType: number;
  appVersion: number;
  /** The 10-byte application serial number (card number) as 20 digits. */
  asn: string;
  startDate: string;
  expiryDate: string;
  instructionVersion: number;
  rfu: number;
};

/** Facts the ASN carries (§5.1): card type ASN[2], key version ASN[3] high nibble, province code. */
export function asnDetails(asn: string): { cardType: number; keyVersion: number; provinceCode: string } {
  const bytes = hexField(asn, 10, 'asn');
  return {
    cardType: bytes[2]!,
    keyVersion: bytes[3]! >> 4,
    provinceCode: toHex(Uint8Array.of(((bytes[3]! & 0x0f) << 4) | (bytes[4]! >> 4))),
  };
}

export function decodeEf15(bytes: Uint8Array): Ef15 {
  requireLength(bytes, FILE_BYTES.EF15, 'EF15');
  return {
    issuerId: toHex(bytes.subarray(0, 8)),
    appType: bytes[8]!,
    appVersion: bytes[9]!,
    asn: toHex(bytes.subarray(10, 20)),
    startDate: decodeBcdDate(bytes.subarray(20, 24)),
    expiryDate: decodeBcdDate(bytes.subarray(24, 28)),
    instructionVersion: bytes[28]!,
    rfu: bytes[29]!,
  };
}

export function encodeEf15(ef15: Ef15): Uint8Array {
  const asn = /^[0-9]{20}$/.test(ef15.asn) ? encodeAsn(ef15.asn) : hexField(ef15.asn, 10, 'asn');
  return concatBytes(
    hexField(ef15.issuerId, 8, 'issuerId'),
    byteField(ef15.appType, 'appType'),
    byteField(ef15.appVersion, 'appVersion'),
    asn,
    encodeBcdDate(ef15.startDate),
    encodeBcdDate(ef15.expiryDate),
    byteField(ef15.instructionVersion, 'instructionVersion'),
    byteField(ef15.rfu, 'rfu'),
  );
}

// ---- EF16: cardholder data, 41 bytes (§3.2) ----

export type Ef16 = {
  /** 1 single-user card, 2 multi-user (main/sub) card. */
  holderFlag: number;
  /** 0 means the holder is a Sinopec employee (S2). */
  employeeFlag: number;
  holderName: string;
  idNumber: string;
  /** 1 ID card, 2 driving licence, 3 officer card, 4 other. */
  idType: number;
};

const NAME_BYTES = 20;
const ID_NUMBER_BYTES = 18;

export function decodeEf16(bytes: Uint8Array): Ef16 {
  requireLength(bytes, FILE_BYTES.EF16, 'EF16');
  return {
    holderFlag: bytes[0]!,
    employeeFlag: bytes[1]!,
    holderName: decodeGbk(bytes.subarray(2, 2 + NAME_BYTES)),
    idNumber: decodeGbk(bytes.subarray(22, 22 + ID_NUMBER_BYTES)),
    idType: bytes[40]!,
  };
}

export function encodeEf16(ef16: Ef16): Uint8Array {
  if (!/^[\x21-\x7e]{0,18}$/.test(ef16.idNumber)) throw invalidInput('idNumber must be up to 18 printable ASCII characters');
  return concatBytes(
    byteField(ef16.holderFlag, 'holderFlag'),
    byteField(ef16.employeeFlag, 'employeeFlag'),
    encodeGbk(ef16.holderName, NAME_BYTES),
    encodeGbk(ef16.idNumber, ID_NUMBER_BYTES),
    byteField(ef16.idType, 'idType'),
  );
}

// ---- EF1B: general information, 32 bytes (§3.3) ----

export type Ef1b = {
  /** EF1B[0] = 00: the terminal verifies the default PIN 9999 by itself. */
  usesDefaultPin: boolean;
  pinMode: number;
  employeeNumber: number;
  /** Employee password, 2 bytes BCD, as hex. */
  employeePassword: string;
  rfu: string;
};

export function decodeEf1b(bytes: Uint8Array): Ef1b {
  requireLength(bytes, FILE_BYTES.EF1B, 'EF1B');
  return {
    usesDefaultPin: bytes[0] === 0x00,
    pinMode: bytes[0]!,
    employeeNumber: bytes[1]!,
    employeePassword: toHex(bytes.subarray(2, 4)),
    rfu: toHex(bytes.subarray(4)),
  };
}

export function encodeEf1b(ef1b: Ef1b): Uint8Array {
  if (ef1b.usesDefaultPin !== (ef1b.pinMode === 0)) throw invalidInput('usesDefaultPin must agree with pinMode 00');
  return concatBytes(
    byteField(ef1b.pinMode, 'pinMode'),
    byteField(ef1b.employeeNumber, 'employeeNumber'),
    hexField(ef1b.employeePassword, 2, 'employeePassword'),
    hexField(ef1b.rfu, 28, 'rfu'),
  );
}

// ---- EF1C: usage limits, 96 bytes (§3.4) ----

/** Location-limit modes: entry width in bytes of the 40-byte list (S2 CRPumpCall.c). */
export const LOCATION_MODE = { NONE: 0xff, PROVINCE: 0x01, CITY: 0x02, SUPERIOR_UNIT: 0x03, STATION: 0x04 } as const;
const LOCATION_ENTRY_BYTES: Record<number, number> = { 0x01: 1, 0x02: 2, 0x03: 4, 0x04: 4 };
const LOCATION_LIST_BYTES = 40;
const PLATE_BYTES = 16;

export type Ef1c = {
  /** Grade (油品) limit code as hex; FFFF = no limit. */
  gradeLimit: string;
  locationMode: number;
  /** Location codes as hex, by the mode's entry width; FF.. entries are empty slots, dropped. */
  locations: string[];
  perFuellingLimit: number;
  fuellingsPerDayMax: number;
  amountPerDayFenMax: number;
  vehiclePlate: string;
  rfu: string;
};

function decodeLocations(mode: number, list: Uint8Array): string[] {
  const width = LOCATION_ENTRY_BYTES[mode];
  if (width === undefined) return [];
  const out: string[] = [];
  for (let at = 0; at + width <= list.length; at += width) {
    const entry = list.subarray(at, at + width);
    if (!entry.every((b) => b === 0xff)) out.push(toHex(entry));
  }
  return out;
}

function encodeLocations(mode: number, locations: string[]): Uint8Array {
  const list = new Uint8Array(LOCATION_LIST_BYTES).fill(0xff);
  const width = LOCATION_ENTRY_BYTES[mode];
  if (width === undefined) {
    if (locations.length > 0) throw invalidInput(`location mode ${mode} takes no locations`);
    return list;
  }
  if (locations.length * width > LOCATION_LIST_BYTES)
    throw invalidInput(`at most ${LOCATION_LIST_BYTES / width} locations in mode ${mode}`);
  locations.forEach((hex, i) => list.set(hexField(hex, width, 'location'), i * width));
  return list;
}

export function decodeEf1c(bytes: Uint8Array): Ef1c {
  requireLength(bytes, FILE_BYTES.EF1C, 'EF1C');
  return {
    gradeLimit: toHex(bytes.subarray(0, 2)),
    locationMode: bytes[2]!,
    locations: decodeLocations(bytes[2]!, bytes.subarray(3, 43)),
    perFuellingLimit: readU16be(bytes, 43),
    fuellingsPerDayMax: bytes[45]!,
    amountPerDayFenMax: readU32be(bytes, 46),
    vehiclePlate: decodeGbk(bytes.subarray(50, 50 + PLATE_BYTES)),
    rfu: toHex(bytes.subarray(66)),
  };
}

export function encodeEf1c(ef1c: Ef1c): Uint8Array {
  return concatBytes(
    hexField(ef1c.gradeLimit, 2, 'gradeLimit'),
    byteField(ef1c.locationMode, 'locationMode'),
    encodeLocations(ef1c.locationMode, ef1c.locations),
    uintBytes(ef1c.perFuellingLimit, 2, 'perFuellingLimit'),
    byteField(ef1c.fuellingsPerDayMax, 'fuellingsPerDayMax'),
    uintBytes(ef1c.amountPerDayFenMax, 4, 'amountPerDayFenMax'),
    encodeGbk(ef1c.vehiclePlate, PLATE_BYTES),
    hexField(ef1c.rfu, 30, 'rfu'),
  );
}
