/**
 * MACs of the online transactions, where the host (server) holds the card key: load (圈存),
 * unload (圈提) and online grey unlock (联机解扣, type 95). The card proves the request with MAC1,
 * the host authorises with MAC2, the card answers with a TAC or "MAC3" (docs/card-protocol.md
 * §2.5).
 */
import { concatBytes } from '../bytes.ts';
import { CRYPTO_ERROR, CryptoError, requireKey } from './errors.ts';
import { dateTimeFields, fen4, terminalIdField, TRANS_TYPE, transTypeByte, ttc2 } from './fields.ts';
import { tacKey } from './keys.ts';
import { pbocMac } from './mac.ts';

type SessionKeyed = { sessionKey: Uint8Array };
type Stamped = { terminalId: Uint8Array; date: Uint8Array; time: Uint8Array };

function sessionMac(sessionKey: Uint8Array, parts: Uint8Array[]): Uint8Array {
  requireKey(sessionKey, 8, 'sessionKey');
  return pbocMac(sessionKey, concatBytes(...parts));
}

/** Load MAC1, by the card: balance(4) amount(4) type(1) TID(6) [C2]. */
export function loadMac1(
  f: SessionKeyed & { balanceFen: number; amountFen: number; transType: number; terminalId: Uint8Array },
): Uint8Array {
  return sessionMac(f.sessionKey, [
    fen4(f.balanceFen, 'balanceFen'),
    fen4(f.amountFen),
    transTypeByte(f.transType),
    terminalIdField(f.terminalId),
  ]);
}

/** Load MAC2, by the host: amount(4) type(1) TID(6) date(4) time(3) [C2]. */
export function loadMac2(f: SessionKeyed & Stamped & { amountFen: number; transType: number }): Uint8Array {
  return sessionMac(f.sessionKey, [
    fen4(f.amountFen),
    transTypeByte(f.transType),
    terminalIdField(f.terminalId),
    ...dateTimeFields(f.date, f.time),
  ]);
}

/** The fields of an online transaction's TAC: the balance after it and the online TTC before its increment. */
export type OnlineTacFields = Stamped & {
  dtk: Uint8Array;
  balanceFenAfter: number;
  onlineTtc: number;
  amountFen: number;
  transType: number;
};

/**
 * Layout of the load TAC [docs/card-protocol.md §2.5, [I] from JR/T 0025, not in a retrieved
 * source]: `JRT0025` (default) = newBalance(4) onlineTTC(2) amount(4) type(1) TID(6) date(4)
 * time(3).
 */
export const ONLINE_TAC_LAYOUT = {
  JRT0025: (f: OnlineTacFields): Uint8Array =>
    concatBytes(
      fen4(f.balanceFenAfter, 'balanceFenAfter'),
      ttc2(f.onlineTtc, 'onlineTtc'),
      fen4(f.amountFen),
      transTypeByte(f.transType),
      terminalIdField(f.terminalId),
      ...dateTimeFields(f.date, f.time),
    ),
} as const;
export type OnlineTacLayout = keyof typeof ONLINE_TAC_LAYOUT;

function onlineTac(f: OnlineTacFields, layout: OnlineTacLayout | undefined): Uint8Array {
  const build = ONLINE_TAC_LAYOUT[layout ?? 'JRT0025'];
  if (build === undefined) throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `unknown TAC layout ${String(layout)}`);
  return pbocMac(tacKey(f.dtk), build(f));
}

/** Load TAC, by the card with the TAC key (DTK_L XOR DTK_R). Layout default `JRT0025` [I]. */
export function loadTac(f: OnlineTacFields & { layout?: OnlineTacLayout }): Uint8Array {
  return onlineTac(f, f.layout);
}

/** Unload MAC1, by the card: balance(4) amount(4) 03 TID(6) [C, S1]. */
export function unloadMac1(f: SessionKeyed & { balanceFen: number; amountFen: number; terminalId: Uint8Array }): Uint8Array {
  return loadMac1({ ...f, transType: TRANS_TYPE.UNLOAD });
}

/** Unload MAC2, by the host: amount(4) 03 TID(6) date(4) time(3) [C, S1]. */
export function unloadMac2(f: SessionKeyed & Stamped & { amountFen: number }): Uint8Array {
  return loadMac2({ ...f, transType: TRANS_TYPE.UNLOAD });
}

/**
 * The "MAC3" answered by DEBIT FOR UNLOAD and GREY UNLOCK [docs/card-protocol.md §2.5 and §7,
 * unknown]. Default `TAC_KEY_ONLINE_LAYOUT`: computed like the load TAC (TAC key, `JRT0025` layout
 * with the command's type); `SESSION_KEY_ONLINE_LAYOUT`: the same data under the transaction's
 * session key.
 */
export const MAC3_SCHEME = {
  TAC_KEY_ONLINE_LAYOUT: 'TAC_KEY_ONLINE_LAYOUT',
  SESSION_KEY_ONLINE_LAYOUT: 'SESSION_KEY_ONLINE_LAYOUT',
} as const;
export type Mac3Scheme = keyof typeof MAC3_SCHEME;

type Mac3Fields = Omit<OnlineTacFields, 'transType'> & { sessionKey?: Uint8Array; scheme?: Mac3Scheme };

function mac3(f: Mac3Fields, transType: number): Uint8Array {
  const fields = { ...f, transType };
  const scheme = f.scheme ?? MAC3_SCHEME.TAC_KEY_ONLINE_LAYOUT;
  if (scheme === 'TAC_KEY_ONLINE_LAYOUT') return onlineTac(fields, 'JRT0025');
  if (scheme === 'SESSION_KEY_ONLINE_LAYOUT' && f.sessionKey !== undefined) {
    return sessionMac(f.sessionKey, [ONLINE_TAC_LAYOUT.JRT0025(fields)]);
  }
  throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `MAC3 scheme ${String(scheme)} needs its key`);
}

/** DEBIT FOR UNLOAD's MAC3 [?], default scheme `TAC_KEY_ONLINE_LAYOUT`. */
export function unloadMac3(f: Mac3Fields): Uint8Array {
  return mac3(f, TRANS_TYPE.UNLOAD);
}

/** Online unlock MAC1, by the card: balance(4) offlineTTC(2) 95 TID(6) [C, S1]. */
export function onlineUnlockMac1(f: SessionKeyed & { balanceFen: number; offlineTtc: number; terminalId: Uint8Array }): Uint8Array {
  const type = transTypeByte(TRANS_TYPE.ONLINE_UNLOCK);
  return sessionMac(f.sessionKey, [
    fen4(f.balanceFen, 'balanceFen'),
    ttc2(f.offlineTtc, 'offlineTtc'),
    type,
    terminalIdField(f.terminalId),
  ]);
}

/** Online unlock MAC2, by the host: amount(4) 95 TID(6) date(4) time(3) [C, S1]. */
export function onlineUnlockMac2(f: SessionKeyed & Stamped & { amountFen: number }): Uint8Array {
  return loadMac2({ ...f, transType: TRANS_TYPE.ONLINE_UNLOCK });
}

/** GREY UNLOCK's MAC3 [?], default scheme `TAC_KEY_ONLINE_LAYOUT` with type 95. */
export function onlineUnlockMac3(f: Mac3Fields): Uint8Array {
  return mac3(f, TRANS_TYPE.ONLINE_UNLOCK);
}
