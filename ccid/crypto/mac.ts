/**
 * The two MAC families of the fuel card (docs/card-protocol.md §2.1):
 * - the PBOC transaction MAC (MAC1, MAC2, TAC, GMAC): single-DES CBC, zero IV, `80 00..` padding,
 *   left 4 bytes; keyed by a session key or by the TAC key;
 * - the secure-messaging MAC (UPDATE BINARY with MAC, PIN UNBLOCK, APPLICATION BLOCK): ISO 9797-1
 *   MAC algorithm 3 ("retail MAC") with a 16-byte key and IV = card challenge || 00000000.
 */
import { concatBytes } from '../bytes.ts';
import { desDecryptBlock, desEncryptBlock, tdesEncryptBlock, xorBytes } from './des.ts';
import { CRYPTO_ERROR, CryptoError, requireBlock, requireKey } from './errors.ts';

const BLOCK_BYTES = 8;
const ZERO_IV = new Uint8Array(BLOCK_BYTES);

/**
 * ISO 9797-1 padding method 2: append 80, then 00 up to a multiple of 8.
 * Hazard: an input already a multiple of 8 still gets a whole `80 00 00 00 00 00 00 00` block.
 */
export function padIso9797m2(data: Uint8Array): Uint8Array {
  const paddedLength = (Math.floor(data.length / BLOCK_BYTES) + 1) * BLOCK_BYTES;
  const out = new Uint8Array(paddedLength);
  out.set(data, 0);
  out[data.length] = 0x80;
  return out;
}

/** CBC over already padded data with a block cipher; returns the last cipher block. */
function cbcLastBlock(padded: Uint8Array, iv8: Uint8Array, encrypt: (block: Uint8Array) => Uint8Array): Uint8Array {
  let chain = iv8;
  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) {
    chain = encrypt(xorBytes(chain, padded.subarray(offset, offset + BLOCK_BYTES)));
  }
  return chain;
}

/** The full 8-byte single-DES CBC MAC (ISO 9797-1 algorithm 1, padding 2); `pbocMac` keeps its left half. */
export function desCbcMac(key8: Uint8Array, data: Uint8Array, iv8: Uint8Array = ZERO_IV): Uint8Array {
  requireKey(key8, 8);
  requireBlock(iv8, 'iv');
  return cbcLastBlock(padIso9797m2(data), iv8, (block) => desEncryptBlock(key8, block));
}

/**
 * PBOC transaction MAC: single-DES CBC, zero IV, 80-padding, leftmost 4 bytes
 * (docs/card-protocol.md §2.1).
 */
export function pbocMac(key8: Uint8Array, data: Uint8Array): Uint8Array {
  return desCbcMac(key8, data).slice(0, 4);
}

/** The full 8-byte 3DES CBC MAC (every block through 2-key 3DES); some COSes use it for secure messaging. */
export function tdesCbcMac(key16: Uint8Array, data: Uint8Array, iv8: Uint8Array = ZERO_IV): Uint8Array {
  requireKey(key16, 16);
  requireBlock(iv8, 'iv');
  return cbcLastBlock(padIso9797m2(data), iv8, (block) => tdesEncryptBlock(key16, block));
}

/**
 * ISO 9797-1 MAC algorithm 3 (retail MAC), full 8 bytes: DES-CBC with KL over every block, then the
 * final block is also decrypted with KR and encrypted with KL again.
 */
export function retailMacFull(key16: Uint8Array, iv8: Uint8Array, data: Uint8Array): Uint8Array {
  requireKey(key16, 16);
  requireBlock(iv8, 'iv');
  const left = key16.subarray(0, 8);
  const right = key16.subarray(8, 16);
  const chained = cbcLastBlock(padIso9797m2(data), iv8, (block) => desEncryptBlock(left, block));
  return desEncryptBlock(left, desDecryptBlock(right, chained));
}

/** Secure-messaging MAC: retail MAC, leftmost 4 bytes (docs/card-protocol.md §2.1). */
export function retailMac(key16: Uint8Array, iv8: Uint8Array, data: Uint8Array): Uint8Array {
  return retailMacFull(key16, iv8, data).slice(0, 4);
}

/** The secure-messaging IV: 4-byte card challenge (GET CHALLENGE) then four zero bytes. An 8-byte challenge is used whole. */
export function challengeIv(challenge: Uint8Array): Uint8Array {
  if (challenge.length === BLOCK_BYTES) return challenge.slice();
  if (challenge.length !== 4) {
    throw new CryptoError(CRYPTO_ERROR.FIELD_LENGTH_INVALID, `challenge must be 4 or 8 bytes, got ${challenge.length}`);
  }
  return concatBytes(challenge, new Uint8Array(4));
}
