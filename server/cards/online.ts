/**
 * The online purse transactions, load (圈存) and unload (圈提), host side (DESIGN.md decision 5,
 * LEDGER.md "A load, step by step"):
 *
 * - initialise: the card's INITIALIZE answer → MAC1 verified (the card is genuine and present, and
 *   its counter n is authenticated) → an older pending transaction of the card is settled from n →
 *   the card, the funds and the purse limit are checked → a pending transfer keyed by (card, n) →
 *   MAC2 over the server's date and time;
 * - complete: the TAC (load) or MAC3 (unload) verified → the transfer is posted;
 * - recover: a fresh MAC1-verified counter: moved past n → posted (with GET TRANSACTION PROVE's TAC
 *   when given), still n → voided. Nothing else, and never a timer, voids a pending transaction.
 *
 * Cryptography runs before the database transaction: a forged MAC1 or TAC changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { Sql } from '../db/index.ts';
import type { InitializeAnswer, LoadCompleteRequest, LoadInitialiseRequest, LoadInitialiseResponse, LoadRecoverRequest, LoadView, UnloadInitialiseRequest } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { LedgerError } from '../ledger/errors.ts';
import { createTransfers, resolvePending } from '../ledger/transfers.ts';
import type { KeyStore, OnlineKind } from '../keys/keystore.ts';
import { KeyStoreError } from '../keys/keystore.ts';
import type { Services } from '../http/services.ts';
import { recordOperation, replayOf, requestHash } from '../sync/records.ts';
import { chinaDateTime, purseMaxFen, readCard, requireCardInScope, requireUsable, type CardRow } from './card.ts';

type LoadRow = {
  id: string;
  kind: OnlineKind;
  card_no: string;
  online_ttc: number;
  amount_fen: bigint;
  trans_type: number;
  balance_fen_before: bigint;
  terminal_id: string;
  key_version: number;
  card_random: string;
  tx_date: string;
  tx_time: string;
  transfer_id: string;
  state: 'pending' | 'posted' | 'voided';
  settled_by: LoadView['settledBy'];
  tac: string | null;
};
const LOAD_COLUMNS = 'id, kind, card_no, online_ttc, amount_fen, trans_type, balance_fen_before, terminal_id, key_version, card_random, tx_date, tx_time, transfer_id, state, settled_by, tac';

export function loadView(l: LoadRow): LoadView {
  const amount = Number(l.amount_fen);
  const before = Number(l.balance_fen_before);
  return {
    loadId: l.id,
    kind: l.kind,
    cardNo: l.card_no,
    onlineTtc: l.online_ttc,
    amountFen: amount,
    balanceFenAfter: l.kind === 'load' ? before + amount : before - amount,
    state: l.state,
    settledBy: l.settled_by,
  };
}

export function requireKeyStore(services: Services): KeyStore {
  if (!services.keyStore) throw new ApiError('KEY_STORE_UNAVAILABLE');
  return services.keyStore;
}

/** Loads and unloads need a terminal: the device's, which must be the one the card signed. */
function requireTerminal(principal: Principal, terminalId: string): string {
  if (principal.deviceId === null || principal.terminalId === null) throw new ApiError('DEVICE_REQUIRED');
  if (principal.terminalId !== terminalId.toUpperCase()) throw new ApiError('TERMINAL_MISMATCH');
  return principal.deviceId;
}

/** Crypto failures the world can cause (unknown key version) become catalogue errors. */
async function crypto<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyStoreError && error.code === 'KEY_VERSION_UNKNOWN') throw new ApiError('KEY_VERSION_UNKNOWN');
    throw error;
  }
}

type Probe = { kind: OnlineKind; cardNo: string; amountFen: number; terminalId: string; transType: number; answer: InitializeAnswer };

async function verifyMac1(keys: KeyStore, p: Probe): Promise<void> {
  const ok = await crypto(() =>
    keys.verifyMac1({
      kind: p.kind,
      cardNo: p.cardNo,
      keyVersion: p.answer.keyVersion,
      random: fromHex(p.answer.random),
      onlineTtc: p.answer.onlineTtc,
      balanceFen: p.answer.balanceFen,
      amountFen: p.amountFen,
      transType: p.transType,
      terminalId: fromHex(p.terminalId),
      mac1: fromHex(p.answer.mac1),
    }),
  );
  if (!ok) throw new ApiError('MAC1_INVALID');
}

async function verifyTac(keys: KeyStore, l: LoadRow, tacHex: string): Promise<boolean> {
  const view = loadView(l);
  return crypto(() =>
    keys.verifyTac({
      kind: l.kind,
      cardNo: l.card_no,
      keyVersion: l.key_version,
      random: fromHex(l.card_random),
      onlineTtc: l.online_ttc,
      amountFen: view.amountFen,
      transType: l.trans_type,
      terminalId: fromHex(l.terminal_id),
      date: fromHex(l.tx_date),
      time: fromHex(l.tx_time),
      balanceFenAfter: view.balanceFenAfter,
      tac: fromHex(tacHex),
    }),
  );
}

async function settle(tx: Sql, load: LoadRow, outcome: 'post' | 'void', settledBy: NonNullable<LoadView['settledBy']>, tac: string | null): Promise<LoadRow> {
  await resolvePending(tx, load.transfer_id, outcome);
  const updated = await tx.query<LoadRow>(
    `UPDATE card_load SET state = $2, settled_by = $3, tac = $4, settled_at = now() WHERE id = $1 AND state = 'pending' RETURNING ${LOAD_COLUMNS}`,
    [load.id, outcome === 'post' ? 'posted' : 'voided', settledBy, tac],
  );
  if (updated.rows.length !== 1) throw new Error('assertion: a pending load settled twice');
  return updated.rows[0]!;
}

async function pendingLoadOf(tx: Sql, cardNo: string): Promise<LoadRow | null> {
  const found = await tx.query<LoadRow>(`SELECT ${LOAD_COLUMNS} FROM card_load WHERE card_no = $1 AND state = 'pending' FOR UPDATE`, [cardNo]);
  return found.rows[0] ?? null;
}

/**
 * Settles the card's pending transaction from an authenticated counter: moved on → it happened
 * (posted; with a verified TAC when one is given), unchanged → it did not (voided).
 */
async function settleFromCounter(tx: Sql, card: CardRow, counter: number, proof: { tac: string; verified: boolean } | null): Promise<LoadRow | null> {
  const pending = await pendingLoadOf(tx, card.card_no);
  if (card.online_ttc_seen !== null && counter < card.online_ttc_seen) throw new ApiError('COUNTER_STALE');
  if (pending === null) return null;
  if (counter < pending.online_ttc) throw new ApiError('COUNTER_STALE');
  if (counter === pending.online_ttc) return settle(tx, pending, 'void', 'counter_unchanged', null);
  if (proof?.verified) return settle(tx, pending, 'post', 'prove', proof.tac.toUpperCase());
  return settle(tx, pending, 'post', 'counter_advanced', null);
}

async function noteCounter(tx: Sql, cardNo: string, counter: number): Promise<void> {
  await tx.query('UPDATE card SET online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $2) WHERE card_no = $1', [cardNo, counter]);
}

/** The account money comes from (load) or goes to (unload), by the card's place in its customer. */
async function customerAccount(tx: Sql, card: CardRow, code: 'QUOTA' | 'RESERVE', kind: OnlineKind): Promise<bigint> {
  if (card.customer_id === null) throw new ApiError('SOURCE_ACCOUNT_INVALID');
  const allowed = card.role === 'single' ? code === 'QUOTA' : kind === 'load' ? code === 'RESERVE' : true;
  if (!allowed) throw new ApiError('SOURCE_ACCOUNT_INVALID');
  if (code === 'QUOTA') return ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: card.customer_id });
  return ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo: card.card_no, customerId: card.customer_id });
}

type InitInput = {
  kind: OnlineKind;
  operationId: string;
  cardNo: string;
  amountFen: number;
  account: 'QUOTA' | 'RESERVE';
  terminalId: string;
  transType: number;
  answer: InitializeAnswer;
};

function toInitInput(kind: OnlineKind, r: LoadInitialiseRequest | UnloadInitialiseRequest): InitInput {
  const transType = kind === 'unload' ? TRANS_TYPE.UNLOAD : 'purse' in r && r.purse === 'EP' ? TRANS_TYPE.LOAD_EP : TRANS_TYPE.LOAD_ED;
  const account = 'sourceAccount' in r ? r.sourceAccount : r.destinationAccount;
  return { kind, operationId: r.operationId, cardNo: r.cardNo, amountFen: r.amountFen, account, terminalId: r.terminalId.toUpperCase(), transType, answer: r.card };
}

async function reserve(tx: Sql, card: CardRow, i: InitInput, services: Services): Promise<{ accountId: bigint; transferId: string }> {
  const accountId = await customerAccount(tx, card, i.account, i.kind);
  const purseId = await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: card.card_no, customerId: card.customer_id });
  if (i.kind === 'load' && i.answer.balanceFen + i.amountFen > purseMaxFen(card, services)) throw new ApiError('PURSE_LIMIT_EXCEEDED');
  if (i.kind === 'unload' && i.amountFen > i.answer.balanceFen) throw new ApiError('INSUFFICIENT_FUNDS');
  const [debit, credit] = i.kind === 'load' ? [accountId, purseId] : [purseId, accountId];
  try {
    const [transferId] = await createTransfers(tx, [{ debitAccountId: debit, creditAccountId: credit, amountFen: BigInt(i.amountFen), code: i.kind === 'load' ? 'LOAD' : 'UNLOAD', pending: true }]);
    return { accountId, transferId: transferId! };
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CREDITS') throw new ApiError('INSUFFICIENT_FUNDS');
    throw error;
  }
}

/** Load or unload initialise: MAC1 → checks → pending transfer → MAC2. Exactly once by operation id. */
export async function initialise(services: Services, principal: Principal, kind: OnlineKind, request: LoadInitialiseRequest | UnloadInitialiseRequest): Promise<LoadInitialiseResponse> {
  const keys = requireKeyStore(services);
  const hash = requestHash(`${kind}.initialise`, request);
  const earlier = await replayOf(services.db, request.operationId, hash);
  if (earlier) return earlier.result as LoadInitialiseResponse;
  const deviceId = requireTerminal(principal, request.terminalId);
  const input = toInitInput(kind, request);
  await verifyMac1(keys, input);
  const stamp = chinaDateTime(services.now());
  const mac2 = await crypto(() =>
    keys.mac2({
      kind,
      cardNo: input.cardNo,
      keyVersion: input.answer.keyVersion,
      random: fromHex(input.answer.random),
      onlineTtc: input.answer.onlineTtc,
      amountFen: input.amountFen,
      transType: input.transType,
      terminalId: fromHex(input.terminalId),
      date: fromHex(stamp.date),
      time: fromHex(stamp.time),
    }),
  );
  try {
    return await services.db.transaction(async (tx) => {
      const card = await readCard(tx, input.cardNo, true);
      await requireCardInScope(tx, principal, card);
      requireUsable(card, stamp.date, kind);
      if (input.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
      const previous = await settleFromCounter(tx, card, input.answer.onlineTtc, null);
      const { accountId, transferId } = await reserve(tx, card, input, services);
      const loadId = randomUUID();
      const inserted = await tx.query<LoadRow>(
        `INSERT INTO card_load (id, kind, card_no, online_ttc, amount_fen, trans_type, balance_fen_before, terminal_id, key_version, card_random,
           tx_date, tx_time, mac2, transfer_id, account_id, device_id, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'pending') RETURNING ${LOAD_COLUMNS}`,
        [loadId, kind, card.card_no, input.answer.onlineTtc, input.amountFen, input.transType, input.answer.balanceFen, input.terminalId, card.key_version,
          input.answer.random.toUpperCase(), stamp.date, stamp.time, toHex(mac2), transferId, accountId, deviceId],
      );
      await noteCounter(tx, card.card_no, input.answer.onlineTtc);
      const response: LoadInitialiseResponse = { load: loadView(inserted.rows[0]!), mac2: toHex(mac2), date: stamp.date, time: stamp.time, settledPrevious: previous && loadView(previous) };
      await recordOperation(tx, { id: request.operationId, deviceId, seq: null, type: `${kind}.initialise`, hash, status: 'applied', result: response });
      await appendAudit(tx, principal, { action: `${kind}.initialise`, subject: card.card_no, detail: { loadId, amountFen: input.amountFen, onlineTtc: input.answer.onlineTtc, account: input.account, settledPrevious: previous?.id ?? null } });
      return response;
    });
  } catch (error) {
    // Two sends of one operation at once: the loser finds the winner's record.
    if ((error as { code?: string }).code === '23505') {
      const winner = await replayOf(services.db, request.operationId, hash);
      if (winner) return winner.result as LoadInitialiseResponse;
    }
    throw error;
  }
}

async function readLoad(sql: Sql, loadId: string, lock: boolean): Promise<LoadRow> {
  const found = await sql.query<LoadRow>(`SELECT ${LOAD_COLUMNS} FROM card_load WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [loadId]);
  if (!found.rows[0]) throw new ApiError('LOAD_NOT_FOUND');
  return found.rows[0];
}

/** Load or unload complete inside `tx`: the card's TAC (or MAC3) verified → posted. Idempotent. */
export async function completeIn(tx: Sql, keys: KeyStore, principal: Principal, kind: OnlineKind, request: LoadCompleteRequest): Promise<LoadView> {
  const load = await readLoad(tx, request.loadId, false);
  if (load.kind !== kind) throw new ApiError('LOAD_NOT_FOUND');
  const card = await readCard(tx, load.card_no, true);
  await requireCardInScope(tx, principal, card);
  const current = await readLoad(tx, request.loadId, true);
  if (!(await verifyTac(keys, current, request.tac))) throw new ApiError('TAC_INVALID');
  if (current.state === 'voided') throw new ApiError('LOAD_ALREADY_VOIDED');
  if (current.state === 'posted') return loadView(current);
  const tac = request.tac.toUpperCase();
  const posted = await settle(tx, current, 'post', 'tac', tac);
  await noteCounter(tx, card.card_no, current.online_ttc + 1);
  await appendAudit(tx, principal, { action: `${kind}.complete`, subject: card.card_no, detail: { loadId: current.id, onlineTtc: current.online_ttc, tac } });
  return loadView(posted);
}

export function complete(services: Services, principal: Principal, kind: OnlineKind, request: LoadCompleteRequest): Promise<LoadView> {
  const keys = requireKeyStore(services);
  return services.db.transaction((tx) => completeIn(tx, keys, principal, kind, request));
}

/** Recovery inside `tx`, at the next contact with the card: settle its pending transaction from its counter. */
export async function recoverIn(tx: Sql, keys: KeyStore, principal: Principal, request: LoadRecoverRequest): Promise<LoadView | null> {
  requireTerminal(principal, request.probe.terminalId);
  const transType = request.probe.purse === 'EP' ? TRANS_TYPE.LOAD_EP : TRANS_TYPE.LOAD_ED;
  await verifyMac1(keys, { kind: 'load', cardNo: request.cardNo, amountFen: request.probe.amountFen, terminalId: request.probe.terminalId, transType, answer: request.probe.answer });
  const counter = request.probe.answer.onlineTtc;
  const card = await readCard(tx, request.cardNo, true);
  await requireCardInScope(tx, principal, card);
  if (request.probe.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
  const pending = await pendingLoadOf(tx, card.card_no);
  let proof: { tac: string; verified: boolean } | null = null;
  if (request.prove && pending && counter > pending.online_ttc) {
    if (!(await verifyTac(keys, pending, request.prove.tac))) throw new ApiError('TAC_INVALID');
    proof = { tac: request.prove.tac, verified: true };
  }
  const settled = await settleFromCounter(tx, card, counter, proof);
  await noteCounter(tx, card.card_no, counter);
  if (settled) {
    await appendAudit(tx, principal, { action: `${settled.kind}.recover`, subject: card.card_no, detail: { loadId: settled.id, counter, outcome: settled.state, settledBy: settled.settled_by } });
  }
  return settled && loadView(settled);
}

export function recover(services: Services, principal: Principal, request: LoadRecoverRequest): Promise<LoadView | null> {
  const keys = requireKeyStore(services);
  return services.db.transaction((tx) => recoverIn(tx, keys, principal, request));
}

/** The pending transactions of some cards (for a device's offline view). */
export async function pendingLoadsOf(sql: Sql, cardNos: readonly string[]): Promise<LoadView[]> {
  if (cardNos.length === 0) return [];
  const found = await sql.query<LoadRow>(`SELECT ${LOAD_COLUMNS} FROM card_load WHERE card_no = ANY($1::text[]) AND state = 'pending' ORDER BY card_no`, [cardNos]);
  return found.rows.map(loadView);
}
