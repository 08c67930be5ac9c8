/**
 * TEST ONLY: the original bit-per-element FIPS 46-3 DES, kept word for word as the reference the
 * fast des.ts is checked against (des-fast.test.ts) and as the baseline of `npm run bench -- ccid`.
 * Product code must not import this module: it recomputes the key schedule for every block and is
 * tens of times slower.
 *
 * It follows FIPS 46-3 literally, table by table, working on arrays of bits, so each step can be
 * checked against the standard. Tables are 1-based bit positions, most significant bit of byte 0
 * first, as FIPS 46-3 prints them.
 */
import { P, PC1, PC2, S_BOXES, SHIFTS } from './des-tables.ts';
import { requireBlock, requireKey } from './errors.ts';

/** FIPS 46-3 "Initial Permutation IP". */
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41,
  33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
] as const;

/** FIPS 46-3 "Inverse Initial Permutation IP^-1". */
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12,
  52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
] as const;

/** FIPS 46-3 "E BIT-SELECTION TABLE": 32 bits of R expanded to 48. */
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25,
  26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
] as const;

const ROUND_COUNT = 16;

type Bits = Uint8Array<ArrayBuffer>; // one bit per element, 0 or 1

function bytesToBits(bytes: Uint8Array): Bits {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i++) bits[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

function bitsToBytes(bits: Bits): Uint8Array {
  const bytes = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bits.length; i++) bytes[i >> 3]! |= bits[i]! << (7 - (i & 7));
  return bytes;
}

/** out[i] = input[table[i] - 1]: every FIPS table is a list of 1-based source positions. */
function permute(input: Bits, table: readonly number[]): Bits {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = input[table[i]! - 1]!;
  return out;
}

function rotateLeft(half: Bits, count: number): Bits {
  const out = new Uint8Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = half[(i + count) % half.length]!;
  return out;
}

/** The 16 round subkeys K1..K16, 48 bits each. */
function keySchedule(key8: Uint8Array): Bits[] {
  const cd = permute(bytesToBits(key8), PC1);
  let c = cd.slice(0, 28);
  let d = cd.slice(28, 56);
  const subkeys: Bits[] = [];
  for (let round = 0; round < ROUND_COUNT; round++) {
    c = rotateLeft(c, SHIFTS[round]!);
    d = rotateLeft(d, SHIFTS[round]!);
    const joined = new Uint8Array(56);
    joined.set(c, 0);
    joined.set(d, 28);
    subkeys.push(permute(joined, PC2));
  }
  return subkeys;
}

/** The cipher function f(R, K): expand, mix the subkey in, substitute through S1..S8, permute. */
function feistel(right: Bits, subkey: Bits): Bits {
  const mixed = permute(right, E);
  for (let i = 0; i < 48; i++) mixed[i]! ^= subkey[i]!;
  const substituted = new Uint8Array(32);
  for (let box = 0; box < 8; box++) {
    const b = mixed.subarray(box * 6, box * 6 + 6);
    const row = (b[0]! << 1) | b[5]!;
    const column = (b[1]! << 3) | (b[2]! << 2) | (b[3]! << 1) | b[4]!;
    const value = S_BOXES[box]![row * 16 + column]!;
    for (let bit = 0; bit < 4; bit++) substituted[box * 4 + bit] = (value >> (3 - bit)) & 1;
  }
  return permute(substituted, P);
}

function desBlock(key8: Uint8Array, block8: Uint8Array, decrypt: boolean): Uint8Array {
  requireKey(key8, 8);
  requireBlock(block8);
  const subkeys = keySchedule(key8);
  if (decrypt) subkeys.reverse();
  const lr = permute(bytesToBits(block8), IP);
  let left = lr.slice(0, 32);
  let right = lr.slice(32, 64);
  for (const subkey of subkeys) {
    const f = feistel(right, subkey);
    for (let i = 0; i < 32; i++) f[i]! ^= left[i]!;
    left = right;
    right = f;
  }
  // The last round's halves are not swapped: the preoutput block is R16 L16.
  const preoutput = new Uint8Array(64);
  preoutput.set(right, 0);
  preoutput.set(left, 32);
  return bitsToBytes(permute(preoutput, FP));
}

export function referenceDesEncryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  return desBlock(key8, block8, false);
}

export function referenceDesDecryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  return desBlock(key8, block8, true);
}

function splitKey16(key16: Uint8Array): [Uint8Array, Uint8Array] {
  requireKey(key16, 16);
  return [key16.subarray(0, 8), key16.subarray(8, 16)];
}

/** Two-key triple DES, EDE: E(K1) D(K2) E(K1) (docs/card-protocol.md §2.1). */
export function referenceTdesEncryptBlock(key16: Uint8Array, block8: Uint8Array): Uint8Array {
  const [left, right] = splitKey16(key16);
  return referenceDesEncryptBlock(left, referenceDesDecryptBlock(right, referenceDesEncryptBlock(left, block8)));
}

export function referenceTdesDecryptBlock(key16: Uint8Array, block8: Uint8Array): Uint8Array {
  const [left, right] = splitKey16(key16);
  return referenceDesDecryptBlock(left, referenceDesEncryptBlock(right, referenceDesDecryptBlock(left, block8)));
}
