/**
 * Command and response APDU codecs (ISO 7816-3 §12.1, ISO 7816-4 §5.1). A command is CLA INS P1 P2,
 * the command data (Nc bytes) and Ne, the number of bytes expected back (0 = none). Encoding picks
 * short or extended length fields by the rules: Le 256 is written 00 (short) and 65 536 as 0000
 * (extended); an extended APDU starts its length fields with a 00 byte. Decoding classifies the
 * seven cases (1, 2S, 3S, 4S, 2E, 3E, 4E) from the length alone and refuses anything else.
 */
import { concatBytes, toHex } from '../bytes.ts';
import { Iso7816Error } from './errors.ts';

/** ISO 7816-3 §12.1.2: the seven cases of a command APDU. */
export const APDU_CASE = {
  CASE_1: '1',
  CASE_2S: '2S',
  CASE_3S: '3S',
  CASE_4S: '4S',
  CASE_2E: '2E',
  CASE_3E: '3E',
  CASE_4E: '4E',
} as const;
export type ApduCase = (typeof APDU_CASE)[keyof typeof APDU_CASE];

/** ISO 7816-4 §5.1: field limits. */
export const APDU_LIMITS = {
  NC_SHORT_MAX: 255,
  NE_SHORT_MAX: 256,
  NC_EXTENDED_MAX: 65_535,
  NE_EXTENDED_MAX: 65_536,
  HEADER_LENGTH: 4,
} as const;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Ne: bytes expected in the response, 0 when no Le field (1..65 536 otherwise). */
  ne: number;
}

export interface DecodedCommandApdu extends CommandApdu {
  case: ApduCase;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw1: number;
  sw2: number;
  /** SW1 << 8 | SW2 */
  sw: number;
}

function invalid(message: string): never {
  throw new Iso7816Error('APDU_INVALID', message);
}

function checkCommand(apdu: CommandApdu): void {
  for (const [name, value] of [
    ['CLA', apdu.cla],
    ['INS', apdu.ins],
    ['P1', apdu.p1],
    ['P2', apdu.p2],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) invalid(`${name} must be a byte, got ${value}`);
  }
  if (!Number.isInteger(apdu.ne) || apdu.ne < 0 || apdu.ne > APDU_LIMITS.NE_EXTENDED_MAX) {
    invalid(`Ne must be 0..${APDU_LIMITS.NE_EXTENDED_MAX}, got ${apdu.ne}`);
  }
  if (apdu.data.length > APDU_LIMITS.NC_EXTENDED_MAX) invalid(`Nc must be at most ${APDU_LIMITS.NC_EXTENDED_MAX}, got ${apdu.data.length}`);
}

/** The case an APDU is encoded as; `extended` forces extended length fields where there are any. */
export function commandCase(apdu: CommandApdu, options: { extended?: boolean } = {}): ApduCase {
  const nc = apdu.data.length;
  const ne = apdu.ne;
  const extended = options.extended === true || nc > APDU_LIMITS.NC_SHORT_MAX || ne > APDU_LIMITS.NE_SHORT_MAX;
  if (nc === 0 && ne === 0) return APDU_CASE.CASE_1;
  if (nc === 0) return extended ? APDU_CASE.CASE_2E : APDU_CASE.CASE_2S;
  if (ne === 0) return extended ? APDU_CASE.CASE_3E : APDU_CASE.CASE_3S;
  return extended ? APDU_CASE.CASE_4E : APDU_CASE.CASE_4S;
}

/** Encodes a command APDU; throws APDU_INVALID for out-of-range fields. */
export function encodeCommandApdu(apdu: CommandApdu, options: { extended?: boolean } = {}): Uint8Array {
  checkCommand(apdu);
  const header = Uint8Array.of(apdu.cla, apdu.ins, apdu.p1, apdu.p2);
  const nc = apdu.data.length;
  const le1 = Uint8Array.of(apdu.ne & 0xff); // 256 → 00
  const le2 = Uint8Array.of((apdu.ne >> 8) & 0xff, apdu.ne & 0xff); // 65 536 → 00 00
  const lc2 = Uint8Array.of(0, (nc >> 8) & 0xff, nc & 0xff);
  switch (commandCase(apdu, options)) {
    case '1':
      return header;
    case '2S':
      return concatBytes(header, le1);
    case '3S':
      return concatBytes(header, Uint8Array.of(nc), apdu.data);
    case '4S':
      return concatBytes(header, Uint8Array.of(nc), apdu.data, le1);
    case '2E':
      return concatBytes(header, Uint8Array.of(0), le2);
    case '3E':
      return concatBytes(header, lc2, apdu.data);
    case '4E':
      return concatBytes(header, lc2, apdu.data, le2);
  }
}

/**
 * ISO 7816-4 §7.6.1 GET RESPONSE for the xx of a 61xx (00 asks for 256 bytes), on the logical
 * channel of `cla` (00 by default).
 */
export function getResponseCommand(sw2: number, cla = 0x00): Uint8Array {
  return encodeCommandApdu({ cla, ins: 0xc0, p1: 0x00, p2: 0x00, data: new Uint8Array(0), ne: sw2 === 0 ? APDU_LIMITS.NE_SHORT_MAX : sw2 });
}

function malformed(bytes: Uint8Array, why: string): never {
  const shown = bytes.length > 16 ? `${toHex(bytes.slice(0, 16))}…` : toHex(bytes);
  throw new Iso7816Error('APDU_MALFORMED', `command APDU ${shown} (${bytes.length} bytes): ${why}`);
}

/** Decodes a command APDU by ISO 7816-3 §12.1.3; throws APDU_MALFORMED when the length fits no case. */
export function decodeCommandApdu(bytes: Uint8Array): DecodedCommandApdu {
  const length = bytes.length;
  if (length < APDU_LIMITS.HEADER_LENGTH) malformed(bytes, 'shorter than the 4-byte header');
  const header = { cla: bytes[0]!, ins: bytes[1]!, p1: bytes[2]!, p2: bytes[3]! };
  const make = (kind: ApduCase, data: Uint8Array, ne: number): DecodedCommandApdu => ({ ...header, data, ne, case: kind });
  if (length === 4) return make('1', new Uint8Array(0), 0);
  const b5 = bytes[4]!;
  if (length === 5) return make('2S', new Uint8Array(0), b5 === 0 ? 256 : b5);
  if (b5 !== 0) {
    if (length === 5 + b5) return make('3S', bytes.slice(5), 0);
    if (length === 6 + b5) {
      const le = bytes[length - 1]!;
      return make('4S', bytes.slice(5, 5 + b5), le === 0 ? 256 : le);
    }
    return malformed(bytes, `Lc ${b5} does not match the length`);
  }
  if (length < 7) malformed(bytes, 'extended length field truncated');
  const b67 = (bytes[5]! << 8) | bytes[6]!;
  if (length === 7) return make('2E', new Uint8Array(0), b67 === 0 ? 65_536 : b67);
  if (b67 === 0) malformed(bytes, 'extended Lc is 0');
  if (length === 7 + b67) return make('3E', bytes.slice(7), 0);
  if (length === 9 + b67) {
    const le = (bytes[length - 2]! << 8) | bytes[length - 1]!;
    return make('4E', bytes.slice(7, 7 + b67), le === 0 ? 65_536 : le);
  }
  return malformed(bytes, `extended Lc ${b67} does not match the length`);
}

/** Splits a response APDU into data and SW1 SW2; throws RESPONSE_TOO_SHORT under 2 bytes. */
export function decodeResponseApdu(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new Iso7816Error('RESPONSE_TOO_SHORT', `response APDU has ${bytes.length} byte(s); SW1 SW2 need 2`);
  }
  const sw1 = bytes[bytes.length - 2]!;
  const sw2 = bytes[bytes.length - 1]!;
  return { data: bytes.slice(0, bytes.length - 2), sw1, sw2, sw: (sw1 << 8) | sw2 };
}

export function encodeResponseApdu(data: Uint8Array, sw: number): Uint8Array {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) invalid(`SW must be 0..FFFF, got ${sw}`);
  return concatBytes(data, Uint8Array.of(sw >> 8, sw & 0xff));
}

/** The status word of a response as a number (SW1 << 8 | SW2). */
export function statusWord(response: Uint8Array): number {
  return decodeResponseApdu(response).sw;
}
