/**
 * Card keys from issuer master keys (docs/card-protocol.md §2.2) and the keys derived from card
 * keys. One diversification level with factor F: left = 3DES(MK, F), right = 3DES(MK, ~F). The
 * factor is the right 8 bytes of the 10-byte ASN; the purchase key DPK takes two levels (see
 * `deriveDpk`).
 */
import { concatBytes } from '../bytes.ts';
import { tdesEncryptBlock, xorBytes } from './des.ts';
import { CRYPTO_ERROR, CryptoError, requireField, requireKey } from './errors.ts';

/**
 * Issuer master keys, one per card key kind (M-prefixed names as in S1): each card key is its
 * master key diversified by the card number (docs/card-protocol.md §2.2).
 */
export interface IssuerMasterKeys {
  MAMK: Uint8Array;
  MAMTK: Uint8Array;
  MPK: Uint8Array;
  MLK: Uint8Array;
  MULK: Uint8Array;
  MTK: Uint8Array;
  MPUK: Uint8Array;
  MRPK: Uint8Array;
  MUK: Uint8Array;
  MUGK: Uint8Array;
  MIAK: Uint8Array;
}

/** One level of key diversification: 3DES(MK, F) || 3DES(MK, F XOR FF..FF). */
export function diversify(masterKey16: Uint8Array, factor8: Uint8Array): Uint8Array {
  requireKey(masterKey16, 16, 'master key');
  requireField(factor8, 8, 'diversification factor');
  const complement = factor8.map((byte) => byte ^ 0xff);
  return concatBytes(tdesEncryptBlock(masterKey16, factor8), tdesEncryptBlock(masterKey16, complement));
}

/** Several levels, applied left to right: the first factor is the highest level. */
export function diversifyLevels(masterKey16: Uint8Array, factors: readonly Uint8Array[]): Uint8Array {
  let key = masterKey16;
  for (const factor of factors) key = diversify(key, factor);
  return key;
}

/**
 * The ASN's right 8 bytes, the diversification factor of every card key (docs/card-protocol.md
 * §2.2).
 */
export function asnFactor(asn10: Uint8Array): Uint8Array {
  requireField(asn10, 10, 'ASN');
  return asn10.slice(2);
}

/**
 * How the purchase key DPK is diversified [docs/card-protocol.md §2.2, uncertain]:
 * - `ISSUER_THEN_ASN` (default, [I]): DPK = div(div(MPK, issuerId), ASN8);
 * - `ASN_TWICE` (S1's own Longhuan cards): div(div(MPK, ASN8), ASN8);
 * - `ASN_ONCE`: one level like every other key.
 */
export const DPK_DIVERSIFICATION = {
  ISSUER_THEN_ASN: 'ISSUER_THEN_ASN',
  ASN_TWICE: 'ASN_TWICE',
  ASN_ONCE: 'ASN_ONCE',
} as const;
export type DpkDiversification = keyof typeof DPK_DIVERSIFICATION;

export function deriveDpk(options: { mpk: Uint8Array; asn8: Uint8Array; issuerId: Uint8Array; scheme?: DpkDiversification }): Uint8Array {
  const scheme = options.scheme ?? DPK_DIVERSIFICATION.ISSUER_THEN_ASN;
  requireField(options.issuerId, 8, 'issuer id');
  switch (scheme) {
    case 'ISSUER_THEN_ASN':
      return diversifyLevels(options.mpk, [options.issuerId, options.asn8]);
    case 'ASN_TWICE':
      return diversifyLevels(options.mpk, [options.asn8, options.asn8]);
    case 'ASN_ONCE':
      return diversify(options.mpk, options.asn8);
    default:
      throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown DPK diversification ${String(scheme)}`);
  }
}

/**
 * Left half XOR right half: the TAC key from DTK (docs/card-protocol.md §2.5) and the RELOAD PIN
 * key from DRPK (§2.6).
 */
export function keyHalvesXor(key16: Uint8Array): Uint8Array {
  requireKey(key16, 16);
  return xorBytes(key16.subarray(0, 8), key16.subarray(8, 16));
}

/** The TAC key: DTK_L XOR DTK_R. */
export function tacKey(dtk16: Uint8Array): Uint8Array {
  return keyHalvesXor(dtk16);
}
