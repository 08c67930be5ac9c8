/**
 * Every command of the user card and the PSAM (docs/card-protocol.md §1.1–1.4) as bytes: the card
 * stack's one command builder. Pure and synchronous, so that the async commands of card.ts and
 * psam.ts send what it builds, and so do the hosts that drive a simulated card synchronously: the
 * simulator's issuer and pump harness (ccid/sim) and the server's test helpers
 * (server/testing/sim.ts). The framing is ccid/iso7816 `encodeCommandApdu` (short APDUs only), the
 * bodies are the layouts of messages.ts, and Le is the length of the response layout. Amounts are
 * integer fen, ids and MACs hex, dates 'YYYY-MM-DD' or 'YYYYMMDD', times 'HH:MM:SS' or 'HHMMSS'.
 * Input that cannot be sent throws FuelCardError INPUT_INVALID. The bare § numbers below are
 * docs/card-protocol.md's too.
 */
import { fromHex, u16be } from '../bytes.ts';
import { encodeCommandApdu } from '../iso7816/apdu.ts';
import { encodePin } from './bcd.ts';
import { FUEL_CARD_ERROR, FuelCardError, invalidInput } from './errors.ts';
import { encodeLayout, layoutBytes, type Layout, type LayoutValue } from './layout.ts';
import * as M from './messages.ts';
import { HEADER, KEY_TYPE, PURSE, type KeyKind, type Purse } from './spec.ts';

const EMPTY = new Uint8Array(0);

/**
 * A short command APDU: header (CLA INS P1 P2), optional data with Lc, optional Le (256 is written
 * 00). Every header byte must be 0..255 and Le 1..256: a value out of range is refused, never
 * wrapped (taking it modulo 256, as a Uint8Array would, once turned a READ BINARY at offset 256
 * into one at offset 0).
 */
export function apdu(header: readonly number[], data: Uint8Array = EMPTY, le?: number): Uint8Array {
  const isByte = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= 0xff;
  if (
    header.length !== 4 ||
    !header.every(isByte) ||
    data.length > 255 ||
    (le !== undefined && (!Number.isInteger(le) || le < 1 || le > 256))
  ) {
    throw new FuelCardError(FUEL_CARD_ERROR.INPUT_INVALID, `bad APDU header ${header.join(' ')} Lc ${data.length} Le ${le}`);
  }
  const [cla, ins, p1, p2] = header as [number, number, number, number];
  return encodeCommandApdu({ cla, ins, p1, p2, data, ne: le ?? 0 });
}

const h4 = (head: readonly number[], p: number): number[] => [...head, p];

/** A command whose body is a layout (or none) and whose Le is the response layout's length (none when 0). */
function layoutApdu<Req extends Layout>(
  header: readonly number[],
  request: { layout: Req; value: LayoutValue<Req> } | null,
  response: Layout | null,
): Uint8Array {
  const data = request === null ? EMPTY : encodeLayout(request.layout, request.value);
  const le = response === null ? 0 : layoutBytes(response);
  return apdu(header, data, le === 0 ? undefined : le);
}

// ---- Selection and reading (§1.1) ----

/** SELECT by name; `withLe` appends Le 00 as S16 does. */
export function selectByName(aid: Uint8Array, options: { withLe?: boolean } = {}): Uint8Array {
  return apdu(h4(HEADER.SELECT, 0x00), aid, options.withLe === true ? 256 : undefined);
}

/** SELECT by file id. */
export function selectFile(fid: number): Uint8Array {
  return apdu(h4(HEADER.SELECT_FID, 0x00), u16be(fid));
}

/** READ BINARY by SFI (P1 = 80|SFI): `length` bytes (256 = Le 00) from `offset`. */
export function readBinary(f: { sfi: number; length: number; offset?: number }): Uint8Array {
  if (f.sfi < 1 || f.sfi > 30) throw invalidInput(`SFI must be 1..30, got ${f.sfi}`);
  // With the file named by SFI in P1, the offset is P2 alone (ISO 7816-4): 0..255.
  const offset = f.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xff) throw invalidInput(`offset by SFI must be 0..255, got ${offset}`);
  return apdu([...HEADER.READ_BINARY, 0x80 | f.sfi, offset], undefined, f.length);
}

/** READ RECORD by SFI (P2 = SFI<<3 | 4). */
export function readRecord(f: { sfi: number; record: number; length: number }): Uint8Array {
  if (f.record < 1 || f.record > 254) throw invalidInput(`record must be 1..254, got ${f.record}`);
  return apdu([...HEADER.READ_RECORD, f.record, (f.sfi << 3) | 4], undefined, f.length);
}

/** GET BALANCE (80 5C 00 P2 04). */
export function getBalance(purse: Purse = PURSE.ED): Uint8Array {
  return layoutApdu(h4(HEADER.GET_BALANCE, purse), null, M.BALANCE_RESPONSE);
}

/** GET CHALLENGE: 4 or 8 random bytes for secure messaging. */
export function getChallenge(length: 4 | 8 = 4): Uint8Array {
  return apdu(h4(HEADER.GET_CHALLENGE, 0x00), undefined, length);
}

// ---- PIN ----

/** VERIFY (00 20 00 00): the PIN as BCD bytes (bcd.ts `encodePin`). */
export function verify(pinBcd: Uint8Array): Uint8Array {
  return apdu(h4(HEADER.VERIFY, 0x00), pinBcd);
}

/** CHANGE PIN (80 5E 01 P2): oldPIN || FF || newPIN; P2 a PIN id, 00 by default. */
export function changePin(f: { oldPin: string; newPin: string; pinId?: number }): Uint8Array {
  return apdu(h4(HEADER.CHANGE_PIN, f.pinId ?? 0x00), new Uint8Array([...encodePin(f.oldPin), 0xff, ...encodePin(f.newPin)]));
}

/** RELOAD PIN (80 5E 00 00): newPIN || MAC. */
export function reloadPin(f: { newPin: string; mac: string }): Uint8Array {
  return apdu(h4(HEADER.RELOAD_PIN, 0x00), new Uint8Array([...encodePin(f.newPin), ...fromHex(f.mac)]));
}

/** PIN UNBLOCK (84 24 00 01 0C): encrypted PIN block || MAC. */
export function pinUnblock(f: LayoutValue<typeof M.PIN_UNBLOCK_REQUEST>): Uint8Array {
  return apdu(h4(HEADER.PIN_UNBLOCK, 0x01), encodeLayout(M.PIN_UNBLOCK_REQUEST, f));
}

// ---- Load, unload, purchase (§1.2) ----

export type InitializeFields = { purse?: Purse; keyIndex: number; amountFen: number; terminalId: string };

function initialize(header: readonly number[], f: InitializeFields, response: Layout): Uint8Array {
  const value = { keyIndex: f.keyIndex, amountFen: f.amountFen, terminalId: f.terminalId };
  return layoutApdu(h4(header, f.purse ?? PURSE.ED), { layout: M.INITIALIZE_REQUEST, value }, response);
}

/** INITIALIZE FOR LOAD (80 50 00 P2 0B ... 10). */
export const initializeForLoad = (f: InitializeFields): Uint8Array =>
  initialize(HEADER.INITIALIZE_FOR_LOAD, f, M.INITIALIZE_FOR_LOAD_RESPONSE);

/** CREDIT FOR LOAD (80 52 00 00 0B date time MAC2 04). */
export const creditForLoad = (f: LayoutValue<typeof M.CREDIT_REQUEST>): Uint8Array =>
  layoutApdu(h4(HEADER.CREDIT_FOR_LOAD, 0x00), { layout: M.CREDIT_REQUEST, value: f }, M.TAC_RESPONSE);

/** INITIALIZE FOR UNLOAD (80 50 05 01): P2 is ED. */
export const initializeForUnload = (f: InitializeFields): Uint8Array =>
  initialize(HEADER.INITIALIZE_FOR_UNLOAD, f, M.INITIALIZE_FOR_LOAD_RESPONSE);

/** DEBIT FOR UNLOAD (80 54 03 00 0B date time MAC2 04). */
export const debitForUnload = (f: LayoutValue<typeof M.CREDIT_REQUEST>): Uint8Array =>
  layoutApdu(h4(HEADER.DEBIT_FOR_UNLOAD, 0x00), { layout: M.CREDIT_REQUEST, value: f }, M.MAC3_RESPONSE);

/** INITIALIZE FOR PURCHASE (80 50 01 P2 0B ... 0F). */
export const initializeForPurchase = (f: InitializeFields): Uint8Array =>
  initialize(HEADER.INITIALIZE_FOR_PURCHASE, f, M.INITIALIZE_FOR_PURCHASE_RESPONSE);

/** DEBIT FOR PURCHASE (80 54 01 00 0F ... 08). */
export const debitForPurchase = (f: LayoutValue<typeof M.DEBIT_FOR_PURCHASE_REQUEST>): Uint8Array =>
  layoutApdu(h4(HEADER.DEBIT_FOR_PURCHASE, 0x00), { layout: M.DEBIT_FOR_PURCHASE_REQUEST, value: f }, M.TAC_MAC2_RESPONSE);

/** INITIALIZE FOR CASH WITHDRAW (80 50 02 01), "like purchase" (S4); not used by Sinopec. */
export const initializeForCashWithdraw = (f: InitializeFields): Uint8Array =>
  initialize([0x80, 0x50, 0x02], f, M.INITIALIZE_FOR_PURCHASE_RESPONSE);

/** INITIALIZE FOR UPDATE (80 50 04 01): data layout unknown (§1.2 [?]), raw bytes. */
export function initializeForUpdate(data: Uint8Array): Uint8Array {
  return apdu([0x80, 0x50, 0x04, PURSE.ED], data, 256);
}

/** UPDATE OVERDRAW LIMIT (80 58 00 00): data layout unknown (§1.2 [?]), raw bytes. */
export function updateOverdrawLimit(data: Uint8Array): Uint8Array {
  return apdu([0x80, 0x58, 0x00, 0x00], data);
}

/** GET TRANSACTION PROVE (80 5A 00 transType 02 TTC 08). */
export function getTransactionProve(f: { transType: number; ttc: number }): Uint8Array {
  return layoutApdu(
    h4(HEADER.GET_TRANSACTION_PROVE, f.transType),
    { layout: M.TRANSACTION_PROVE_REQUEST, value: { ttc: f.ttc } },
    M.TAC_MAC2_RESPONSE,
  );
}

// ---- Grey lock family (§1.3) ----

/** GET LOCK PROOF (E0 CA 00 00 1E). */
export function getLockProof(): Uint8Array {
  return apdu(h4(HEADER.GET_LOCK_PROOF, 0x00), undefined, 0x1e);
}

/** CLEAR LOCK PROOF (E0 CA 01 00 00): clears TACUF once the unlock TAC has been read. */
export function clearLockProof(): Uint8Array {
  return apdu(h4(HEADER.CLEAR_LOCK_PROOF, 0x00), undefined, 256);
}

export type GreyInitFields = { purse?: Purse; keyIndex: number; terminalId: string };

/** INITIALIZE FOR GREY LOCK (E0 7A 08 P2 07 keyIdx TID 0F). */
export function initializeForGreyLock(f: GreyInitFields): Uint8Array {
  const request = { layout: M.GREY_INITIALIZE_REQUEST, value: { keyIndex: f.keyIndex, terminalId: f.terminalId } };
  return layoutApdu(h4(HEADER.INITIALIZE_FOR_GREY_LOCK, f.purse ?? PURSE.ED), request, M.INITIALIZE_FOR_GREY_LOCK_RESPONSE);
}

/** GREY LOCK (E0 7C 08 00 13 ... 08). */
export const greyLock = (f: LayoutValue<typeof M.GREY_LOCK_REQUEST>): Uint8Array =>
  layoutApdu(h4(HEADER.GREY_LOCK, 0x00), { layout: M.GREY_LOCK_REQUEST, value: f }, M.GREY_LOCK_RESPONSE);

/** DEBIT FOR UNLOCK (E0 7E 08 P2 1B ... 04). */
export const debitForUnlock = (f: LayoutValue<typeof M.DEBIT_FOR_UNLOCK_REQUEST> & { purse?: Purse }): Uint8Array =>
  layoutApdu(h4(HEADER.DEBIT_FOR_UNLOCK, f.purse ?? PURSE.ED), { layout: M.DEBIT_FOR_UNLOCK_REQUEST, value: f }, M.TAC_RESPONSE);

/** INITIALIZE FOR GREY UNLOCK (E0 7A 09 01 07 keyIdx TID 12). */
export function initializeForGreyUnlock(f: Omit<GreyInitFields, 'purse'>): Uint8Array {
  const request = { layout: M.GREY_INITIALIZE_REQUEST, value: { keyIndex: f.keyIndex, terminalId: f.terminalId } };
  return layoutApdu(h4(HEADER.INITIALIZE_FOR_GREY_UNLOCK, 0x01), request, M.INITIALIZE_FOR_GREY_UNLOCK_RESPONSE);
}

/** GREY UNLOCK (E0 7E 09 00 0F amount date time MAC2 04). */
export const greyUnlock = (f: LayoutValue<typeof M.GREY_UNLOCK_REQUEST>): Uint8Array =>
  layoutApdu(h4(HEADER.GREY_UNLOCK, 0x00), { layout: M.GREY_UNLOCK_REQUEST, value: f }, M.MAC3_RESPONSE);

// ---- Issuance ----

/** APPEND RECORD (80 E6 00 00 Lc data), S2's PSAM-verify feature. */
export function appendRecord(data: Uint8Array): Uint8Array {
  return apdu([0x80, 0xe6, 0x00, 0x00], data);
}

/** WRITE KEY (80 D4 01 keyIndex Lc keyType keyVersion algId key16): the project's format [?]. */
export function writeKey(f: { kind: KeyKind; keyIndex: number; keyVersion: number; algId: number; key: Uint8Array }): Uint8Array {
  if (f.key.length !== 16) throw invalidInput('a card key is 16 bytes');
  return apdu(h4(HEADER.WRITE_KEY, f.keyIndex), new Uint8Array([KEY_TYPE[f.kind], f.keyVersion, f.algId, ...f.key]));
}

/** END OF PERSONALISATION (80 D4 02 00) [?]. */
export function endPersonalisation(): Uint8Array {
  return apdu(h4(HEADER.END_PERSONALISATION, 0x00));
}

/** The PIN as a key: WRITE KEY with key type 3A, data 3A || triesMax || PIN BCD [?]. */
export function installPin(f: { pin: string; triesMax: number }): Uint8Array {
  if (!Number.isInteger(f.triesMax) || f.triesMax < 1 || f.triesMax > 15) throw invalidInput('triesMax must be 1..15');
  return apdu(h4(HEADER.WRITE_KEY, 0x00), new Uint8Array([KEY_TYPE.PIN, f.triesMax, ...encodePin(f.pin)]));
}

// ---- PSAM (§1.4): P2 is 00 throughout ----

function psamApdu<Req extends Layout>(
  header: readonly number[],
  request: Req,
  value: LayoutValue<Req>,
  response: Layout | null,
): Uint8Array {
  return layoutApdu(h4(header, 0x00), { layout: request, value }, response);
}

/** INIT SAM GREY LOCK (E0 40 00 00 24 ... 0C). */
export const initSamGreyLock = (f: LayoutValue<typeof M.INIT_SAM_GREY_LOCK_REQUEST>): Uint8Array =>
  psamApdu(HEADER.INIT_SAM_GREY_LOCK, M.INIT_SAM_GREY_LOCK_REQUEST, f, M.INIT_SAM_GREY_LOCK_RESPONSE);

/** CERTIFY SAM GREY LOCK (E0 42 00 00 04 MAC2). */
export const certifySamGreyLock = (f: { mac2: string }): Uint8Array => psamApdu(HEADER.CERTIFY_SAM_GREY_LOCK, M.MAC2_REQUEST, f, null);

/** CREDIT SAM FOR GREY DEBIT (E0 44 00 00 0F 93 ASN8 CTC amount 08). */
export const creditSamForGreyDebit = (f: LayoutValue<typeof M.CREDIT_SAM_FOR_GREY_DEBIT_REQUEST>): Uint8Array =>
  psamApdu(HEADER.CREDIT_SAM_FOR_GREY_DEBIT, M.CREDIT_SAM_FOR_GREY_DEBIT_REQUEST, f, M.GMAC_RESPONSE);

/** GET GMAC (E0 46 00 00 04 PSAM-TTC 08). */
export const getGmac = (f: { terminalTtc: number }): Uint8Array => psamApdu(HEADER.GET_GMAC, M.GET_GMAC_REQUEST, f, M.GMAC_RESPONSE);

/** INIT SAM FOR PURCHASE (80 70 00 00 24 ... 08). */
export const initSamForPurchase = (f: LayoutValue<typeof M.INIT_SAM_FOR_PURCHASE_REQUEST>): Uint8Array =>
  psamApdu(HEADER.INIT_SAM_FOR_PURCHASE, M.INIT_SAM_FOR_PURCHASE_REQUEST, f, M.INIT_SAM_FOR_PURCHASE_RESPONSE);

/** CREDIT SAM FOR PURCHASE (80 72 00 00 04 MAC2). */
export const creditSamForPurchase = (f: { mac2: string }): Uint8Array => psamApdu(HEADER.CREDIT_SAM_FOR_PURCHASE, M.MAC2_REQUEST, f, null);

/** INIT DES (80 1A): COS-specific body, raw (§1.4). */
export function initDes(f: { p1: number; p2: number; data: Uint8Array }): Uint8Array {
  return apdu([0x80, 0x1a, f.p1, f.p2], f.data);
}

/** DES CRYPT (80 FA): COS-specific body, raw (§1.4). */
export function desCrypt(f: { p1: number; p2: number; data: Uint8Array }): Uint8Array {
  return apdu([0x80, 0xfa, f.p1, f.p2], f.data, 256);
}
