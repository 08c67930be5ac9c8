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
import { P, PC1, PC2, S_BOXES, SHIFTS } from './des-tables.ts';
import { requireBlock, requireKey } from './errors.ts';

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
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
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

/**
 * Moves entries first..last-1 of a set down by one (dropping `last`) and puts this key first. A
 * schedule dropped from the cache is zeroised: it is the key, expanded, and would otherwise stay
 * in the heap until the collector reuses its memory. (A dropped schedule is never in use: DES and
 * 3DES look up their one or two schedules before the rounds, and both then sit in front of the
 * four ways, while the one dropped is the last.)
 */
function cacheAtFront(first: number, last: number, high: number, low: number, schedule: Int32Array): void {
  const dropped = cachedSchedule[last];
  if (dropped !== undefined && dropped !== schedule) dropped.fill(0);
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
 * Zeroises and forgets every cached schedule and key: called when the server shuts down (its
 * key store forgets its keys at the same time), and by anyone done with keys for good.
 */
export function clearKeySchedules(): void {
  for (let entry = 0; entry < KEY_SCHEDULE_CACHE_ENTRY_COUNT; entry++) {
    cachedSchedule[entry]?.fill(0);
    cachedSchedule[entry] = undefined;
  }
  cachedKeyHigh.fill(0);
  cachedKeyLow.fill(0);
}

/**
 * The cached schedule of the 8-byte key at key[offset]. Keyed by content, not identity: callers
 * build fresh arrays for the same key. Parity bits (the low bit of each byte) are masked off, since
 * DES ignores them. Hazard: the cache holds key material until the key is evicted (then zeroised)
 * or clearKeySchedules is called. Exported for tests only (an evicted schedule is checked zeroised).
 */
export function keySchedule(key: Uint8Array, offset: number): Int32Array {
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

/** Two-key triple DES, EDE: E(K1) D(K2) E(K1) (docs/card-protocol.md §2.1). */
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
