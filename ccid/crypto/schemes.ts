/**
 * Every cryptographic detail that docs/card-protocol.md §7 leaves uncertain, gathered into one
 * profile. The card simulator, the PSAM simulator and the server pass the same profile, so they
 * agree by construction; when a real card or PSAM shows the truth, one value changes here. Only
 * [C]/[C2] parts are claimed interoperable with real Sinopec cards. The § numbers below are
 * docs/card-protocol.md's; its opening explains the [C]/[C2]/[I]/[?] labels, its Sources S1–S16.
 */
import type { DpkDiversification } from './keys.ts';
import type { GreyLockGtacScheme, GreyLockMac2Scheme, UnlockGmacScheme } from './offline.ts';
import type { Mac3Scheme, OnlineTacLayout } from './online.ts';
import type { GreyLockSessionScheme } from './session.ts';

export type CryptoSchemes = {
  /** §2.2 [I]: order of the DPK diversification levels. */
  dpkDiversification: DpkDiversification;
  /** §2.4 [C, S1 only]: grey-lock session key. */
  greyLockSession: GreyLockSessionScheme;
  /** §2.5 [I]: load TAC field order. */
  loadTacLayout: OnlineTacLayout;
  /** §2.5 [?]: MAC3 of DEBIT FOR UNLOAD and GREY UNLOCK. */
  mac3: Mac3Scheme;
  /** §7 [?]: the card's MAC2 in the GREY LOCK response. */
  greyLockMac2: GreyLockMac2Scheme;
  /** §7 [?]: GTAC of GREY LOCK. */
  greyLockGtac: GreyLockGtacScheme;
  /** §7 [?]: GMAC of DEBIT FOR UNLOCK. */
  unlockGmac: UnlockGmacScheme;
};

export const DEFAULT_SCHEMES: Readonly<CryptoSchemes> = Object.freeze({
  dpkDiversification: 'ISSUER_THEN_ASN',
  greyLockSession: 'S1_TRAN_ROUND',
  loadTacLayout: 'JRT0025',
  mac3: 'TAC_KEY_ONLINE_LAYOUT',
  greyLockMac2: 'ZERO_AMOUNT',
  greyLockGtac: 'PURCHASE_TAC_ZERO_AMOUNT',
  unlockGmac: 'PSAM_INPUT_ORDER',
});
