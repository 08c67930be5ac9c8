/** DES, 3DES and the MACs cross-checked against OpenSSL through Node's crypto on random inputs. */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../bytes.ts';
import {
  CryptoError,
  desCbcMac,
  desDecryptBlock,
  desEncryptBlock,
  diversify,
  padIso9797m2,
  pbocMac,
  retailMac,
  retailMacFull,
  tdesCbcMac,
  tdesDecryptBlock,
  tdesEncryptBlock,
  xorBytes,
} from './index.ts';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

/**
 * OpenSSL 3 has no `des-ecb`: single DES is `des-ede-ecb` with K||K (docs/card-protocol.md §2.1).
 */
function openssl(cipher: string, key: Uint8Array, data: Uint8Array, iv: Uint8Array | null = null): Uint8Array {
  const c = createCipheriv(cipher, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

describe('DES against OpenSSL', () => {
  it('single DES equals des-ede-ecb with K||K on random keys and blocks', () => {
    fc.assert(
      fc.property(bytes(8), bytes(8), (key, block) => {
        const expected = openssl('des-ede-ecb', concatBytes(key, key), block);
        expect(toHex(desEncryptBlock(key, block))).toBe(toHex(expected));
        expect(toHex(desDecryptBlock(key, expected))).toBe(toHex(block));
      }),
      { numRuns: 200 },
    );
  });

  it('two-key 3DES equals des-ede-ecb on random keys and blocks', () => {
    fc.assert(
      fc.property(bytes(16), bytes(8), (key, block) => {
        const expected = openssl('des-ede-ecb', key, block);
        expect(toHex(tdesEncryptBlock(key, block))).toBe(toHex(expected));
        expect(toHex(tdesDecryptBlock(key, expected))).toBe(toHex(block));
      }),
      { numRuns: 200 },
    );
  });
});

describe('MACs against OpenSSL CBC', () => {
  it('the PBOC MAC is the left half of the last DES-CBC block over 80-padded data', () => {
    fc.assert(
      fc.property(bytes(8), fc.uint8Array({ maxLength: 40 }), (key, data) => {
        const cbc = openssl('des-ede-cbc', concatBytes(key, key), padIso9797m2(data), new Uint8Array(8));
        expect(toHex(desCbcMac(key, data))).toBe(toHex(cbc.slice(-8)));
        expect(toHex(pbocMac(key, data))).toBe(toHex(cbc.slice(-8, -4)));
      }),
    );
  });

  it('the 3DES CBC MAC is the last block of des-ede-cbc', () => {
    fc.assert(
      fc.property(bytes(16), bytes(8), fc.uint8Array({ maxLength: 40 }), (key, iv, data) => {
        const cbc = openssl('des-ede-cbc', key, padIso9797m2(data), iv);
        expect(toHex(tdesCbcMac(key, data, iv))).toBe(toHex(cbc.slice(-8)));
      }),
    );
  });

  it('the retail MAC is single-DES CBC with KL, then the last block through D(KR) and E(KL)', () => {
    fc.assert(
      fc.property(bytes(16), bytes(8), fc.uint8Array({ maxLength: 40 }), (key, iv, data) => {
        // Every block but the last under single DES KL; the last one goes through 3DES (KL, KR, KL).
        const left = key.slice(0, 8);
        const padded = padIso9797m2(data);
        const cbc = openssl('des-ede-cbc', concatBytes(left, left), padded, iv);
        const previous = padded.length > 8 ? cbc.slice(-16, -8) : iv;
        const last = openssl('des-ede-ecb', key, xorBytes(previous, padded.slice(-8)));
        expect(toHex(retailMacFull(key, iv, data))).toBe(toHex(last));
        expect(toHex(retailMac(key, iv, data))).toBe(toHex(last.slice(0, 4)));
      }),
    );
  });

  it('the retail MAC with equal halves is the single-DES CBC MAC', () => {
    fc.assert(
      fc.property(bytes(8), fc.uint8Array({ maxLength: 24 }), (half, data) => {
        expect(toHex(retailMacFull(concatBytes(half, half), new Uint8Array(8), data))).toBe(toHex(desCbcMac(half, data)));
      }),
    );
  });
});

describe('padding', () => {
  it('always appends 80 and fills with zeros to the next multiple of 8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const padded = padIso9797m2(data);
        expect(padded.length % 8).toBe(0);
        expect(padded.length).toBeGreaterThan(data.length);
        expect(padded.length - data.length).toBeLessThanOrEqual(8);
        expect(padded[data.length]).toBe(0x80);
        expect(padded.subarray(data.length + 1).every((b) => b === 0)).toBe(true);
      }),
    );
  });
});

describe('length checks', () => {
  it.each([0, 7, 9, 16])('refuses a %i-byte DES key with KEY_LENGTH_INVALID', (length) => {
    expect(() => desEncryptBlock(new Uint8Array(length), new Uint8Array(8))).toThrow(
      expect.objectContaining({ code: 'KEY_LENGTH_INVALID' }),
    );
  });

  it.each([0, 7, 9])('refuses a %i-byte block with BLOCK_LENGTH_INVALID', (length) => {
    expect(() => tdesEncryptBlock(new Uint8Array(16), new Uint8Array(length))).toThrow(CryptoError);
    expect(() => desDecryptBlock(new Uint8Array(8), new Uint8Array(length))).toThrow(
      expect.objectContaining({ code: 'BLOCK_LENGTH_INVALID' }),
    );
  });

  it('refuses an 8-byte key where a 16-byte key is needed', () => {
    expect(() => tdesEncryptBlock(new Uint8Array(8), new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'KEY_LENGTH_INVALID' }));
    expect(() => retailMac(new Uint8Array(8), new Uint8Array(8), new Uint8Array(3))).toThrow(CryptoError);
    expect(() => diversify(new Uint8Array(8), new Uint8Array(8))).toThrow(CryptoError);
  });

  it('refuses a diversification factor that is not 8 bytes', () => {
    expect(() => diversify(new Uint8Array(16), new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'FIELD_LENGTH_INVALID' }));
  });
});
