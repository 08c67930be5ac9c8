/**
 * Session keys (过程密钥, docs/card-protocol.md §2.4). Each is 8 bytes, used for one transaction's
 * MACs. The online family (load, unload, online unlock) encrypts random || online TTC || 8000 under
 * the card key; the purchase family encrypts random || offline TTC || terminal TTC (right 2 bytes).
 */
import { concatBytes } from '../bytes.ts';
import { desEncryptBlock, tdesEncryptBlock } from './des.ts';
import { CRYPTO_ERROR, CryptoError, requireField, requireKey } from './errors.ts';
import { ttc2, ttc2Bytes, ttc4 } from './fields.ts';

const ONLINE_SUFFIX = Uint8Array.of(0x80, 0x00);

function onlineSessionKey(key16: Uint8Array, random4: Uint8Array, onlineTtc2: Uint8Array | number): Uint8Array {
  requireKey(key16, 16);
  requireField(random4, 4, 'random');
  return tdesEncryptBlock(key16, concatBytes(random4, ttc2Bytes(onlineTtc2, 'onlineTtc'), ONLINE_SUFFIX));
}

/** SESLK = 3DES(DLK, random(4) || onlineTTC(2) || 8000) [C2]. */
export function loadSessionKey(dlk16: Uint8Array, random4: Uint8Array, onlineTtc2: Uint8Array | number): Uint8Array {
  return onlineSessionKey(dlk16, random4, onlineTtc2);
}

/** SESULK = 3DES(DULK, random || onlineTTC || 8000) [C]. */
export function unloadSessionKey(dulk16: Uint8Array, random4: Uint8Array, onlineTtc2: Uint8Array | number): Uint8Array {
  return onlineSessionKey(dulk16, random4, onlineTtc2);
}

/** Online unlock (联机解扣): 3DES(DUGK, random || onlineTTC || 8000) [C]. */
export function onlineUnlockSessionKey(dugk16: Uint8Array, random4: Uint8Array, onlineTtc2: Uint8Array | number): Uint8Array {
  return onlineSessionKey(dugk16, random4, onlineTtc2);
}

export type PurchaseSessionFields = {
  dpk: Uint8Array;
  random: Uint8Array;
  offlineTtc: number;
  /** The 4-byte terminal (PSAM) TTC; only its right 2 bytes enter the key. */
  terminalTtc: number;
};

/** SESPK = 3DES(DPK, random(4) || offlineTTC(2) || terminalTTC[2..3]) [C2]. */
export function purchaseSessionKey(fields: PurchaseSessionFields): Uint8Array {
  requireKey(fields.dpk, 16, 'dpk');
  requireField(fields.random, 4, 'random');
  const input = concatBytes(fields.random, ttc2(fields.offlineTtc, 'offlineTtc'), ttc4(fields.terminalTtc).subarray(2));
  return tdesEncryptBlock(fields.dpk, input);
}

/**
 * How the grey-lock session key is made [docs/card-protocol.md §2.4, medium confidence]:
 * - `S1_TRAN_ROUND` (default, [C] S1 only): SESPK_grey = DES(SESPK, TRAN(4) || 80000000);
 * - `PURCHASE`: the plain purchase SESPK, TRAN unused.
 */
export const GREY_LOCK_SESSION = { S1_TRAN_ROUND: 'S1_TRAN_ROUND', PURCHASE: 'PURCHASE' } as const;
export type GreyLockSessionScheme = keyof typeof GREY_LOCK_SESSION;

export function greyLockSessionKey(
  fields: PurchaseSessionFields & { terminalRandom: Uint8Array; scheme?: GreyLockSessionScheme },
): Uint8Array {
  const purchaseKey = purchaseSessionKey(fields);
  const scheme = fields.scheme ?? GREY_LOCK_SESSION.S1_TRAN_ROUND;
  if (scheme === 'PURCHASE') return purchaseKey;
  if (scheme !== 'S1_TRAN_ROUND') {
    throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown grey-lock session scheme ${String(scheme)}`);
  }
  requireField(fields.terminalRandom, 4, 'terminalRandom');
  return desEncryptBlock(purchaseKey, concatBytes(fields.terminalRandom, Uint8Array.of(0x80, 0, 0, 0)));
}
