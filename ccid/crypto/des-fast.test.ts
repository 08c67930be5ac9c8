/**
 * The fast DES of des.ts is the same cipher as the literal FIPS 46-3 one it replaced
 * (des-reference.ts): equal outputs on random keys and blocks, the FIPS/NIST known answers, and
 * two-key 3DES against OpenSSL's `des-ede` (ECB) where this Node's OpenSSL offers it.
 */
import { createCipheriv, getCiphers } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { desDecryptBlock, desEncryptBlock, tdesDecryptBlock, tdesEncryptBlock } from './des.ts';
import {
  referenceDesDecryptBlock,
  referenceDesEncryptBlock,
  referenceTdesDecryptBlock,
  referenceTdesEncryptBlock,
} from './des-reference.ts';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
/** More runs than the usual 100: each run is cheap and this is the proof the rewrite changed nothing. */
const RUN_COUNT = 1000;

describe('fast DES against the FIPS 46-3 reference implementation', () => {
  it('encrypts every random block under every random key to the same ciphertext', () => {
    fc.assert(
      fc.property(bytes(8), bytes(8), (key, block) => {
        expect(toHex(desEncryptBlock(key, block))).toBe(toHex(referenceDesEncryptBlock(key, block)));
      }),
      { numRuns: RUN_COUNT },
    );
  });

  it('decrypts every random block under every random key to the same plaintext', () => {
    fc.assert(
      fc.property(bytes(8), bytes(8), (key, block) => {
        expect(toHex(desDecryptBlock(key, block))).toBe(toHex(referenceDesDecryptBlock(key, block)));
      }),
      { numRuns: RUN_COUNT },
    );
  });

  it('agrees on two-key 3DES both ways', () => {
    fc.assert(
      fc.property(bytes(16), bytes(8), (key, block) => {
        expect(toHex(tdesEncryptBlock(key, block))).toBe(toHex(referenceTdesEncryptBlock(key, block)));
        expect(toHex(tdesDecryptBlock(key, block))).toBe(toHex(referenceTdesDecryptBlock(key, block)));
      }),
      { numRuns: RUN_COUNT },
    );
  });

  it('agrees on edge keys and blocks: all zeros, all ones, weak and semi-weak keys', () => {
    const keys = ['0000000000000000', 'FFFFFFFFFFFFFFFF', '0101010101010101', 'FEFEFEFEFEFEFEFE', '1F1F1F1F0E0E0E0E', '01FE01FE01FE01FE'];
    const blocks = ['0000000000000000', 'FFFFFFFFFFFFFFFF', '8000000000000000', '0000000000000001'];
    for (const keyHex of keys) {
      for (const blockHex of blocks) {
        const [key, block] = [fromHex(keyHex), fromHex(blockHex)];
        expect(toHex(desEncryptBlock(key, block))).toBe(toHex(referenceDesEncryptBlock(key, block)));
        expect(toHex(desDecryptBlock(key, block))).toBe(toHex(referenceDesDecryptBlock(key, block)));
      }
    }
  });
});

describe('fast DES known answers', () => {
  // FIPS 46-3 worked example (J. Orlin Grabbe's walk-through) and NIST SP 800-17 Table A.1 entries.
  it.each([
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
    ['0101010101010101', '8000000000000000', '95F8A5E5DD31D900'],
    ['0101010101010101', '0000000000000001', '166B40B44ABA4BD6'],
    ['8001010101010101', '0000000000000000', '95A8D72813DAA94D'],
    ['1046913489980131', '0000000000000000', '88D55E54F54C97B4'],
  ])('under key %s encrypts %s to %s and back', (keyHex, plainHex, cipherHex) => {
    const [key, plain] = [fromHex(keyHex), fromHex(plainHex)];
    expect(toHex(desEncryptBlock(key, plain)).toUpperCase()).toBe(cipherHex);
    expect(toHex(desDecryptBlock(key, fromHex(cipherHex))).toUpperCase()).toBe(plainHex);
  });

  it('ignores the parity bits of the key, as DES does', () => {
    fc.assert(
      fc.property(bytes(8), bytes(8), bytes(8), (key, parity, block) => {
        const flipped = key.map((byte, i) => byte ^ (parity[i]! & 1));
        expect(toHex(desEncryptBlock(flipped, block))).toBe(toHex(desEncryptBlock(key, block)));
      }),
    );
  });

  it('still gives the right answers after the key schedule cache has been overrun', () => {
    const key = fromHex('133457799BBCDFF1');
    const block = fromHex('0123456789ABCDEF');
    expect(toHex(desEncryptBlock(key, block)).toUpperCase()).toBe('85E813540F0AB405');
    for (let i = 0; i < 1000; i++) desEncryptBlock(Uint8Array.of(i >> 8, i, 1, 2, 3, 4, 5, 6), block);
    expect(toHex(desEncryptBlock(Uint8Array.from(key), block)).toUpperCase()).toBe('85E813540F0AB405');
  });
});

describe('fast 3DES against OpenSSL des-ede (ECB)', () => {
  const available = getCiphers().includes('des-ede');

  it.skipIf(!available)('equals des-ede on random two-key keys and blocks, both ways', () => {
    fc.assert(
      fc.property(bytes(16), bytes(8), (key, block) => {
        const cipher = createCipheriv('des-ede', key, null).setAutoPadding(false);
        const expected = new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
        expect(toHex(tdesEncryptBlock(key, block))).toBe(toHex(expected));
        expect(toHex(tdesDecryptBlock(key, expected))).toBe(toHex(block));
      }),
      { numRuns: RUN_COUNT },
    );
  });

  it('with equal halves is single DES', () => {
    fc.assert(
      fc.property(bytes(8), bytes(8), (half, block) => {
        expect(toHex(tdesEncryptBlock(concatBytes(half, half), block))).toBe(toHex(desEncryptBlock(half, block)));
      }),
    );
  });
});
