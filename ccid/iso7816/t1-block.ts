/**
 * T=1 block codec (ISO 7816-3 §11.3–11.4): NAD PCB LEN INF EDC, bytes in, a typed block out, no
 * I/O. I-blocks carry N(S) and the chaining bit M; R-blocks carry N(R) and an error code; S-blocks
 * are RESYNCH, IFS, ABORT and WTX, each a request or a response. The EDC is an LRC (XOR of every
 * byte from NAD to the end of INF) or a 2-byte CRC, as libccid computes it (`openct/checksum.c`,
 * ISO 3309 table, initial value FFFF, high byte first): docs/card-protocol.md §8.3 flags the CRC
 * variant as unverified against a real CRC card, so both ends of our stack share this one function.
 */
import { toHex } from '../bytes.ts';
import { Iso7816Error, assert } from './errors.ts';

/** ISO 7816-3 §11.3.2.2: PCB coding. */
export const T1_PCB = {
  I_BLOCK: 0x00, // 0 N(S) M 00000
  I_NS: 0x40,
  I_MORE: 0x20,
  R_BLOCK: 0x80, // 100 N(R) 0 ee
  R_NR: 0x10,
  R_ERROR_EDC: 0x01,
  R_ERROR_OTHER: 0x02,
  S_BLOCK: 0xc0, // 11 R 000 tt
  S_RESPONSE: 0x20,
  S_RESYNCH: 0x00,
  S_IFS: 0x01,
  S_ABORT: 0x02,
  S_WTX: 0x03,
} as const;

/** ISO 7816-3 §11.4.2: INF size limits, default IFSC/IFSD. */
export const T1_INF = {
  LEN_MAX: 254,
  IFS_DEFAULT: 32,
  IFS_MIN: 1,
  IFS_MAX: 254,
} as const;

export type T1Edc = 'LRC' | 'CRC';
export type T1RError = 'none' | 'edc' | 'other';
export type T1SType = 'RESYNCH' | 'IFS' | 'ABORT' | 'WTX';

export type T1Block =
  | { kind: 'I'; nad: number; ns: 0 | 1; more: boolean; inf: Uint8Array }
  | { kind: 'R'; nad: number; nr: 0 | 1; error: T1RError }
  | { kind: 'S'; nad: number; type: T1SType; response: boolean; inf: Uint8Array };

const S_TYPES: readonly T1SType[] = ['RESYNCH', 'IFS', 'ABORT', 'WTX'];

export function lrc(bytes: Uint8Array): number {
  let xor = 0;
  for (const byte of bytes) xor ^= byte;
  return xor;
}

/** CRC as libccid `csum_crc_compute`: reflected CCITT polynomial (0x8408), initial FFFF, no final XOR. */
export function crc16(bytes: Uint8Array): number {
  let v = 0xffff;
  for (const byte of bytes) {
    v ^= byte;
    for (let bit = 0; bit < 8; bit++) v = v & 1 ? (v >>> 1) ^ 0x8408 : v >>> 1;
  }
  return v;
}

function edcBytes(prologueAndInf: Uint8Array, edc: T1Edc): Uint8Array {
  if (edc === 'LRC') return Uint8Array.of(lrc(prologueAndInf));
  const v = crc16(prologueAndInf);
  return Uint8Array.of(v >> 8, v & 0xff);
}

function pcbOf(block: T1Block): number {
  switch (block.kind) {
    case 'I':
      return T1_PCB.I_BLOCK | (block.ns ? T1_PCB.I_NS : 0) | (block.more ? T1_PCB.I_MORE : 0);
    case 'R': {
      const error = block.error === 'edc' ? T1_PCB.R_ERROR_EDC : block.error === 'other' ? T1_PCB.R_ERROR_OTHER : 0;
      return T1_PCB.R_BLOCK | (block.nr ? T1_PCB.R_NR : 0) | error;
    }
    case 'S':
      return T1_PCB.S_BLOCK | (block.response ? T1_PCB.S_RESPONSE : 0) | S_TYPES.indexOf(block.type);
  }
}

export function encodeT1Block(block: T1Block, edc: T1Edc): Uint8Array {
  const inf = block.kind === 'R' ? new Uint8Array(0) : block.inf;
  assert(inf.length <= T1_INF.LEN_MAX, `T=1 INF must be at most ${T1_INF.LEN_MAX} bytes, got ${inf.length}`);
  assert(Number.isInteger(block.nad) && block.nad >= 0 && block.nad <= 0xff, 'NAD must be a byte');
  const body = new Uint8Array(3 + inf.length);
  body[0] = block.nad;
  body[1] = pcbOf(block);
  body[2] = inf.length;
  body.set(inf, 3);
  const check = edcBytes(body, edc);
  const out = new Uint8Array(body.length + check.length);
  out.set(body);
  out.set(check, body.length);
  return out;
}

function malformed(bytes: Uint8Array, why: string): never {
  const shown = bytes.length > 12 ? `${toHex(bytes.slice(0, 12))}…` : toHex(bytes);
  throw new Iso7816Error('T1_MALFORMED_BLOCK', `T=1 block ${shown}: ${why}`);
}

function decodePcb(nad: number, pcb: number, inf: Uint8Array, bytes: Uint8Array): T1Block {
  if ((pcb & 0x80) === 0) {
    if ((pcb & 0x1f) !== 0) malformed(bytes, 'I-block PCB has reserved bits set');
    return { kind: 'I', nad, ns: (pcb & T1_PCB.I_NS) !== 0 ? 1 : 0, more: (pcb & T1_PCB.I_MORE) !== 0, inf };
  }
  if ((pcb & 0xc0) === T1_PCB.R_BLOCK) {
    if ((pcb & 0x2c) !== 0) malformed(bytes, 'R-block PCB has reserved bits set');
    if (inf.length !== 0) malformed(bytes, 'R-block carries INF');
    const code = pcb & 0x03;
    const error: T1RError =
      code === 0 ? 'none' : code === 1 ? 'edc' : code === 2 ? 'other' : malformed(bytes, 'R-block error code 3 is RFU');
    return { kind: 'R', nad, nr: (pcb & T1_PCB.R_NR) !== 0 ? 1 : 0, error };
  }
  const type = S_TYPES[pcb & 0x1f];
  if (type === undefined) malformed(bytes, `S-block type ${pcb & 0x1f} is RFU`);
  const wantInf = type === 'IFS' || type === 'WTX' ? 1 : 0;
  if (inf.length !== wantInf) malformed(bytes, `S(${type}) must carry ${wantInf} INF byte(s)`);
  return { kind: 'S', nad, type, response: (pcb & T1_PCB.S_RESPONSE) !== 0, inf };
}

/**
 * Decodes one block. Throws Iso7816Error T1_BAD_EDC when the EDC is wrong (answer with an
 * R-block 'edc') and T1_MALFORMED_BLOCK for any other defect (answer with an R-block 'other').
 */
export function decodeT1Block(bytes: Uint8Array, edc: T1Edc): T1Block {
  const edcLength = edc === 'LRC' ? 1 : 2;
  if (bytes.length < 3 + edcLength) malformed(bytes, 'shorter than prologue + EDC');
  const len = bytes[2]!;
  if (len === 0xff) malformed(bytes, 'LEN FF is reserved');
  if (bytes.length !== 3 + len + edcLength) malformed(bytes, `LEN ${len} does not match ${bytes.length} bytes`);
  const body = bytes.subarray(0, 3 + len);
  const expected = edcBytes(body, edc);
  for (let i = 0; i < edcLength; i++) {
    if (bytes[3 + len + i] !== expected[i]) {
      throw new Iso7816Error('T1_BAD_EDC', `T=1 block ${toHex(bytes.slice(0, 3))}…: ${edc} mismatch`);
    }
  }
  return decodePcb(bytes[0]!, bytes[1]!, bytes.slice(3, 3 + len), bytes);
}

/** Short text for logs: "I(0,M) 20 bytes", "R(1,edc)", "S(WTX req 02)". */
export function describeT1Block(block: T1Block): string {
  switch (block.kind) {
    case 'I':
      return `I(${block.ns}${block.more ? ',M' : ''}) ${block.inf.length} bytes`;
    case 'R':
      return `R(${block.nr}${block.error === 'none' ? '' : `,${block.error}`})`;
    case 'S':
      return `S(${block.type} ${block.response ? 'resp' : 'req'}${block.inf.length > 0 ? ` ${toHex(block.inf)}` : ''})`;
  }
}
