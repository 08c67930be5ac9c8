/**
 * The purse transactions of the user card (docs/card-protocol.md §1.2, §2.4–2.5): load (圈存), unload
 * (圈提), purchase, and GET TRANSACTION PROVE. Each is two commands: INITIALIZE answers the card's
 * random and MAC1 and keeps a volatile session; the second command checks the terminal's MAC and
 * commits balance, counter, EF18 record and the proof together.
 */
import { concatBytes, equalBytes, readU16be, readU32be, u16be, u32be } from '../../bytes.ts';
import {
  TRANS_TYPE,
  loadMac1,
  loadMac2,
  loadSessionKey,
  loadTac,
  purchaseMac1,
  purchaseMac2,
  purchaseSessionKey,
  purchaseTac,
  unloadMac1,
  unloadMac2,
  unloadMac3,
  unloadSessionKey,
} from '../../crypto/index.ts';
import type { CommandApdu } from './apdu.ts';
import { PURSE, type CardContext, type PurseType } from './context.ts';
import { CARD_TYPE } from './files.ts';
import { purseBalance, setPurseBalance } from './read.ts';
import { CARD_LIMITS, GREY_STATUS, cloneState, findKey, type FuelCardState, type KeyKind, type TransactionProof } from './state.ts';
import { SW, ok, swOnly, type CardResponse } from './sw.ts';

/** One EF18 record, 23 bytes (docs/card-protocol.md §3.5). */
export function logRecord(f: {
  ttc: number;
  overdraftFen: number;
  amountFen: number;
  transType: number;
  terminalId: Uint8Array;
  date: Uint8Array;
  time: Uint8Array;
}): Uint8Array {
  const overdraft = u32be(f.overdraftFen).subarray(1);
  return concatBytes(u16be(f.ttc), overdraft, u32be(f.amountFen), Uint8Array.of(f.transType), f.terminalId, f.date, f.time);
}

/** Adds a record as record 1 (newest); the oldest falls off past 10 (cyclic file). */
export function appendLog(state: FuelCardState, record: Uint8Array): void {
  state.log = [record, ...state.log].slice(0, CARD_LIMITS.logRecordsMax);
}

export function cardTypeOf(state: FuelCardState): number {
  return state.ef15[12] ?? 0;
}

/** Only user and pump-test cards carry money; employee and maintenance cards do not [I]. */
function hasPurse(state: FuelCardState): boolean {
  const type = cardTypeOf(state);
  return type === CARD_TYPE.USER || type === CARD_TYPE.PUMP_TEST;
}

/** Checks every INITIALIZE shares; null when the command may go on. */
export function initChecks(ctx: CardContext, purse: number): CardResponse | null {
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  if (!hasPurse(ctx.state)) return swOnly(SW.FUNCTION_NOT_SUPPORTED);
  if (purse === PURSE.ED && !ctx.session.pinVerified) return swOnly(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (ctx.state.grey.status === GREY_STATUS.LOCKED) return swOnly(SW.GREY_LOCKED);
  return null;
}

export function keyFor(ctx: CardContext, kind: KeyKind, index: number): { key: Uint8Array; version: number; algId: number } | CardResponse {
  const entry = findKey(ctx.state, kind, index);
  return entry ?? swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
}

type InitFields = { keyIndex: number; amountFen: number; terminalId: Uint8Array };

function parseInit(data: Uint8Array): InitFields {
  return { keyIndex: data[0]!, amountFen: readU32be(data, 1), terminalId: data.slice(5, 11) };
}

/** 80 50 00 01|02 (load), 80 50 01 01|02 (purchase), 80 50 05 01 (unload). */
export function initialize(ctx: CardContext, apdu: CommandApdu): CardResponse {
  const purse = apdu.p2;
  const validPurse = purse === PURSE.ED || purse === PURSE.EP;
  if (!validPurse || (apdu.p1 === 0x05 && purse !== PURSE.ED)) return swOnly(SW.WRONG_P1P2);
  if (apdu.p1 !== 0x00 && apdu.p1 !== 0x01 && apdu.p1 !== 0x05) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 11) return swOnly(SW.WRONG_LENGTH);
  const refused = initChecks(ctx, purse);
  if (refused !== null) return refused;
  const fields = parseInit(apdu.data);
  if (apdu.p1 === 0x00) return initializeForLoad(ctx, purse as PurseType, fields);
  if (apdu.p1 === 0x05) return initializeForUnload(ctx, fields);
  return initializeForPurchase(ctx, purse as PurseType, fields);
}

function initializeForLoad(ctx: CardContext, purse: PurseType, f: InitFields): CardResponse {
  const key = keyFor(ctx, 'DLK', f.keyIndex);
  if ('sw' in key) return key;
  const { purse: p } = ctx.state;
  const balanceFen = purseBalance(ctx.state, purse);
  // A full counter or a load past the purse limit: the card refuses (PBOC; 6985, as
  // docs/card-protocol.md §6 lists no better word).
  if (p.onlineTtc >= CARD_LIMITS.ttcMax || balanceFen + f.amountFen > p.balanceMaxFen) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const transType = purse === PURSE.ED ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.LOAD_EP;
  const random = ctx.random(4);
  const sessionKey = loadSessionKey(key.key, random, p.onlineTtc);
  const mac1 = loadMac1({ sessionKey, balanceFen, amountFen: f.amountFen, transType, terminalId: f.terminalId });
  ctx.session.pending = { kind: 'load', purse, transType, amountFen: f.amountFen, terminalId: f.terminalId, sessionKey };
  return ok(concatBytes(u32be(balanceFen), u16be(p.onlineTtc), Uint8Array.of(key.version, key.algId), random, mac1));
}

function initializeForUnload(ctx: CardContext, f: InitFields): CardResponse {
  const key = keyFor(ctx, 'DULK', f.keyIndex);
  if ('sw' in key) return key;
  const { purse: p } = ctx.state;
  const balanceFen = p.edBalanceFen;
  if (f.amountFen > balanceFen) return swOnly(SW.INSUFFICIENT_FUNDS);
  if (p.onlineTtc >= CARD_LIMITS.ttcMax) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const random = ctx.random(4);
  const sessionKey = unloadSessionKey(key.key, random, p.onlineTtc);
  const mac1 = unloadMac1({ sessionKey, balanceFen, amountFen: f.amountFen, terminalId: f.terminalId });
  ctx.session.pending = { kind: 'unload', amountFen: f.amountFen, terminalId: f.terminalId, sessionKey };
  return ok(concatBytes(u32be(balanceFen), u16be(p.onlineTtc), Uint8Array.of(key.version, key.algId), random, mac1));
}

function initializeForPurchase(ctx: CardContext, purse: PurseType, f: InitFields): CardResponse {
  const key = keyFor(ctx, 'DPK', f.keyIndex);
  if ('sw' in key) return key;
  const { purse: p } = ctx.state;
  const balanceFen = purseBalance(ctx.state, purse);
  // The overdraft limit is reported but not lent: a 4-byte unsigned balance cannot go below zero.
  if (f.amountFen > balanceFen) return swOnly(SW.INSUFFICIENT_FUNDS);
  if (p.offlineTtc >= CARD_LIMITS.ttcMax) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const transType = purse === PURSE.ED ? TRANS_TYPE.PURCHASE_ED : TRANS_TYPE.PURCHASE_EP;
  const random = ctx.random(4);
  ctx.session.pending = {
    kind: 'purchase',
    purse,
    transType,
    amountFen: f.amountFen,
    terminalId: f.terminalId,
    random,
    keyIndex: f.keyIndex,
  };
  const overdraft = u32be(p.overdraftLimitFen).subarray(1);
  return ok(concatBytes(u32be(balanceFen), u16be(p.offlineTtc), overdraft, Uint8Array.of(key.version, key.algId), random));
}

/** CREDIT FOR LOAD 80 52 00 00 0B: date(4) time(3) MAC2(4) → TAC(4). */
export function creditForLoad(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0 || apdu.p2 !== 0) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 11) return swOnly(SW.WRONG_LENGTH);
  const pending = ctx.pending;
  if (pending?.kind !== 'load') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const [date, time, mac2] = [apdu.data.slice(0, 4), apdu.data.slice(4, 7), apdu.data.slice(7, 11)];
  const stamped = { terminalId: pending.terminalId, date, time };
  const expected = loadMac2({ sessionKey: pending.sessionKey, amountFen: pending.amountFen, transType: pending.transType, ...stamped });
  if (!equalBytes(expected, mac2)) return swOnly(SW.MAC_INVALID);
  const next = cloneState(ctx.state);
  const ttc = next.purse.onlineTtc;
  const balanceFenAfter = purseBalance(next, pending.purse) + pending.amountFen;
  const dtk = findKey(next, 'DTK');
  if (dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const tac = loadTac({
    dtk: dtk.key,
    balanceFenAfter,
    onlineTtc: ttc,
    amountFen: pending.amountFen,
    transType: pending.transType,
    ...stamped,
    layout: ctx.behaviour.schemes.loadTacLayout,
  });
  setPurseBalance(next, pending.purse, balanceFenAfter);
  next.purse.onlineTtc = ttc + 1;
  appendLog(
    next,
    logRecord({ ttc, overdraftFen: next.purse.overdraftLimitFen, amountFen: pending.amountFen, transType: pending.transType, ...stamped }),
  );
  next.proofs.online = { transType: pending.transType, ttc, mac: mac2, tac };
  ctx.commit(next);
  return ok(tac);
}

/** 80 54 01 00 (DEBIT FOR PURCHASE) and 80 54 03 00 (DEBIT FOR UNLOAD). */
export function debit(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p2 !== 0 || (apdu.p1 !== 0x01 && apdu.p1 !== 0x03)) return swOnly(SW.WRONG_P1P2);
  if (apdu.p1 === 0x01) return debitForPurchase(ctx, apdu.data);
  return debitForUnload(ctx, apdu.data);
}

function debitForUnload(ctx: CardContext, data: Uint8Array): CardResponse {
  if (data.length !== 11) return swOnly(SW.WRONG_LENGTH);
  const pending = ctx.pending;
  if (pending?.kind !== 'unload') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const [date, time, mac2] = [data.slice(0, 4), data.slice(4, 7), data.slice(7, 11)];
  const stamped = { terminalId: pending.terminalId, date, time };
  if (!equalBytes(unloadMac2({ sessionKey: pending.sessionKey, amountFen: pending.amountFen, ...stamped }), mac2))
    return swOnly(SW.MAC_INVALID);
  const next = cloneState(ctx.state);
  const dtk = findKey(next, 'DTK');
  if (dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const ttc = next.purse.onlineTtc;
  const balanceFenAfter = next.purse.edBalanceFen - pending.amountFen;
  const mac3 = unloadMac3({
    dtk: dtk.key,
    sessionKey: pending.sessionKey,
    balanceFenAfter,
    onlineTtc: ttc,
    amountFen: pending.amountFen,
    ...stamped,
    scheme: ctx.behaviour.schemes.mac3,
  });
  next.purse.edBalanceFen = balanceFenAfter;
  next.purse.onlineTtc = ttc + 1;
  appendLog(
    next,
    logRecord({ ttc, overdraftFen: next.purse.overdraftLimitFen, amountFen: pending.amountFen, transType: TRANS_TYPE.UNLOAD, ...stamped }),
  );
  next.proofs.online = { transType: TRANS_TYPE.UNLOAD, ttc, mac: mac2, tac: mac3 };
  ctx.commit(next);
  return ok(mac3);
}

/**
 * DEBIT FOR PURCHASE data: termTTC(4) date(4) time(3) MAC1(4) → TAC(4) MAC2(4)
 * (docs/card-protocol.md §1.2).
 */
function debitForPurchase(ctx: CardContext, data: Uint8Array): CardResponse {
  if (data.length !== 15) return swOnly(SW.WRONG_LENGTH);
  const pending = ctx.pending;
  if (pending?.kind !== 'purchase') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const terminalTtc = readU32be(data, 0);
  const [date, time, mac1] = [data.slice(4, 8), data.slice(8, 11), data.slice(11, 15)];
  const dpk = findKey(ctx.state, 'DPK', pending.keyIndex);
  const dtk = findKey(ctx.state, 'DTK');
  if (dpk === undefined || dtk === undefined) return swOnly(SW.KEY_INDEX_NOT_SUPPORTED);
  const ttc = ctx.state.purse.offlineTtc;
  const sessionKey = purchaseSessionKey({ dpk: dpk.key, random: pending.random, offlineTtc: ttc, terminalTtc });
  const stamped = { terminalId: pending.terminalId, date, time };
  const expected = purchaseMac1({ sessionKey, amountFen: pending.amountFen, transType: pending.transType, ...stamped });
  if (!equalBytes(expected, mac1)) return swOnly(SW.MAC_INVALID);
  const next = cloneState(ctx.state);
  const mac2 = purchaseMac2({ sessionKey, amountFen: pending.amountFen });
  const tac = purchaseTac({ dtk: dtk.key, amountFen: pending.amountFen, transType: pending.transType, terminalTtc, ...stamped });
  setPurseBalance(next, pending.purse, purseBalance(next, pending.purse) - pending.amountFen);
  next.purse.offlineTtc = ttc + 1;
  appendLog(
    next,
    logRecord({ ttc, overdraftFen: next.purse.overdraftLimitFen, amountFen: pending.amountFen, transType: pending.transType, ...stamped }),
  );
  next.proofs.offline = { transType: pending.transType, ttc, mac: mac2, tac };
  ctx.commit(next);
  return ok(concatBytes(tac, mac2));
}

/**
 * GET TRANSACTION PROVE 80 5A 00 <type> 02 TTC: the MAC and TAC of the last transaction on the
 * online or offline counter, when its type and counter match; 9406 otherwise ("not available":
 * the transaction with that counter did not happen, or a later one replaced its proof).
 */
export function getTransactionProve(ctx: CardContext, apdu: CommandApdu): CardResponse {
  if (apdu.p1 !== 0x00) return swOnly(SW.WRONG_P1P2);
  if (apdu.data.length !== 2) return swOnly(SW.WRONG_LENGTH);
  if (ctx.session.selected !== 'SINOPEC') return swOnly(SW.CONDITIONS_NOT_SATISFIED);
  const ttc = readU16be(apdu.data, 0);
  const matches = (p: TransactionProof | null): p is TransactionProof => p !== null && p.transType === apdu.p2 && p.ttc === ttc;
  const { online, offline } = ctx.state.proofs;
  const proof = matches(online) ? online : matches(offline) ? offline : null;
  if (proof === null) return swOnly(SW.MAC_TAC_UNAVAILABLE);
  return ok(ctx.behaviour.proveOrder === 'TAC_MAC' ? concatBytes(proof.tac, proof.mac) : concatBytes(proof.mac, proof.tac));
}
