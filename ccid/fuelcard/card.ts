/**
 * Every command of the user card (docs/card-protocol.md §1.1–1.3) as a typed function over
 * `transmit`, with its response decoded. The bytes come from commands.ts, the one command builder.
 * Amounts are integer fen, counters integers, MACs, randoms and ids upper-case hex. A status word
 * other than 9000 throws FuelCardError (see sw.ts for the codes). The bare § numbers below are
 * docs/card-protocol.md's too.
 */
import { toHex } from '../bytes.ts';
import * as C from './commands.ts';
import { encodePin } from './bcd.ts';
import { malformed } from './errors.ts';
import { decodeLayout, type Layout, type LayoutValue } from './layout.ts';
import * as M from './messages.ts';
import { AID, PURSE, type KeyKind, type Purse } from './spec.ts';
import { SW } from './sw.ts';
import { send, type Transmit } from './transport.ts';

async function layoutCommand<Res extends Layout>(
  transmit: Transmit,
  name: string,
  command: Uint8Array,
  response: Res,
): Promise<LayoutValue<Res>> {
  const { data: body } = await send(transmit, command, name);
  return decodeLayout(response, body, name);
}

async function plainCommand(transmit: Transmit, name: string, command: Uint8Array): Promise<Uint8Array> {
  return (await send(transmit, command, name)).data;
}

// ---- Selection and reading ----

/** SELECT by name (§1.1). 6A81/9303 (blocked) and 6A82 (absent) throw with their codes. `withLe` appends Le 00 as S16 does. */
export async function selectByName(transmit: Transmit, aid: Uint8Array, options: { withLe?: boolean } = {}): Promise<{ fci: string }> {
  const data = await plainCommand(transmit, 'SELECT', C.selectByName(aid, options));
  return { fci: toHex(data) };
}

export const selectSinopec = (transmit: Transmit): Promise<{ fci: string }> => selectByName(transmit, AID.SINOPEC);

/** SELECT by file id (S16 selects DF01 after SINOPEC; §1.1 [?]). */
export async function selectFile(transmit: Transmit, fid: number): Promise<{ fci: string }> {
  return { fci: toHex(await plainCommand(transmit, 'SELECT', C.selectFile(fid))) };
}

/** READ BINARY by SFI (P1 = 80|SFI): `length` bytes from `offset`. The answer must have that length. */
export async function readBinary(transmit: Transmit, f: { sfi: number; length: number; offset?: number }): Promise<Uint8Array> {
  const data = await plainCommand(transmit, 'READ_BINARY', C.readBinary(f));
  if (data.length !== f.length) throw malformed(`READ_BINARY SFI ${f.sfi.toString(16)}`, String(f.length), data.length);
  return data;
}

/** READ RECORD by SFI (P2 = SFI<<3 | 4). Record 1 is the newest in EF18; 6A83 throws RECORD_NOT_FOUND. */
export async function readRecord(transmit: Transmit, f: { sfi: number; record: number; length: number }): Promise<Uint8Array> {
  const data = await plainCommand(transmit, 'READ_RECORD', C.readRecord(f));
  if (data.length !== f.length) throw malformed('READ_RECORD', String(f.length), data.length);
  return data;
}

/** GET BALANCE (80 5C 00 P2 04): the purse balance in fen. */
export async function getBalance(transmit: Transmit, purse: Purse = PURSE.ED): Promise<number> {
  return (await layoutCommand(transmit, 'GET_BALANCE', C.getBalance(purse), M.BALANCE_RESPONSE)).balanceFen;
}

/** GET CHALLENGE: 4 or 8 random bytes for secure messaging. */
export async function getChallenge(transmit: Transmit, length: 4 | 8 = 4): Promise<Uint8Array> {
  const data = await plainCommand(transmit, 'GET_CHALLENGE', C.getChallenge(length));
  if (data.length !== length) throw malformed('GET_CHALLENGE', String(length), data.length);
  return data;
}

// ---- PIN ----

/** VERIFY (00 20 00 00): the PIN in plain BCD. 63Cx throws PIN_WRONG with triesLeft; 6983 PIN_BLOCKED. */
export async function verifyPin(transmit: Transmit, pin: string): Promise<void> {
  await plainCommand(transmit, 'VERIFY', C.verify(encodePin(pin)));
}

/** CHANGE PIN (80 5E 01 P2): oldPIN || FF || newPIN. S3 puts a PIN id in P2; 00 by default. */
export async function changePin(transmit: Transmit, f: { oldPin: string; newPin: string; pinId?: number }): Promise<void> {
  await plainCommand(transmit, 'CHANGE_PIN', C.changePin(f));
}

/** RELOAD PIN (80 5E 00 00): newPIN || MAC, the MAC from the host (crypto pinReloadMac). */
export async function reloadPin(transmit: Transmit, f: { newPin: string; mac: string }): Promise<void> {
  await plainCommand(transmit, 'RELOAD_PIN', C.reloadPin(f));
}

/** PIN UNBLOCK (84 24 00 01 0C): encrypted PIN block || MAC, from the host (crypto pinUnblockData). */
export async function pinUnblock(transmit: Transmit, f: { encryptedPinBlock: string; mac: string }): Promise<void> {
  await plainCommand(transmit, 'PIN_UNBLOCK', C.pinUnblock(f));
}

// ---- Load, unload, purchase (§1.2) ----

type InitializeFields = C.InitializeFields;

export async function initializeForLoad(transmit: Transmit, f: InitializeFields) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_LOAD', C.initializeForLoad(f), M.INITIALIZE_FOR_LOAD_RESPONSE);
}

export async function creditForLoad(transmit: Transmit, f: LayoutValue<typeof M.CREDIT_REQUEST>) {
  return layoutCommand(transmit, 'CREDIT_FOR_LOAD', C.creditForLoad(f), M.TAC_RESPONSE);
}

/** INITIALIZE FOR UNLOAD (80 50 05 01): P2 is ED. */
export async function initializeForUnload(transmit: Transmit, f: InitializeFields) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_UNLOAD', C.initializeForUnload(f), M.INITIALIZE_FOR_LOAD_RESPONSE);
}

export async function debitForUnload(transmit: Transmit, f: LayoutValue<typeof M.CREDIT_REQUEST>) {
  return layoutCommand(transmit, 'DEBIT_FOR_UNLOAD', C.debitForUnload(f), M.MAC3_RESPONSE);
}

export async function initializeForPurchase(transmit: Transmit, f: InitializeFields) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_PURCHASE', C.initializeForPurchase(f), M.INITIALIZE_FOR_PURCHASE_RESPONSE);
}

export async function debitForPurchase(transmit: Transmit, f: LayoutValue<typeof M.DEBIT_FOR_PURCHASE_REQUEST>) {
  return layoutCommand(transmit, 'DEBIT_FOR_PURCHASE', C.debitForPurchase(f), M.TAC_MAC2_RESPONSE);
}

/** INITIALIZE FOR CASH WITHDRAW (80 50 02 01), "like purchase" (S4); not used by Sinopec. */
export async function initializeForCashWithdraw(transmit: Transmit, f: InitializeFields) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_CASH_WITHDRAW', C.initializeForCashWithdraw(f), M.INITIALIZE_FOR_PURCHASE_RESPONSE);
}

/**
 * INITIALIZE FOR UPDATE (80 50 04 01) and UPDATE OVERDRAW LIMIT (80 58 00 00): data layouts are
 * unknown (docs/card-protocol.md §1.2 [?]), raw bytes.
 */
export async function initializeForUpdate(transmit: Transmit, data: Uint8Array): Promise<Uint8Array> {
  return plainCommand(transmit, 'INITIALIZE_FOR_UPDATE', C.initializeForUpdate(data));
}

export async function updateOverdrawLimit(transmit: Transmit, data: Uint8Array): Promise<Uint8Array> {
  return plainCommand(transmit, 'UPDATE_OVERDRAW_LIMIT', C.updateOverdrawLimit(data));
}

/**
 * The order of the 8 bytes GET TRANSACTION PROVE answers [I, docs/card-protocol.md §1.2]:
 * `TAC_THEN_MAC` (default, the order of DEBIT FOR PURCHASE's response) or `MAC_THEN_TAC`.
 */
export const PROVE_ORDER = { TAC_THEN_MAC: 'TAC_THEN_MAC', MAC_THEN_TAC: 'MAC_THEN_TAC' } as const;
export type ProveOrder = keyof typeof PROVE_ORDER;

/** GET TRANSACTION PROVE (80 5A 00 transType 02 TTC 08): the TAC of the transaction with that TTC. */
export async function getTransactionProve(
  transmit: Transmit,
  f: { transType: number; ttc: number; order?: ProveOrder },
): Promise<{ tac: string; mac: string }> {
  const body = await layoutCommand(transmit, 'GET_TRANSACTION_PROVE', C.getTransactionProve(f), M.TAC_MAC2_RESPONSE);
  return (f.order ?? 'TAC_THEN_MAC') === 'TAC_THEN_MAC' ? { tac: body.tac, mac: body.mac2 } : { tac: body.mac2, mac: body.tac };
}

// ---- Grey lock family (§1.3) ----

/** GET LOCK PROOF (E0 CA 00 00 1E). 6985 means "never locked" and reads as null (S2 treats it as flag 00). */
export async function getLockProof(transmit: Transmit): Promise<M.LockProof | null> {
  const response = await send(transmit, C.getLockProof(), 'GET_LOCK_PROOF', [SW.NO_ERROR, SW.CONDITIONS_OF_USE_NOT_SATISFIED]);
  return response.sw === SW.NO_ERROR ? M.decodeLockProof(response.data) : null;
}

/** CLEAR LOCK PROOF (E0 CA 01 00 00): clears TACUF once the unlock TAC has been read. */
export async function clearLockProof(transmit: Transmit): Promise<void> {
  await plainCommand(transmit, 'CLEAR_LOCK_PROOF', C.clearLockProof());
}

type GreyInitFields = C.GreyInitFields;

export async function initializeForGreyLock(transmit: Transmit, f: GreyInitFields) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_GREY_LOCK', C.initializeForGreyLock(f), M.INITIALIZE_FOR_GREY_LOCK_RESPONSE);
}

export async function greyLock(transmit: Transmit, f: LayoutValue<typeof M.GREY_LOCK_REQUEST>) {
  return layoutCommand(transmit, 'GREY_LOCK', C.greyLock(f), M.GREY_LOCK_RESPONSE);
}

export async function debitForUnlock(transmit: Transmit, f: LayoutValue<typeof M.DEBIT_FOR_UNLOCK_REQUEST> & { purse?: Purse }) {
  return layoutCommand(transmit, 'DEBIT_FOR_UNLOCK', C.debitForUnlock(f), M.TAC_RESPONSE);
}

export async function initializeForGreyUnlock(transmit: Transmit, f: Omit<GreyInitFields, 'purse'>) {
  return layoutCommand(transmit, 'INITIALIZE_FOR_GREY_UNLOCK', C.initializeForGreyUnlock(f), M.INITIALIZE_FOR_GREY_UNLOCK_RESPONSE);
}

export async function greyUnlock(transmit: Transmit, f: LayoutValue<typeof M.GREY_UNLOCK_REQUEST>) {
  return layoutCommand(transmit, 'GREY_UNLOCK', C.greyUnlock(f), M.MAC3_RESPONSE);
}

// ---- Secure messaging and issuance ----

/** A command built by crypto `secureCommand` (UPDATE BINARY 04 D6, APPLICATION BLOCK ...), sent as is. */
export async function sendSecure(transmit: Transmit, name: string, command: Uint8Array): Promise<void> {
  await send(transmit, command, name);
}

/** APPEND RECORD (80 E6 00 00 Lc data), S2's PSAM-verify feature. */
export async function appendRecord(transmit: Transmit, data: Uint8Array): Promise<void> {
  await plainCommand(transmit, 'APPEND_RECORD', C.appendRecord(data));
}

/**
 * WRITE KEY (80 D4 01 keyIndex Lc keyType keyVersion algId key16) during personalisation. COS-specific
 * and in no source (docs/card-protocol.md §1.2): the project's own format, shared with the card
 * simulator [?].
 */
export async function writeKey(
  transmit: Transmit,
  f: { kind: KeyKind; keyIndex: number; keyVersion: number; algId: number; key: Uint8Array },
): Promise<void> {
  await plainCommand(transmit, 'WRITE_KEY', C.writeKey(f));
}

/**
 * END OF PERSONALISATION (80 D4 02 00): the card leaves personalisation, after which WRITE KEY is
 * refused and files change only by UPDATE BINARY with a MAC. COS-specific like WRITE KEY [?].
 */
export async function endPersonalisation(transmit: Transmit): Promise<void> {
  await plainCommand(transmit, 'END_PERSONALISATION', C.endPersonalisation());
}

/** Installs the PIN: WRITE KEY with key type 3A, data 3A || triesMax || PIN BCD [?]. */
export async function installPin(transmit: Transmit, f: { pin: string; triesMax: number }): Promise<void> {
  await plainCommand(transmit, 'WRITE_KEY', C.installPin(f));
}
