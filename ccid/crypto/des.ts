/**
 * DES and two-key triple DES (EDE, K1 K2 K1) on single 8-byte blocks, in pure TypeScript.
 *
 * Why hand-written: WebCrypto has no DES, and the kiosk runs in the browser; Node's OpenSSL 3
 * lacks plain `des-ecb` too. The server's key store, the simulated cards and the kiosk all run
 * every MAC, TAC and key diversification through here, so it is the standard fast software DES
 * (Outerbridge's d3des, as in libtomcrypt; Eric Young's des_enc in OpenSSL is the same idea):
 * - each half block is one 32-bit word, kept rotated left by one bit so that every S-box's six
 *   expanded input bits (the E table) sit in one byte of the word or of the word rotated by 4;
 * - S-box and P permutation are merged into eight 64-entry "SP" tables, built once at load from
 *   the FIPS tables below rather than typed in as magic numbers;
 * - IP and IP^-1 are five swap-and-mask steps each; in 3DES the IP^-1/IP pairs between the three
 *   stages cancel, so they are skipped (as OpenSSL's DES_encrypt3 does);
 * - key schedules are computed once per key and kept in a bounded cache keyed by the key bytes
 *   (256 entries, LRU within each of 64 sets), since the same master, card and session keys come
 *   back block after block, usually in freshly allocated arrays.
 * The old bit-per-element FIPS 46-3 implementation is kept as des-reference.ts (tests only) and
 * des-fast.test.ts checks this one against it and against OpenSSL on random keys and blocks.
 *
 * Not constant-time: the SP lookups are indexed by key-dependent data, as in every table-driven
 * software DES (the old implementation's S-box lookups were too). The host, kiosk and simulator do
 * not share a CPU with an attacker; the real cards do their own DES in hardware.
 *
 * Tables are 1-based bit positions, most significant bit of byte 0 first, as FIPS 46-3 prints them.
 */
import { requireBlock, requireKey } from './errors.ts';

/** FIPS 46-3 primitive function P, applied to the 32 S-box output bits. */
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
] as const;

/** FIPS 46-3 "Permuted choice 1": 56 key bits out of 64 (the parity bits 8, 16, ... are dropped). */
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47,
  39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
] as const;

/** FIPS 46-3 "Permuted choice 2": 48 subkey bits out of C||D (56). */
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40,
  51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
] as const;

/** Left-shift schedule of C and D for rounds 1..16. */
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1] as const;

/** S1..S8, each 4 rows of 16 columns, row-major. */
const S_BOXES: readonly (readonly number[])[] = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
   4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
   0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
   13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
   10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
   4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
   9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
   1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
   7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

const ROUND_COUNT = 16;

/**
 * The key schedule cache: 64 sets of 4 keys, 256 schedules (64 KiB) in all. A terminal or card
 * session uses a handful of keys at a time; four ways per set keep a few hot keys that hash alike
 * from evicting each other.
 */
const KEY_SCHEDULE_CACHE_SET_BITS = 6;
const KEY_SCHEDULE_CACHE_SET_COUNT = 1 << KEY_SCHEDULE_CACHE_SET_BITS;
const KEY_SCHEDULE_CACHE_WAY_COUNT = 4;
/** Words per cached schedule: 16 rounds x 2 words for encryption, then the same reversed for decryption. */
const SCHEDULE_WORDS = 4 * ROUND_COUNT;
const DECRYPT_OFFSET = 2 * ROUND_COUNT;

const rotateLeft1 = (word: number): number => (word << 1) | (word >>> 31);

/**
 * SP table of S-box `box` (0-based): for each 6-bit input b1..b6 (b1 most significant), the S-box
 * output placed at its four bits of the 32, sent through P, rotated left by one like the halves.
 */
function spTable(box: number): Int32Array {
  const table = new Int32Array(64);
  for (let input = 0; input < 64; input++) {
    const row = ((input >> 4) & 2) | (input & 1); // b1 b6
    const column = (input >> 1) & 0xf; // b2 b3 b4 b5
    const sboxOut = S_BOXES[box]![row * 16 + column]! << (28 - 4 * box);
    let permuted = 0;
    for (let bit = 0; bit < 32; bit++) permuted |= ((sboxOut >>> (32 - P[bit]!)) & 1) << (31 - bit);
    table[input] = rotateLeft1(permuted);
  }
  return table;
}

const [SP1, SP2, SP3, SP4, SP5, SP6, SP7, SP8] = [0, 1, 2, 3, 4, 5, 6, 7].map(spTable) as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

const keyBit = (key: Uint8Array, offset: number, position: number): number =>
  (key[offset + ((position - 1) >> 3)]! >> (7 - ((position - 1) & 7))) & 1;

const rotate28 = (half: number, count: number): number => ((half << count) | (half >>> (28 - count))) & 0x0fffffff;

/**
 * The 16 subkeys of the 8-byte key at key[offset], for the round function below: subkey i is the
 * words [2i] (six bits each for S1, S3, S5, S7 in bytes 3..0) and [2i + 1] (S2, S4, S6, S8);
 * entries from DECRYPT_OFFSET hold the same pairs in reverse round order. Runs once per key.
 */
function computeKeySchedule(key: Uint8Array, offset: number): Int32Array {
  let c = 0;
  let d = 0;
  for (let i = 0; i < 28; i++) {
    c = (c << 1) | keyBit(key, offset, PC1[i]!);
    d = (d << 1) | keyBit(key, offset, PC1[i + 28]!);
  }
  const schedule = new Int32Array(SCHEDULE_WORDS);
  for (let round = 0; round < ROUND_COUNT; round++) {
    c = rotate28(c, SHIFTS[round]!);
    d = rotate28(d, SHIFTS[round]!);
    const sixes = [0, 0, 0, 0, 0, 0, 0, 0]; // the subkey bits entering S1..S8
    for (let bit = 0; bit < 48; bit++) {
      const source = PC2[bit]!; // 1..28 in C, 29..56 in D
      const value = source <= 28 ? (c >>> (28 - source)) & 1 : (d >>> (56 - source)) & 1;
      const box = Math.floor(bit / 6);
      sixes[box] = (sixes[box]! << 1) | value;
    }
    // Odd-numbered S-boxes in one word, even-numbered in the other, as the round function reads them.
    const odd = (sixes[0]! << 24) | (sixes[2]! << 16) | (sixes[4]! << 8) | sixes[6]!;
    const even = (sixes[1]! << 24) | (sixes[3]! << 16) | (sixes[5]! << 8) | sixes[7]!;
    schedule[2 * round] = odd;
    schedule[2 * round + 1] = even;
    schedule[DECRYPT_OFFSET + 2 * (ROUND_COUNT - 1 - round)] = odd;
    schedule[DECRYPT_OFFSET + 2 * (ROUND_COUNT - 1 - round) + 1] = even;
  }
  return schedule;
}

/**
 * Cache entry i: the key's two words (parity bits masked off) and its schedule. Within a set the
 * entries run from most to least recently used; an empty entry ends the set. Typed arrays and a
 * word hash rather than a Map of hex strings: a lookup costs less than the cipher it saves.
 */
const KEY_SCHEDULE_CACHE_ENTRY_COUNT = KEY_SCHEDULE_CACHE_SET_COUNT * KEY_SCHEDULE_CACHE_WAY_COUNT;
const cachedKeyHigh = new Int32Array(KEY_SCHEDULE_CACHE_ENTRY_COUNT);
const cachedKeyLow = new Int32Array(KEY_SCHEDULE_CACHE_ENTRY_COUNT);
const cachedSchedule: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(KEY_SCHEDULE_CACHE_ENTRY_COUNT).fill(undefined);

/** Moves entries first..last-1 of a set down by one (dropping `last`) and puts this key first. */
function cacheAtFront(first: number, last: number, high: number, low: number, schedule: Int32Array): void {
  for (let entry = last; entry > first; entry--) {
    cachedKeyHigh[entry] = cachedKeyHigh[entry - 1]!;
    cachedKeyLow[entry] = cachedKeyLow[entry - 1]!;
    cachedSchedule[entry] = cachedSchedule[entry - 1];
  }
  cachedKeyHigh[first] = high;
  cachedKeyLow[first] = low;
  cachedSchedule[first] = schedule;
}

/**
 * The cached schedule of the 8-byte key at key[offset]. Keyed by content, not identity: callers
 * build fresh arrays for the same key. Parity bits (the low bit of each byte) are masked off, since
 * DES ignores them. Hazard: the cache holds key material for as long as the process lives.
 */
function keySchedule(key: Uint8Array, offset: number): Int32Array {
  const high = ((key[offset]! << 24) | (key[offset + 1]! << 16) | (key[offset + 2]! << 8) | key[offset + 3]!) & 0xfefefefe;
  const low = ((key[offset + 4]! << 24) | (key[offset + 5]! << 16) | (key[offset + 6]! << 8) | key[offset + 7]!) & 0xfefefefe;
  // Multiplicative hashing: the top bits of the product pick the set.
  const hash = Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b);
  const first = (hash >>> (32 - KEY_SCHEDULE_CACHE_SET_BITS)) * KEY_SCHEDULE_CACHE_WAY_COUNT;
  const last = first + KEY_SCHEDULE_CACHE_WAY_COUNT - 1;
  for (let entry = first; entry <= last; entry++) {
    const schedule = cachedSchedule[entry];
    if (schedule === undefined) break;
    if (cachedKeyHigh[entry] === high && cachedKeyLow[entry] === low) {
      if (entry !== first) cacheAtFront(first, entry, high, low, schedule);
      return schedule;
    }
  }
  const schedule = computeKeySchedule(key, offset);
  cacheAtFront(first, last, high, low, schedule);
  return schedule;
}

/** The two half-block words between the steps of one block; single-threaded, never held across calls. */
const halves = new Int32Array(2);

/** Loads the block and applies IP: halves = L0, R0, each rotated left by one bit. */
function initialPermutation(block: Uint8Array): void {
  let left = (block[0]! << 24) | (block[1]! << 16) | (block[2]! << 8) | block[3]!;
  let right = (block[4]! << 24) | (block[5]! << 16) | (block[6]! << 8) | block[7]!;
  let work = ((left >>> 4) ^ right) & 0x0f0f0f0f;
  right ^= work;
  left ^= work << 4;
  work = ((left >>> 16) ^ right) & 0x0000ffff;
  right ^= work;
  left ^= work << 16;
  work = ((right >>> 2) ^ left) & 0x33333333;
  left ^= work;
  right ^= work << 2;
  work = ((right >>> 8) ^ left) & 0x00ff00ff;
  left ^= work;
  right ^= work << 8;
  right = rotateLeft1(right);
  work = (left ^ right) & 0xaaaaaaaa;
  left ^= work;
  right ^= work;
  halves[0] = rotateLeft1(left);
  halves[1] = right;
}

/** IP^-1 of R16 L16 (the last round does not swap; sixteenRounds already did) into a new block. */
function finalPermutation(): Uint8Array {
  let right = halves[0]!; // R16 comes first in the preoutput; names as in libtomcrypt's desfunc
  let left = halves[1]!;
  right = (right >>> 1) | (right << 31);
  let work = (left ^ right) & 0xaaaaaaaa;
  left ^= work;
  right ^= work;
  left = (left >>> 1) | (left << 31);
  work = ((left >>> 8) ^ right) & 0x00ff00ff;
  right ^= work;
  left ^= work << 8;
  work = ((left >>> 2) ^ right) & 0x33333333;
  right ^= work;
  left ^= work << 2;
  work = ((right >>> 16) ^ left) & 0x0000ffff;
  left ^= work;
  right ^= work << 16;
  work = ((right >>> 4) ^ left) & 0x0f0f0f0f;
  left ^= work;
  right ^= work << 4;
  const out = new Uint8Array(8);
  out[0] = right >>> 24;
  out[1] = right >>> 16;
  out[2] = right >>> 8;
  out[3] = right;
  out[4] = left >>> 24;
  out[5] = left >>> 16;
  out[6] = left >>> 8;
  out[7] = left;
  return out;
}

/**
 * Sixteen rounds on `halves` with the subkeys from schedule[offset], two rounds per iteration so
 * the halves never move; ends with halves = R16, L16, ready for IP^-1 or for the next 3DES stage.
 * f(R, K) is E (the rotations), XOR with K, then S and P through the SP tables.
 */
function sixteenRounds(schedule: Int32Array, offset: number): void {
  let left = halves[0]!;
  let right = halves[1]!;
  for (let i = offset; i < offset + DECRYPT_OFFSET; i += 4) {
    let work = ((right >>> 4) | (right << 28)) ^ schedule[i]!;
    left ^= SP7[work & 0x3f]! ^ SP5[(work >>> 8) & 0x3f]! ^ SP3[(work >>> 16) & 0x3f]! ^ SP1[(work >>> 24) & 0x3f]!;
    work = right ^ schedule[i + 1]!;
    left ^= SP8[work & 0x3f]! ^ SP6[(work >>> 8) & 0x3f]! ^ SP4[(work >>> 16) & 0x3f]! ^ SP2[(work >>> 24) & 0x3f]!;
    work = ((left >>> 4) | (left << 28)) ^ schedule[i + 2]!;
    right ^= SP7[work & 0x3f]! ^ SP5[(work >>> 8) & 0x3f]! ^ SP3[(work >>> 16) & 0x3f]! ^ SP1[(work >>> 24) & 0x3f]!;
    work = left ^ schedule[i + 3]!;
    right ^= SP8[work & 0x3f]! ^ SP6[(work >>> 8) & 0x3f]! ^ SP4[(work >>> 16) & 0x3f]! ^ SP2[(work >>> 24) & 0x3f]!;
  }
  halves[0] = right;
  halves[1] = left;
}

function desBlock(key8: Uint8Array, block8: Uint8Array, decrypt: boolean): Uint8Array {
  requireKey(key8, 8);
  requireBlock(block8);
  const schedule = keySchedule(key8, 0);
  initialPermutation(block8);
  sixteenRounds(schedule, decrypt ? DECRYPT_OFFSET : 0);
  return finalPermutation();
}

export function desEncryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  return desBlock(key8, block8, false);
}

export function desDecryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  return desBlock(key8, block8, true);
}

/** The three stages of two-key 3DES, with the IP^-1 IP pairs between stages left out: they cancel. */
function tdesBlock(key16: Uint8Array, block8: Uint8Array, decrypt: boolean): Uint8Array {
  requireKey(key16, 16);
  requireBlock(block8);
  const left = keySchedule(key16, 0);
  const right = keySchedule(key16, 8);
  const outer = decrypt ? DECRYPT_OFFSET : 0;
  initialPermutation(block8);
  sixteenRounds(left, outer);
  sixteenRounds(right, DECRYPT_OFFSET - outer);
  sixteenRounds(left, outer);
  return finalPermutation();
}

/** Two-key triple DES, EDE: E(K1) D(K2) E(K1) (reference §2.1). */
export function tdesEncryptBlock(key16: Uint8Array, block8: Uint8Array): Uint8Array {
  return tdesBlock(key16, block8, false);
}

export function tdesDecryptBlock(key16: Uint8Array, block8: Uint8Array): Uint8Array {
  return tdesBlock(key16, block8, true);
}

/** XOR of two equal-length byte strings (CBC chaining, key halves, the diversification complement). */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xor of unequal lengths ${a.length} and ${b.length}`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
