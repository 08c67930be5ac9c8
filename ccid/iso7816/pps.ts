/**
 * Protocol and Parameters Selection (ISO 7816-3 §9): builds the PPS request a host sends after the
 * ATR when the reader does not negotiate by itself, and checks the card's answer. Pure codec; at
 * TPDU level the CCID driver carries these bytes in a PC_to_RDR_XfrBlock and then sends
 * SetParameters with the result. Success is the card echoing the request, where PPS1/PPS2/PPS3
 * may be left out of the answer (§9.3); anything else means the card refused and must be reset.
 */
import { toHex } from '../bytes.ts';
import { Iso7816Error, assert } from './errors.ts';

/** ISO 7816-3 §9.2: PPSS and the presence bits of PPS0. */
export const PPS = {
  PPSS: 0xff,
  PPS0_PPS1_PRESENT: 0x10,
  PPS0_PPS2_PRESENT: 0x20,
  PPS0_PPS3_PRESENT: 0x40,
  /** TA1 value meaning Fi 372 / Di 1: used when the answer leaves PPS1 out. */
  PPS1_DEFAULT: 0x11,
} as const;

export interface PpsRequest {
  /** T, low nibble of PPS0 (0 or 1 in practice). */
  protocol: number;
  /** FI/DI byte (same layout as TA1); omitted means keep the defaults. */
  pps1?: number;
  pps2?: number;
  pps3?: number;
}

export interface PpsResult {
  protocol: number;
  /** The FI/DI byte now in force: PPS1 if echoed, 0x11 when the answer left it out. */
  pps1: number;
}

function pck(bytes: Uint8Array, length: number): number {
  let xor = 0;
  for (let i = 0; i < length; i++) xor ^= bytes[i] ?? 0;
  return xor;
}

function checkByte(value: number | undefined, name: string): void {
  assert(value === undefined || (Number.isInteger(value) && value >= 0 && value <= 0xff), `${name} must be a byte`);
}

export function buildPpsRequest(request: PpsRequest): Uint8Array {
  assert(Number.isInteger(request.protocol) && request.protocol >= 0 && request.protocol <= 14, 'PPS protocol must be 0..14');
  checkByte(request.pps1, 'PPS1');
  checkByte(request.pps2, 'PPS2');
  checkByte(request.pps3, 'PPS3');
  let pps0 = request.protocol;
  const out = [PPS.PPSS, 0];
  if (request.pps1 !== undefined) {
    pps0 |= PPS.PPS0_PPS1_PRESENT;
    out.push(request.pps1);
  }
  if (request.pps2 !== undefined) {
    pps0 |= PPS.PPS0_PPS2_PRESENT;
    out.push(request.pps2);
  }
  if (request.pps3 !== undefined) {
    pps0 |= PPS.PPS0_PPS3_PRESENT;
    out.push(request.pps3);
  }
  out[1] = pps0;
  out.push(0);
  const bytes = Uint8Array.from(out);
  bytes[bytes.length - 1] = pck(bytes, bytes.length - 1);
  return bytes;
}

interface ParsedPps {
  pps0: number;
  pps1: number | undefined;
  pps2: number | undefined;
  pps3: number | undefined;
}

/** Splits a PPS message (request or answer) into its fields; checks PPSS, length and PCK. */
export function parsePps(bytes: Uint8Array): ParsedPps {
  if (bytes[0] !== PPS.PPSS)
    throw new Iso7816Error('PPS_MALFORMED', `PPS must start with FF, got ${toHex(bytes.slice(0, 1)) || 'nothing'}`);
  const pps0 = bytes[1];
  if (pps0 === undefined) throw new Iso7816Error('PPS_MALFORMED', 'PPS truncated: PPS0 missing');
  let offset = 2;
  const take = (bit: number): number | undefined => {
    if ((pps0 & bit) === 0) return undefined;
    const value = bytes[offset];
    if (value === undefined) throw new Iso7816Error('PPS_MALFORMED', 'PPS truncated');
    offset += 1;
    return value;
  };
  const pps1 = take(PPS.PPS0_PPS1_PRESENT);
  const pps2 = take(PPS.PPS0_PPS2_PRESENT);
  const pps3 = take(PPS.PPS0_PPS3_PRESENT);
  if (bytes.length !== offset + 1) {
    throw new Iso7816Error('PPS_MALFORMED', `PPS has ${bytes.length} bytes, PPS0 ${toHex(Uint8Array.of(pps0))} implies ${offset + 1}`);
  }
  if (pck(bytes, bytes.length) !== 0) throw new Iso7816Error('PPS_BAD_PCK', `PPS check byte wrong in ${toHex(bytes)}`);
  return { pps0, pps1, pps2, pps3 };
}

/**
 * Checks the card's PPS answer against the request (ISO 7816-3 §9.3). Returns the parameters in
 * force; throws PPS_MALFORMED / PPS_BAD_PCK for a garbled answer and PPS_REJECTED for a refusal.
 */
export function checkPpsResponse(request: Uint8Array, response: Uint8Array): PpsResult {
  const sent = parsePps(request);
  const got = parsePps(response);
  const reject = (why: string): never => {
    throw new Iso7816Error('PPS_REJECTED', `card refused PPS ${toHex(request)}: answered ${toHex(response)} (${why})`);
  };
  if ((got.pps0 & 0x0f) !== (sent.pps0 & 0x0f)) reject('different protocol');
  if (got.pps1 !== undefined && got.pps1 !== sent.pps1) reject('different PPS1');
  if (got.pps2 !== undefined && got.pps2 !== sent.pps2) reject('different PPS2');
  if (got.pps3 !== undefined && got.pps3 !== sent.pps3) reject('different PPS3');
  if ((got.pps0 & 0x80) !== 0) reject('PPS0 b8 set');
  return { protocol: got.pps0 & 0x0f, pps1: got.pps1 ?? PPS.PPS1_DEFAULT };
}
