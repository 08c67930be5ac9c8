/**
 * The fuel card's cryptography, for the browser and Node alike: DES/3DES in pure TypeScript, the
 * PBOC and retail MACs, key diversification, session keys, and the MAC1/MAC2/TAC of every
 * transaction (docs/card-protocol.md §2). Uint8Array in and out; money and counters are
 * integers. Wrong lengths and out-of-range fields throw CryptoError with a `code`.
 */
export { CRYPTO_ERROR, CryptoError, type CryptoErrorCode } from './errors.ts';
export { clearKeySchedules, desDecryptBlock, desEncryptBlock, tdesDecryptBlock, tdesEncryptBlock, xorBytes } from './des.ts';
export { challengeIv, desCbcMac, padIso9797m2, pbocMac, retailMac, retailMacFull, tdesCbcMac } from './mac.ts';
export { TRANS_TYPE, fen4, ttc2, ttc4, uintField } from './fields.ts';
export {
  DPK_DIVERSIFICATION,
  asnFactor,
  deriveDpk,
  diversify,
  diversifyLevels,
  keyHalvesXor,
  tacKey,
  type DpkDiversification,
  type IssuerMasterKeys,
} from './keys.ts';
export {
  GREY_LOCK_SESSION,
  greyLockSessionKey,
  loadSessionKey,
  onlineUnlockSessionKey,
  purchaseSessionKey,
  unloadSessionKey,
  type GreyLockSessionScheme,
  type PurchaseSessionFields,
} from './session.ts';
export {
  MAC3_SCHEME,
  ONLINE_TAC_LAYOUT,
  loadMac1,
  loadMac2,
  loadTac,
  onlineUnlockMac1,
  onlineUnlockMac2,
  onlineUnlockMac3,
  unloadMac1,
  unloadMac2,
  unloadMac3,
  type Mac3Scheme,
  type OnlineTacFields,
  type OnlineTacLayout,
} from './online.ts';
export {
  GREY_LOCK_GTAC,
  GREY_LOCK_MAC2,
  UNLOCK_GMAC,
  greyLockGtac,
  greyLockMac1,
  greyLockMac2,
  purchaseMac1,
  purchaseMac2,
  purchaseTac,
  unlockDebitTac,
  unlockGmac,
  type GreyLockGtacScheme,
  type GreyLockMac2Scheme,
  type OfflineTacFields,
  type UnlockGmacScheme,
} from './offline.ts';
export { PIN_UNBLOCK_HEADER, openPinUnblockData, parsePinBlock, pinBlock, pinReloadMac, pinUnblockData } from './pin.ts';
export { secureCommand, secureMessagingMac, secureUpdateBinaryHeader, secureUpdateBinaryMac } from './secure.ts';
export { DEFAULT_SCHEMES, type CryptoSchemes } from './schemes.ts';
