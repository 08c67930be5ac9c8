/**
 * The Sinopec grey-lock family, CLA E0 (docs/card-protocol.md §1.3, §3.6): a pump locks the purse
 * before fuelling (GREY LOCK, type 91) and debits the amount when the nozzle hangs up (DEBIT FOR
 * UNLOCK, type 93); a card pulled in between stays grey (灰卡) until a pump with the grey record, or
 * the issuer online (GREY UNLOCK, type 95), unlocks it. The lock keeps its session key on the card
 * so that the GMAC of a later DEBIT FOR UNLOCK can be checked after a power loss.
 */
import { concatBytes, equalBytes, readU16be, readU32be, u16be, u32be } from '../../bytes.ts';
import {
  TRANS_TYPE,
  asnFactor,
  greyLockGtac,
  greyLockMac1,
  greyLockMac2,
  greyLockSessionKey,
  onlineUnlockMac1,
  onlineUnlockMac2,
  onlineUnlockMac3,
  onlineUnlockSessionKey,
  unlockDebitTac,
  unlockGmac,
} from '../../crypto/index.ts';
import type { CommandApdu } from './apdu.ts';
import { PURSE, type CardContext, type PurseType } from './context.ts';
import { appendLog, initChecks, keyFor, logRecord } from './purse.ts';
import { purseBalance, setPurseBalance } from './read.ts';
import { CARD_LIMITS, GREY_STATUS, cloneState, findKey } from './state.ts';
import { SW, ok, swOnly, type CardResponse } from './sw.ts';

const LOCK_PROOF_BYTES = 30;

/** GET LOCK PROOF E0 CA 00 00 1E and CLEAR TACUF E0 CA 01 00. */
export function lockProof(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p2 !== 0x00 || (apdu.p1 !== 0x00 && apdu.p1 !== 0x01)) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 0) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const g = ctx.state.grey;
  if (apdu.p1 === 0x01) {
    if (g.status === GREY_STATUS.LOCKED) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    if (g.status === GREY_STATUS.TAC_UNREAD) {
      const next = cloneState(ctx.state);
      next.grey.status = GREY_STATUS.NORMAL;
      ctx.commit(next);
    }
    return ok();
  }
  if (!g.everLocked) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const proof = concatBytes(
    Uint8Array.of(g.status, g.transType, g.purseType),
    u32be(g.balanceFen),
    u16be(g.offlineTtc),
    g.terminalId,
    g.date,
    g.time,
    g.field22,
    g.field26,
  );
  if (proof.length !== LOCK_PROOF_BYTES) throw new Error(`lock proof is ${proof.length} bytes`);
  return ok(proof);
}

/** E0 7A 08 01|02 (INITIALIZE FOR GREY LOCK) and E0 7A 09 01|02 (INITIALIZE FOR GREY UNLOCK). */
export function initializeGrey(ctx: CardContext, apdu: CommandApdu): CardResponse {
  const purse = apdu.p2;
  if ((apdu.p1 !== 0x08 && apdu.p1 !== 0x09) || (purse !== PURSE.ED && purse !== PURSE.EP)) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 7) return swOnly(SW.WRONG_LENGTH);
  const keyIndex = apdu.data[0]!;
  const terminalId = apdu.data.slice(1, 7);
  if (apdu.p1 === 0x09) return initializeGreyUnlock(ctx, keyIndex, terminalId);
  const refused = initChecks(ctx, purse);
  if (refused !== null) return refused;
  // TACUF set: the last unlock's TAC has not been read and cleared yet
  // (docs/card-protocol.md §3.6, §5.2).
  if (ctx.state.grey.status === GREY_STATUS.TAC_UNREAD) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const key = keyFor(ctx, 'DPK', keyIndex);
  if ('sw' in key) return key;
  const p = ctx.state.purse;
  if (p.offlineTtc >= CARD_LIMITS.ttcMax) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const random = ctx.random(4);
  ctx.session.pending = { kind: 'grey-lock', purse: purse as PurseType, terminalId, random, keyIndex };
  const overdraft = u32be(p.overdraftLimitFen).subarray(1);
  return ok(
    concatBytes(u32be(purseBalance(ctx.state, purse)), u16be(p.offlineTtc), overdraft, Uint8Array.of(key.version, key.algId), random),
  );
}

/** GREY LOCK E0 7C 08 00 13: termTTC(4) TRAN(4) date(4) time(3) MAC1(4) → GTAC(4) MAC2(4). */
export function greyLock(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0x08 || apdu.p2 !== 0x00) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 19) return swOnly(SW.WRONG_LENGTH);
  const pending = ctx.pending;
  if (pending?.kind !== 'grey-lock') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const d = apdu.data;
  const terminalTtc = readU32be(d, 0);
  const [terminalRandom, date, time, mac1] = [d.slice(4, 8), d.slice(8, 12), d.slice(12, 15), d.slice(15, 19)];
  const dpk = findKey(ctx.state, 'DPK', pending.keyIndex);
  const dtk = findKey(ctx.state, 'DTK');
  if (dpk === undefined || dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const s = ctx.behaviour.schemes;
  const offlineTtc = ctx.state.purse.offlineTtc;
  const sessionKey = greyLockSessionKey({
    dpk: dpk.key,
    random: pending.random,
    offlineTtc,
    terminalTtc,
    terminalRandom,
    scheme: s.greyLockSession,
  });
  const stamped = { terminalId: pending.terminalId, date, time };
  if (!equalBytes(greyLockMac1({ sessionKey, ...stamped }), mac1)) return swOnly(SW.MAC_INVALID);
  const balanceFen = purseBalance(ctx.state, pending.purse);
  const mac2 = greyLockMac2({ sessionKey, balanceFen, scheme: s.greyLockMac2 });
  const gtac = greyLockGtac({ dtk: dtk.key, balanceFen, terminalTtc, ...stamped, scheme: s.greyLockGtac });
  const next = cloneState(ctx.state);
  next.grey = {
    status: GREY_STATUS.LOCKED,
    everLocked: true,
    transType: TRANS_TYPE.GREY_LOCK,
    purseType: pending.purse,
    balanceFen,
    offlineTtc,
    terminalId: pending.terminalId,
    terminalTtc,
    date,
    time,
    field22: mac2,
    field26: gtac,
    sessionKey,
    unlockMacFailures: 0,
  };
  next.proofs.offline = { transType: TRANS_TYPE.GREY_LOCK, ttc: offlineTtc, mac: mac2, tac: gtac };
  ctx.commit(next);
  return ok(concatBytes(gtac, mac2));
}

/** E0 7E 08 01|02 (DEBIT FOR UNLOCK) and E0 7E 09 00 (GREY UNLOCK, online). */
export function unlock(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 === 0x09 && apdu.p2 === 0x00) return greyUnlock(ctx, apdu.data);
  if (apdu.p1 !== 0x08 || (apdu.p2 !== PURSE.ED && apdu.p2 !== PURSE.EP)) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 27) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const g = ctx.state.grey;
  if (g.status !== GREY_STATUS.LOCKED || g.purseType !== apdu.p2) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  return debitForUnlock(ctx, apdu.data);
}

/**
 * DEBIT FOR UNLOCK data: amount(4) CTC(2) TID(6) termTTC(4) date(4) time(3) GMAC(4). The checks in
 * CJ/T 304's order (docs/card-protocol.md §1.3): counter 9406, funds 9401, GMAC 9302 (3 failures
 * block the application); then debit, unlock with TACUF set, and the TAC.
 */
function debitForUnlock(ctx: CardContext, d: Uint8Array): CardResponse {
  const g = ctx.state.grey;
  const amountFen = readU32be(d, 0);
  const offlineTtc = readU16be(d, 4);
  const terminalId = d.slice(6, 12);
  const terminalTtc = readU32be(d, 12);
  const [date, time, gmac] = [d.slice(16, 20), d.slice(20, 23), d.slice(23, 27)];
  if (offlineTtc !== ctx.state.purse.offlineTtc || offlineTtc !== g.offlineTtc) return swOnly(SW.MAC_TAC_UNAVAILABLE);
  const balanceFen = purseBalance(ctx.state, g.purseType);
  if (amountFen > balanceFen) return swOnly(SW.INSUFFICIENT_FUNDS);
  const asn8 = asnFactor(ctx.state.ef15.subarray(10, 20));
  const stamped = { terminalId, date, time };
  const expected = unlockGmac({
    sessionKey: g.sessionKey,
    asn8,
    offlineTtc,
    amountFen,
    ...stamped,
    scheme: ctx.behaviour.schemes.unlockGmac,
  });
  const next = cloneState(ctx.state);
  if (!equalBytes(expected, gmac)) {
    next.grey.unlockMacFailures += 1;
    if (next.grey.unlockMacFailures >= CARD_LIMITS.unlockMacFailuresMax) {
      next.grey.unlockMacFailures = CARD_LIMITS.unlockMacFailuresMax;
      next.appStatus = 'blocked';
    }
    ctx.commit(next);
    return swOnly(SW.MAC_INVALID);
  }
  const dtk = findKey(next, 'DTK');
  if (dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const tac = unlockDebitTac({ dtk: dtk.key, amountFen, terminalTtc, ...stamped });
  setPurseBalance(next, g.purseType, balanceFen - amountFen);
  next.purse.offlineTtc = offlineTtc + 1;
  Object.assign(next.grey, {
    status: GREY_STATUS.TAC_UNREAD,
    transType: TRANS_TYPE.UNLOCK_DEBIT,
    field22: u32be(amountFen),
    field26: tac,
    unlockMacFailures: 0,
  });
  appendLog(
    next,
    logRecord({ ttc: offlineTtc, overdraftFen: next.purse.overdraftLimitFen, amountFen, transType: TRANS_TYPE.UNLOCK_DEBIT, ...stamped }),
  );
  next.proofs.offline = { transType: TRANS_TYPE.UNLOCK_DEBIT, ttc: offlineTtc, mac: gmac, tac };
  ctx.commit(next);
  return ok(tac);
}

/** INITIALIZE FOR GREY UNLOCK → bal(4) offlineCTC(2) onlineTTC(2) keyVer algId rand(4) MAC1(4). */
function initializeGreyUnlock(ctx: CardContext, keyIndex: number, terminalId: Uint8Array): CardResponse {
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const g = ctx.state.grey;
  if (g.status !== GREY_STATUS.LOCKED) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const key = keyFor(ctx, 'DUGK', keyIndex);
  if ('sw' in key) return key;
  const p = ctx.state.purse;
  if (p.onlineTtc >= CARD_LIMITS.ttcMax) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const balanceFen = purseBalance(ctx.state, g.purseType);
  const random = ctx.random(4);
  const sessionKey = onlineUnlockSessionKey(key.key, random, p.onlineTtc);
  const mac1 = onlineUnlockMac1({ sessionKey, balanceFen, offlineTtc: p.offlineTtc, terminalId });
  ctx.session.pending = { kind: 'online-unlock', terminalId, sessionKey };
  return ok(concatBytes(u32be(balanceFen), u16be(p.offlineTtc), u16be(p.onlineTtc), Uint8Array.of(key.version, key.algId), random, mac1));
}

/** GREY UNLOCK E0 7E 09 00 0F: amount(4) date(4) time(3) MAC2(4) → MAC3(4). Unlocks fully (flag 00). */
function greyUnlock(ctx: CardContext, d: Uint8Array): CardResponse {
  if (d.length !== 15) return swOnly(SW.WRONG_LENGTH);
  const pending = ctx.pending;
  if (pending?.kind !== 'online-unlock') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const amountFen = readU32be(d, 0);
  const [date, time, mac2] = [d.slice(4, 8), d.slice(8, 11), d.slice(11, 15)];
  const stamped = { terminalId: pending.terminalId, date, time };
  if (!equalBytes(onlineUnlockMac2({ sessionKey: pending.sessionKey, amountFen, ...stamped }), mac2)) return swOnly(SW.MAC_INVALID);
  const g = ctx.state.grey;
  const balanceFen = purseBalance(ctx.state, g.purseType);
  if (amountFen > balanceFen) return swOnly(SW.INSUFFICIENT_FUNDS);
  const next = cloneState(ctx.state);
  const dtk = findKey(next, 'DTK');
  if (dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const ttc = next.purse.onlineTtc;
  const balanceFenAfter = balanceFen - amountFen;
  const mac3 = onlineUnlockMac3({
    dtk: dtk.key,
    sessionKey: pending.sessionKey,
    balanceFenAfter,
    onlineTtc: ttc,
    amountFen,
    ...stamped,
    scheme: ctx.behaviour.schemes.mac3,
  });
  setPurseBalance(next, g.purseType, balanceFenAfter);
  next.purse.onlineTtc = ttc + 1;
  Object.assign(next.grey, {
    status: GREY_STATUS.NORMAL,
    transType: TRANS_TYPE.ONLINE_UNLOCK,
    field22: u32be(amountFen),
    field26: mac3,
    unlockMacFailures: 0,
  });
  appendLog(
    next,
    logRecord({ ttc, overdraftFen: next.purse.overdraftLimitFen, amountFen, transType: TRANS_TYPE.ONLINE_UNLOCK, ...stamped }),
  );
  next.proofs.online = { transType: TRANS_TYPE.ONLINE_UNLOCK, ttc, mac: mac2, tac: mac3 };
  ctx.commit(next);
  return ok(mac3);
}
