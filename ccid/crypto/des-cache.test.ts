/** The DES key-schedule cache lets go of key material: an evicted schedule, and every one when cleared, is zeroised. */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../bytes.ts';
import { clearKeySchedules, desEncryptBlock, keySchedule, tdesEncryptBlock } from './des.ts';

const KEY = fromHex('0123456789ABCDEF');
const KEY16 = fromHex('0123456789ABCDEFFEDCBA9876543210');
const BLOCK = fromHex('4E6F772069732074');
/** More keys than the cache's 256 entries many times over, so every one of its 64 sets turns over. */
const OTHER_KEY_COUNT = 4_096;

/** Keys counted up from zero in the low word: deterministic, and never KEY (whose high word is not zero). */
function otherKey(i: number): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setUint32(4, i * 2);
  return key;
}

const allZero = (words: Int32Array): boolean => words.every((w) => w === 0);

describe('the DES key-schedule cache', () => {
  it('zeroises the schedule of a key it evicts, and computes it again, unchanged, when the key comes back', () => {
    const expected = desEncryptBlock(KEY, BLOCK);
    const schedule = keySchedule(KEY, 0);
    const copy = Int32Array.from(schedule);
    expect(allZero(schedule)).toBe(false);
    for (let i = 0; i < OTHER_KEY_COUNT; i++) desEncryptBlock(otherKey(i), BLOCK);
    expect(allZero(schedule)).toBe(true);
    expect(keySchedule(KEY, 0)).toEqual(copy);
    expect(keySchedule(KEY, 0)).not.toBe(schedule);
    expect(desEncryptBlock(KEY, BLOCK)).toEqual(expected);
  });

  it('keeps the two schedules of a 3DES key whole while they are in use, under any traffic', () => {
    const expected = tdesEncryptBlock(KEY16, BLOCK);
    for (let i = 0; i < OTHER_KEY_COUNT; i++) {
      desEncryptBlock(otherKey(i), BLOCK);
      if (i % 64 === 0) expect(tdesEncryptBlock(KEY16, BLOCK)).toEqual(expected);
    }
  });

  it('zeroises every schedule it holds when cleared, and still answers right after', () => {
    const expected = tdesEncryptBlock(KEY16, BLOCK);
    const left = keySchedule(KEY16, 0);
    const right = keySchedule(KEY16, 8);
    expect(allZero(left) || allZero(right)).toBe(false);
    clearKeySchedules();
    expect(allZero(left) && allZero(right)).toBe(true);
    expect(tdesEncryptBlock(KEY16, BLOCK)).toEqual(expected);
  });
});
