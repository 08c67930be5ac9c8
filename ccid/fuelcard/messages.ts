/**
 * The bodies of every fuel-card and PSAM command and response, as layouts (docs/card-protocol.md
 * §1.2–1.4), plus the EF18 transaction record (§3.5) and the lock proof (§3.6). Field names are
 * camelCase with units, the names the trace decoder prints. The bare § numbers below are
 * docs/card-protocol.md's too.
 */
import { FILE_BYTES } from './spec.ts';
import { decodeLayout, encodeLayout, type Layout, type LayoutValue } from './layout.ts';
import { FUEL_CARD_ERROR, FuelCardError, invalidInput } from './errors.ts';

const L = <T extends Layout>(layout: T): T => layout;

/** INITIALIZE FOR LOAD / UNLOAD / PURCHASE data: keyIdx(1) amount(4) TID(6). */
export const INITIALIZE_REQUEST = L([
  ['keyIndex', 'uint', 1],
  ['amountFen', 'uint', 4],
  ['terminalId', 'hex', 6],
] as const);
/** INITIALIZE FOR LOAD / UNLOAD response: bal(4) onlineTTC(2) keyVer(1) algId(1) rand(4) MAC1(4). */
export const INITIALIZE_FOR_LOAD_RESPONSE = L([
  ['balanceFen', 'uint', 4],
  ['onlineTtc', 'uint', 2],
  ['keyVersion', 'uint', 1],
  ['algId', 'uint', 1],
  ['random', 'hex', 4],
  ['mac1', 'hex', 4],
] as const);
/** CREDIT FOR LOAD and DEBIT FOR UNLOAD data: date(4) time(3) MAC2(4). */
export const CREDIT_REQUEST = L([
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['mac2', 'hex', 4],
] as const);
export const TAC_RESPONSE = L([['tac', 'hex', 4]] as const);
export const MAC3_RESPONSE = L([['mac3', 'hex', 4]] as const);
/** INITIALIZE FOR PURCHASE response: bal(4) offlineTTC(2) overdraft(3) keyVer(1) algId(1) rand(4). */
export const INITIALIZE_FOR_PURCHASE_RESPONSE = L([
  ['balanceFen', 'uint', 4],
  ['offlineTtc', 'uint', 2],
  ['overdraftFen', 'uint', 3],
  ['keyVersion', 'uint', 1],
  ['algId', 'uint', 1],
  ['random', 'hex', 4],
] as const);
/** DEBIT FOR PURCHASE data: termTTC(4) date(4) time(3) MAC1(4); response TAC then MAC2 [C2]. */
export const DEBIT_FOR_PURCHASE_REQUEST = L([
  ['terminalTtc', 'uint', 4],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['mac1', 'hex', 4],
] as const);
export const TAC_MAC2_RESPONSE = L([
  ['tac', 'hex', 4],
  ['mac2', 'hex', 4],
] as const);
export const BALANCE_RESPONSE = L([['balanceFen', 'uint', 4]] as const);
export const TRANSACTION_PROVE_REQUEST = L([['ttc', 'uint', 2]] as const);

/** INITIALIZE FOR GREY LOCK / GREY UNLOCK data: keyIdx(1) TID(6). */
export const GREY_INITIALIZE_REQUEST = L([
  ['keyIndex', 'uint', 1],
  ['terminalId', 'hex', 6],
] as const);
export const INITIALIZE_FOR_GREY_LOCK_RESPONSE = INITIALIZE_FOR_PURCHASE_RESPONSE;
/** GREY LOCK data: termTTC(4) TRAN(4) date(4) time(3) MAC1(4); response GTAC(4) MAC2(4). */
export const GREY_LOCK_REQUEST = L([
  ['terminalTtc', 'uint', 4],
  ['terminalRandom', 'hex', 4],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['mac1', 'hex', 4],
] as const);
export const GREY_LOCK_RESPONSE = L([
  ['gtac', 'hex', 4],
  ['mac2', 'hex', 4],
] as const);
/** DEBIT FOR UNLOCK data (27 bytes, [C2]): amount(4) CTC(2) TID(6) termTTC(4) date(4) time(3) GMAC(4). */
export const DEBIT_FOR_UNLOCK_REQUEST = L([
  ['amountFen', 'uint', 4],
  ['offlineTtc', 'uint', 2],
  ['terminalId', 'hex', 6],
  ['terminalTtc', 'uint', 4],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['gmac', 'hex', 4],
] as const);
/** INITIALIZE FOR GREY UNLOCK response: bal(4) offlineCTC(2) onlineTTC(2) keyVer(1) algId(1) rand(4) MAC1(4). */
export const INITIALIZE_FOR_GREY_UNLOCK_RESPONSE = L([
  ['balanceFen', 'uint', 4],
  ['offlineTtc', 'uint', 2],
  ['onlineTtc', 'uint', 2],
  ['keyVersion', 'uint', 1],
  ['algId', 'uint', 1],
  ['random', 'hex', 4],
  ['mac1', 'hex', 4],
] as const);
/** GREY UNLOCK data: amount(4) date(4) time(3) MAC2(4). */
export const GREY_UNLOCK_REQUEST = L([
  ['amountFen', 'uint', 4],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['mac2', 'hex', 4],
] as const);
/** PIN UNBLOCK data: enc PIN block(8) MAC(4). */
export const PIN_UNBLOCK_REQUEST = L([
  ['encryptedPinBlock', 'hex', 8],
  ['mac', 'hex', 4],
] as const);

// ---- PSAM (§1.4) ----

/** INIT SAM GREY LOCK data (0x24). */
export const INIT_SAM_GREY_LOCK_REQUEST = L([
  ['cardRandom', 'hex', 4],
  ['offlineTtc', 'uint', 2],
  ['balanceFen', 'uint', 4],
  ['transType', 'uint', 1],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['keyVersion', 'uint', 1],
  ['algId', 'uint', 1],
  ['asn8', 'hex', 8],
  ['issuerId', 'hex', 8],
] as const);
export const INIT_SAM_GREY_LOCK_RESPONSE = L([
  ['terminalTtc', 'uint', 4],
  ['terminalRandom', 'hex', 4],
  ['mac1', 'hex', 4],
] as const);
export const MAC2_REQUEST = L([['mac2', 'hex', 4]] as const);
/** CREDIT SAM FOR GREY DEBIT data: 93(1) ASN8(8) CTC(2) amount(4); response GMAC(4) SAM-TAC(4). */
export const CREDIT_SAM_FOR_GREY_DEBIT_REQUEST = L([
  ['transType', 'uint', 1],
  ['asn8', 'hex', 8],
  ['offlineTtc', 'uint', 2],
  ['amountFen', 'uint', 4],
] as const);
export const GMAC_RESPONSE = L([
  ['gmac', 'hex', 4],
  ['samTac', 'hex', 4],
] as const);
export const GET_GMAC_REQUEST = L([['terminalTtc', 'uint', 4]] as const);
/** INIT SAM FOR PURCHASE with two diversification levels (Lc 0x24). */
export const INIT_SAM_FOR_PURCHASE_REQUEST = L([
  ['cardRandom', 'hex', 4],
  ['offlineTtc', 'uint', 2],
  ['amountFen', 'uint', 4],
  ['transType', 'uint', 1],
  ['date', 'date', 4],
  ['time', 'time', 3],
  ['keyVersion', 'uint', 1],
  ['algId', 'uint', 1],
  ['asn8', 'hex', 8],
  ['issuerId', 'hex', 8],
] as const);
export const INIT_SAM_FOR_PURCHASE_RESPONSE = L([
  ['terminalTtc', 'uint', 4],
  ['mac1', 'hex', 4],
] as const);

// ---- EF18 record (§3.5) ----

export const EF18_RECORD = L([
  ['ttc', 'uint', 2],
  ['overdraftFen', 'uint', 3],
  ['amountFen', 'uint', 4],
  ['transType', 'uint', 1],
  ['terminalId', 'hex', 6],
  ['date', 'date', 4],
  ['time', 'time', 3],
] as const);
export type TransactionRecord = LayoutValue<typeof EF18_RECORD>;

export function decodeTransactionRecord(bytes: Uint8Array): TransactionRecord {
  return decodeLayout(EF18_RECORD, bytes, 'EF18 record');
}

export function encodeTransactionRecord(record: TransactionRecord): Uint8Array {
  return encodeLayout(EF18_RECORD, record);
}

// ---- Lock proof, GET LOCK PROOF response (§3.6) ----

/** Grey status flag, lock proof byte 0. */
export const GREY_STATUS = { NORMAL: 0x00, LOCKED: 0x01, TAC_UNREAD: 0x10 } as const;
export type GreyState = 'NORMAL' | 'LOCKED' | 'TAC_UNREAD';

const LOCK_PROOF_HEAD = L([
  ['greyStatus', 'uint', 1],
  ['transType', 'uint', 1],
  ['purseType', 'uint', 1],
  ['balanceFen', 'uint', 4],
  ['offlineTtc', 'uint', 2],
  ['terminalId', 'hex', 6],
  ['date', 'date', 4],
  ['time', 'time', 3],
] as const);
const LOCK_PROOF_LOCKED_TAIL = L([
  ['mac2', 'hex', 4],
  ['gtac', 'hex', 4],
] as const);
const LOCK_PROOF_UNLOCKED_TAIL = L([
  ['amountFen', 'uint', 4],
  ['tac', 'hex', 4],
] as const);
const HEAD_BYTES = 22;

type LockProofHead = LayoutValue<typeof LOCK_PROOF_HEAD>;
/** Flag 01: MAC2 and GTAC of the grey lock; flag 00 or 10: amount and TAC of the unlock debit. */
export type LockProof =
  | (LockProofHead & { greyState: 'LOCKED' } & LayoutValue<typeof LOCK_PROOF_LOCKED_TAIL>)
  | (LockProofHead & { greyState: 'NORMAL' | 'TAC_UNREAD' } & LayoutValue<typeof LOCK_PROOF_UNLOCKED_TAIL>);

export function decodeLockProof(bytes: Uint8Array): LockProof {
  if (bytes.length !== FILE_BYTES.LOCK_PROOF) {
    throw new FuelCardError(FUEL_CARD_ERROR.RESPONSE_MALFORMED, `lock proof: expected 30 bytes, got ${bytes.length}`);
  }
  const head = decodeLayout(LOCK_PROOF_HEAD, bytes.subarray(0, HEAD_BYTES), 'lock proof');
  const tail = bytes.subarray(HEAD_BYTES);
  if (head.greyStatus === GREY_STATUS.LOCKED) {
    return { ...head, greyState: 'LOCKED', ...decodeLayout(LOCK_PROOF_LOCKED_TAIL, tail, 'lock proof') };
  }
  if (head.greyStatus !== GREY_STATUS.NORMAL && head.greyStatus !== GREY_STATUS.TAC_UNREAD) {
    throw new FuelCardError(FUEL_CARD_ERROR.DATA_INVALID, `lock proof: unknown grey status ${head.greyStatus}`);
  }
  const greyState = head.greyStatus === GREY_STATUS.NORMAL ? 'NORMAL' : 'TAC_UNREAD';
  return { ...head, greyState, ...decodeLayout(LOCK_PROOF_UNLOCKED_TAIL, tail, 'lock proof') };
}

export function encodeLockProof(proof: LockProof): Uint8Array {
  const expectedStatus = GREY_STATUS[proof.greyState];
  if (proof.greyStatus !== expectedStatus) throw invalidInput(`greyStatus ${proof.greyStatus} disagrees with ${proof.greyState}`);
  const head = encodeLayout(LOCK_PROOF_HEAD, proof);
  const tail = proof.greyState === 'LOCKED' ? encodeLayout(LOCK_PROOF_LOCKED_TAIL, proof) : encodeLayout(LOCK_PROOF_UNLOCKED_TAIL, proof);
  return new Uint8Array([...head, ...tail]);
}
