/**
 * MACs of the offline transactions, where a PSAM at the pump holds the purchase key: purchase,
 * grey lock (灰锁, type 91) and debit for unlock (解扣, type 93): docs/card-protocol.md §2.5. The
 * grey-lock MAC2, GTAC and GMAC are unknown in every public source ([?], its §7): each is a named
 * scheme with a default, so the card simulator, the PSAM simulator and the host agree by
 * construction.
 */
import { concatBytes } from '../bytes.ts';
import { CRYPTO_ERROR, CryptoError, requireField, requireKey } from './errors.ts';
import { dateTimeFields, fen4, terminalIdField, TRANS_TYPE, transTypeByte, ttc2, ttc4 } from './fields.ts';
import { tacKey } from './keys.ts';
import { pbocMac } from './mac.ts';

type SessionKeyed = { sessionKey: Uint8Array };
type Stamped = { terminalId: Uint8Array; date: Uint8Array; time: Uint8Array };

function sessionMac(sessionKey: Uint8Array, parts: Uint8Array[]): Uint8Array {
  requireKey(sessionKey, 8, 'sessionKey');
  return pbocMac(sessionKey, concatBytes(...parts));
}

/** Purchase MAC1, by the PSAM: amount(4) type(1) TID(6) date(4) time(3) [C2]. */
export function purchaseMac1(f: SessionKeyed & Stamped & { amountFen: number; transType: number }): Uint8Array {
  return sessionMac(f.sessionKey, [
    fen4(f.amountFen),
    transTypeByte(f.transType),
    terminalIdField(f.terminalId),
    ...dateTimeFields(f.date, f.time),
  ]);
}

/** Purchase MAC2, by the card: amount(4) [C2]. */
export function purchaseMac2(f: SessionKeyed & { amountFen: number }): Uint8Array {
  return sessionMac(f.sessionKey, [fen4(f.amountFen)]);
}

export type OfflineTacFields = Stamped & { dtk: Uint8Array; amountFen: number; transType: number; terminalTtc: number };

/** Purchase TAC with the TAC key: amount(4) type(1) TID(6) terminalTTC(4) date(4) time(3) [C2]. */
export function purchaseTac(f: OfflineTacFields): Uint8Array {
  const data = concatBytes(
    fen4(f.amountFen),
    transTypeByte(f.transType),
    terminalIdField(f.terminalId),
    ttc4(f.terminalTtc),
    ...dateTimeFields(f.date, f.time),
  );
  return pbocMac(tacKey(f.dtk), data);
}

/** Grey lock MAC1, by the PSAM with the grey session key: 91 TID(6) date(4) time(3) [C, S1 only]. */
export function greyLockMac1(f: SessionKeyed & Stamped): Uint8Array {
  return sessionMac(f.sessionKey, [transTypeByte(TRANS_TYPE.GREY_LOCK), terminalIdField(f.terminalId), ...dateTimeFields(f.date, f.time)]);
}

/**
 * The card's MAC2 in the GREY LOCK response [?]. `ZERO_AMOUNT` (default): like a purchase MAC2 over
 * an amount of 0, since the amount is unknown at lock time; `BALANCE`: over the locked balance(4).
 */
export const GREY_LOCK_MAC2 = { ZERO_AMOUNT: 'ZERO_AMOUNT', BALANCE: 'BALANCE' } as const;
export type GreyLockMac2Scheme = keyof typeof GREY_LOCK_MAC2;

export function greyLockMac2(f: SessionKeyed & { balanceFen: number; scheme?: GreyLockMac2Scheme }): Uint8Array {
  const scheme = f.scheme ?? GREY_LOCK_MAC2.ZERO_AMOUNT;
  if (scheme === 'ZERO_AMOUNT') return purchaseMac2({ sessionKey: f.sessionKey, amountFen: 0 });
  if (scheme === 'BALANCE') return sessionMac(f.sessionKey, [fen4(f.balanceFen, 'balanceFen')]);
  throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown grey-lock MAC2 scheme ${String(scheme)}`);
}

/**
 * The GTAC of GREY LOCK [?]. `PURCHASE_TAC_ZERO_AMOUNT` (default): the purchase TAC layout with the
 * TAC key, amount 0 and type 91; `PURCHASE_TAC_BALANCE`: the same with the locked balance as amount.
 */
export const GREY_LOCK_GTAC = {
  PURCHASE_TAC_ZERO_AMOUNT: 'PURCHASE_TAC_ZERO_AMOUNT',
  PURCHASE_TAC_BALANCE: 'PURCHASE_TAC_BALANCE',
} as const;
export type GreyLockGtacScheme = keyof typeof GREY_LOCK_GTAC;

export function greyLockGtac(
  f: Stamped & { dtk: Uint8Array; balanceFen: number; terminalTtc: number; scheme?: GreyLockGtacScheme },
): Uint8Array {
  const scheme = f.scheme ?? GREY_LOCK_GTAC.PURCHASE_TAC_ZERO_AMOUNT;
  if (scheme !== 'PURCHASE_TAC_ZERO_AMOUNT' && scheme !== 'PURCHASE_TAC_BALANCE') {
    throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown GTAC scheme ${String(scheme)}`);
  }
  const amountFen = scheme === 'PURCHASE_TAC_BALANCE' ? f.balanceFen : 0;
  return purchaseTac({ ...f, amountFen, transType: TRANS_TYPE.GREY_LOCK });
}

/**
 * The GMAC that DEBIT FOR UNLOCK carries, made by the PSAM (E0 44) and checked by the card with the
 * session key it kept from GREY LOCK [?]. `PSAM_INPUT_ORDER` (default): over the E0 44 input,
 * 93 ASN8(8) offlineTTC(2) amount(4); `PURCHASE_MAC1_LAYOUT`: amount(4) 93 TID(6) date(4) time(3).
 */
export const UNLOCK_GMAC = { PSAM_INPUT_ORDER: 'PSAM_INPUT_ORDER', PURCHASE_MAC1_LAYOUT: 'PURCHASE_MAC1_LAYOUT' } as const;
export type UnlockGmacScheme = keyof typeof UNLOCK_GMAC;

export function unlockGmac(
  f: SessionKeyed & Stamped & { asn8: Uint8Array; offlineTtc: number; amountFen: number; scheme?: UnlockGmacScheme },
): Uint8Array {
  const scheme = f.scheme ?? UNLOCK_GMAC.PSAM_INPUT_ORDER;
  const type = transTypeByte(TRANS_TYPE.UNLOCK_DEBIT);
  if (scheme === 'PURCHASE_MAC1_LAYOUT') return purchaseMac1({ ...f, transType: TRANS_TYPE.UNLOCK_DEBIT });
  if (scheme !== 'PSAM_INPUT_ORDER') throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown GMAC scheme ${String(scheme)}`);
  requireField(f.asn8, 8, 'asn8');
  return sessionMac(f.sessionKey, [type, f.asn8, ttc2(f.offlineTtc, 'offlineTtc'), fen4(f.amountFen)]);
}

/** DEBIT FOR UNLOCK's TAC with the TAC key: amount(4) 93 TID(6) terminalTTC(4) date(4) time(3) [C, S9]. */
export function unlockDebitTac(f: Omit<OfflineTacFields, 'transType'>): Uint8Array {
  return purchaseTac({ ...f, transType: TRANS_TYPE.UNLOCK_DEBIT });
}
