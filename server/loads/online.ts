/**
 * The online purse transactions, load (圈存) and unload (圈提), host side
 * (docs/architecture.md decision 5, docs/ledger.md "A load, step by step"):
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
import { randomBytes, randomUUID } from 'node:crypto';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { Sql } from '../db/index.ts';
import type {
  InitializeAnswer,
  LoadCompleteRequest,
  LoadInitialiseRequest,
  LoadInitialiseResponse,
  LoadRecoverRequest,
  LoadView,
  OnlineBalances,
  UnloadInitialiseRequest,
} from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { planAudit } from '../audit/log.ts';
import { ACCOUNT_COLUMNS, availableFen, balanceFen, lockOwnedAccounts, type AccountRow, type OwnedAccount } from '../ledger/accounts.ts';
import { assertLedger, LedgerError } from '../ledger/errors.ts';
import { MONEY_ISOLATION } from '../ledger/isolation.ts';
import { planResolve, planTransfers, type TransferRow } from '../ledger/transfers.ts';
import { Statement } from '../db/compose.ts';
import type { KeyStore, OnlineKind } from '../keys/keystore.ts';
import { KeyStoreError } from '../keys/keystore.ts';
import type { Services } from '../http/services.ts';
import { replayOf, requestHash } from '../sync/records.ts';
import { chipAboveLedger, lockPurse, raiseChipAlarm, type ChipAlarm } from './chip-check.ts';
import { OWN_OUTLET_CARD_WORK } from '../auth/policy.ts';
import {
  chinaDateTime,
  purseMaxFen,
  readCard,
  readCardAndRecord,
  requireCardInScope,
  requireNoLossInEffect,
  requireUsable,
  type CardRow,
} from '../cards/card.ts';

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
  /** Drawn with the MAC2 (0006_probe_challenge_card_review.sql); a probe must carry it to void. */
  probe_challenge: string | null;
};
const LOAD_COLUMNS =
  'id, kind, card_no, online_ttc, amount_fen, trans_type, balance_fen_before, terminal_id, key_version, card_random, tx_date, tx_time, transfer_id, state, settled_by, tac, probe_challenge';
const LOAD_COLUMN_NAMES = LOAD_COLUMNS.split(', ') as (keyof LoadRow)[];

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
    probeChallenge: l.state === 'pending' ? l.probe_challenge : null,
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

/** The probe challenge's size: the terminal-id field of INITIALIZE FOR LOAD, which MAC1 covers. */
const PROBE_CHALLENGE_BYTES = 6;

type Probe = { kind: OnlineKind; cardNo: string; amountFen: number; terminalId: string; transType: number; answer: InitializeAnswer };

/** `sql`: the caller's connection, which the key store reads keys through (KeyStore). */
async function verifyMac1(sql: Sql, keys: KeyStore, p: Probe): Promise<void> {
  const ok = await crypto(() =>
    keys.verifyMac1(sql, {
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

async function verifyTac(sql: Sql, keys: KeyStore, l: LoadRow, tacHex: string): Promise<boolean> {
  const view = loadView(l);
  return crypto(() =>
    keys.verifyTac(sql, {
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

/**
 * A load row locked FOR UPDATE together with its transfer's row and that transfer's two accounts:
 * one statement, two result rows (one per account, in id order, which is the order they are
 * locked in: the ledger's lock order, after the card's lock the caller holds).
 */
type LockedLoad = LoadRow & { transfer: TransferRow; accounts: Map<bigint, AccountRow> };
const LOCKED_LOAD_SELECT = `SELECT ${LOAD_COLUMN_NAMES.map((c) => `l.${c}`).join(', ')},
  t.debit_account_id AS t_debit_account_id, t.credit_account_id AS t_credit_account_id, t.amount_fen AS t_amount_fen, t.state AS t_state,
  ${ACCOUNT_COLUMNS.split(', ')
    .map((c) => `a.${c} AS a_${c}`)
    .join(', ')}
  FROM card_load l JOIN transfer t ON t.id = l.transfer_id JOIN account a ON a.id IN (t.debit_account_id, t.credit_account_id)`;
type LockedLoadRow = LoadRow & { t_debit_account_id: bigint; t_credit_account_id: bigint; t_amount_fen: bigint; t_state: string } & {
  [K in keyof AccountRow as `a_${K}`]: AccountRow[K];
};

async function lockLoad(tx: Sql, where: string, param: string): Promise<LockedLoad | null> {
  const found = await tx.query<LockedLoadRow>(`${LOCKED_LOAD_SELECT} ${where} ORDER BY a.id FOR UPDATE`, [param]);
  const first = found.rows[0];
  if (!first) return null;
  assertLedger(found.rows.length === 2 && found.rows.every((r) => r.id === first.id), 'a load read with other than its two accounts');
  const accounts = new Map<bigint, AccountRow>(
    found.rows.map((r) => [
      r.a_id,
      {
        id: r.a_id,
        code: r.a_code,
        normal: r.a_normal,
        may_go_negative: r.a_may_go_negative,
        debits_posted: r.a_debits_posted,
        credits_posted: r.a_credits_posted,
        debits_pending: r.a_debits_pending,
        credits_pending: r.a_credits_pending,
      },
    ]),
  );
  const load = Object.fromEntries(LOAD_COLUMN_NAMES.map((c) => [c, first[c]])) as LoadRow;
  const transfer: TransferRow = {
    id: first.transfer_id,
    debit_account_id: first.t_debit_account_id,
    credit_account_id: first.t_credit_account_id,
    amount_fen: first.t_amount_fen,
    state: first.t_state,
  };
  return { ...load, transfer, accounts };
}

/**
 * Settles a locked pending load and its transfer in one statement: the transfer and its accounts,
 * the load's new state, the card (its pending pointer cleared; `counterSeen`, the online counter
 * this proves, noted) and, when given, the audit entry that records it.
 */
async function settle(
  tx: Sql,
  load: LockedLoad,
  outcome: 'post' | 'void',
  how: {
    settledBy: NonNullable<LoadView['settledBy']>;
    tac: string | null;
    counterSeen: number | null;
    audit?: { principal: Principal; action: string; detail: Record<string, unknown> };
  },
): Promise<LoadRow> {
  const st = new Statement();
  planResolve(st, load.transfer, load.accounts, outcome);
  const id = st.param(load.id);
  const cardNo = st.param(load.card_no);
  const seen = st.param(how.counterSeen);
  st.claim(`card:${load.card_no}`);
  st.cte(
    'card_seen',
    `UPDATE card SET online_ttc_seen = CASE WHEN ${seen}::integer IS NULL THEN online_ttc_seen ELSE GREATEST(coalesce(online_ttc_seen, 0), ${seen}::integer) END,
       pending_load_id = CASE WHEN pending_load_id = ${id}::uuid THEN NULL ELSE pending_load_id END
     WHERE card_no = ${cardNo}::text`,
  );
  const settled = st.cte(
    'settled',
    `UPDATE card_load SET state = ${st.param(outcome === 'post' ? 'posted' : 'voided')}, settled_by = ${st.param(how.settledBy)}, tac = ${st.param(how.tac)}, settled_at = now()
      WHERE id = ${id}::uuid AND state = 'pending' RETURNING ${LOAD_COLUMNS}`,
  );
  if (how.audit) planAudit(st, how.audit.principal, { action: how.audit.action, subject: load.card_no, detail: how.audit.detail });
  const updated = await st.run<LoadRow>(tx, `SELECT * FROM ${settled}`);
  if (updated.rows.length !== 1) throw new Error('assertion: a pending load settled twice');
  return updated.rows[0]!;
}

/**
 * The card's pending load, locked; call only with the card's row locked (the lock makes the
 * answer current). The card's pointer (0006) says whether to look: no pointer, no pending load.
 */
async function pendingLoadOf(tx: Sql, card: CardRow): Promise<LockedLoad | null> {
  if (card.pending_load_id === null) return null;
  return lockLoad(tx, "WHERE l.card_no = $1 AND l.state = 'pending'", card.card_no);
}

/**
 * Why a void needs the challenge. "The counter did not move" proves a load did not happen only if
 * the card said so AFTER the server gave out the load's MAC2: an INITIALIZE answer taken at the
 * pending counter before CREDIT FOR LOAD (the load's own answer, or one taken just before it)
 * shows the same counter while the card goes on to take the money. So the server draws six random
 * bytes with each MAC2 (`probe_challenge`) and voids only on a probe whose MAC1 covers them: the
 * probe's INITIALIZE FOR LOAD carries them in its terminal-id field, which MAC1 covers (with the
 * balance, amount and type) under a session key of the card's own fresh random and counter. Such
 * an answer was made after the challenge existed, so after the MAC2. And once the card answered a
 * later INITIALIZE, the MAC2 is dead: CREDIT FOR LOAD (or DEBIT FOR UNLOAD) is checked under the
 * session key of the card's latest INITIALIZE, whose random the MAC2 was not made for. So a fresh
 * probe at the pending counter shows a transaction that did not happen and never can; one at a
 * later counter shows it happened. Nothing else, and never a timer, voids a pending transaction.
 * (This leans on the card drawing a fresh random for every INITIALIZE, as PBOC cards do.)
 *
 * The terminal-id field of a probe commits nothing: a card keeps it only for the CREDIT that
 * follows, and a probe is never followed by one. The challenge is not secret; its worth is that
 * nobody knew it before the MAC2 was given out, which is why it is drawn then and not earlier.
 */
function isFreshProbe(pending: LockedLoad, probe: { loadId: string | undefined; terminalId: string; answer: InitializeAnswer }): boolean {
  return (
    probe.loadId === pending.id &&
    pending.probe_challenge !== null &&
    probe.terminalId.toUpperCase() === pending.probe_challenge &&
    // Belt and braces: the load's own answer is never its proof of absence.
    probe.answer.random.toUpperCase() !== pending.card_random
  );
}

/**
 * Settles the card's pending transaction from an authenticated counter: moved on → it happened
 * (posted; with a verified TAC when one is given), unchanged → it did not (voided), but only on a
 * fresh probe (`unchanged: 'void'`, see isFreshProbe). Otherwise an unchanged counter refuses with
 * `unchanged`'s code and changes nothing: an initialise at the pending counter (LOAD_PENDING: a
 * late copy of the initialise, or the card brought back before its recovery) or a stale probe.
 */
function settleFromCounter(
  tx: Sql,
  card: CardRow,
  pending: LockedLoad | null,
  counter: number,
  how: {
    proof: { tac: string; verified: boolean } | null;
    unchanged: 'void' | 'LOAD_PENDING' | 'PROBE_NOT_FRESH';
    counterSeen: number | null;
    audit?: { principal: Principal; action: string };
  },
): Promise<LoadRow> | null {
  if (card.online_ttc_seen !== null && counter < card.online_ttc_seen) throw new ApiError('COUNTER_STALE');
  if (pending === null) return null;
  if (counter < pending.online_ttc) throw new ApiError('COUNTER_STALE');
  const audit = (outcome: 'posted' | 'voided', settledBy: NonNullable<LoadView['settledBy']>) =>
    how.audit && { principal: how.audit.principal, action: how.audit.action, detail: { loadId: pending.id, counter, outcome, settledBy } };
  if (counter === pending.online_ttc) {
    if (how.unchanged !== 'void') throw new ApiError(how.unchanged);
    return settle(tx, pending, 'void', {
      settledBy: 'counter_unchanged',
      tac: null,
      counterSeen: how.counterSeen,
      audit: audit('voided', 'counter_unchanged'),
    });
  }
  if (how.proof?.verified)
    return settle(tx, pending, 'post', {
      settledBy: 'prove',
      tac: how.proof.tac.toUpperCase(),
      counterSeen: how.counterSeen,
      audit: audit('posted', 'prove'),
    });
  return settle(tx, pending, 'post', {
    settledBy: 'counter_advanced',
    tac: null,
    counterSeen: how.counterSeen,
    audit: audit('posted', 'counter_advanced'),
  });
}

async function noteCounter(tx: Sql, cardNo: string, counter: number): Promise<void> {
  await tx.query('UPDATE card SET online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $2) WHERE card_no = $1', [cardNo, counter]);
}

type CustomerAccountCode = 'QUOTA' | 'RESERVE';

/**
 * The account a card's loads come from, by its place in its customer (docs/ledger.md "Postings"):
 * a single-user card's customer's QUOTA; every card of a multi-user customer (main or sub) its own
 * RESERVE, which the unit pre-allocates to. A load that names no source account takes this one.
 */
export function loadSourceAccountOf(role: CardRow['role']): CustomerAccountCode {
  return role === 'single' ? 'QUOTA' : 'RESERVE';
}

/**
 * The account money comes from (load) or goes to (unload), by the card's place in its customer:
 * `asked` when the request names one (refused with SOURCE_ACCOUNT_INVALID when the card may not
 * use it), otherwise the one its loads come from. An unload always names its destination (the
 * contract requires it): a unit card may unload to its reserve or to the unit's quota.
 */
function customerAccount(
  card: CardRow,
  asked: CustomerAccountCode | undefined,
  kind: OnlineKind,
): OwnedAccount & { code: CustomerAccountCode } {
  if (card.customer_id === null) throw new ApiError('SOURCE_ACCOUNT_INVALID');
  const code = asked ?? loadSourceAccountOf(card.role);
  const allowed = card.role === 'single' ? code === 'QUOTA' : kind === 'load' ? code === 'RESERVE' : true;
  if (!allowed) throw new ApiError('SOURCE_ACCOUNT_INVALID');
  if (code === 'QUOTA') return { code: 'QUOTA', owner: { kind: 'customer', customerId: card.customer_id } };
  return { code: 'RESERVE', owner: { kind: 'card', cardNo: card.card_no, customerId: card.customer_id } };
}

type InitInput = {
  kind: OnlineKind;
  operationId: string;
  cardNo: string;
  amountFen: number;
  /** As the request named it; a load may leave it out (customerAccount picks the card's). */
  account: CustomerAccountCode | undefined;
  terminalId: string;
  transType: number;
  answer: InitializeAnswer;
};

function toInitInput(kind: OnlineKind, r: LoadInitialiseRequest | UnloadInitialiseRequest): InitInput {
  const transType = kind === 'unload' ? TRANS_TYPE.UNLOAD : 'purse' in r && r.purse === 'EP' ? TRANS_TYPE.LOAD_EP : TRANS_TYPE.LOAD_ED;
  // An unload always names its destination; a load's source account is optional.
  const account = 'destinationAccount' in r ? r.destinationAccount : r.sourceAccount;
  return {
    kind,
    operationId: r.operationId,
    cardNo: r.cardNo,
    amountFen: r.amountFen,
    account,
    terminalId: r.terminalId.toUpperCase(),
    transType,
    answer: r.card,
  };
}

/**
 * The balances once the card takes the transaction (OnlineBalances): `account` as it stands with
 * this transaction reserved (a load's debit already held back; an unload's credit not yet
 * available), `purseBefore` as read before it was planned.
 */
function balancesOnceTaken(
  kind: OnlineKind,
  code: CustomerAccountCode,
  account: AccountRow,
  purseBefore: AccountRow,
  amountFen: number,
): OnlineBalances {
  const amount = BigInt(amountFen);
  const available = kind === 'load' ? availableFen(account) : availableFen(account) + amount;
  const purse = kind === 'load' ? balanceFen(purseBefore) + amount : balanceFen(purseBefore) - amount;
  return { account: code, accountAvailableFen: Number(available), purseMirrorFen: Number(purse) };
}

/**
 * The pending transfer of an initialise, added to `st`: the customer's account and the card's
 * purse found (opened if need be) and locked in one statement, then checked and written with the
 * rest of the phase. Returns the customer account's id and code, the transfer's id, the purse as
 * read, and the balances once the card takes the transaction.
 */
async function reserve(
  tx: Sql,
  st: Statement,
  card: CardRow,
  i: InitInput,
  services: Services,
): Promise<{ accountId: bigint; accountCode: CustomerAccountCode; transferId: string; purse: AccountRow; balances: OnlineBalances }> {
  const customer = customerAccount(card, i.account, i.kind);
  if (i.kind === 'load' && i.answer.balanceFen + i.amountFen > purseMaxFen(card, services)) throw new ApiError('PURSE_LIMIT_EXCEEDED');
  if (i.kind === 'unload' && i.amountFen > i.answer.balanceFen) throw new ApiError('INSUFFICIENT_FUNDS');
  const [account, purse] = await lockOwnedAccounts(tx, [
    customer,
    { code: 'PURSE', owner: { kind: 'card', cardNo: card.card_no, customerId: card.customer_id } },
  ]);
  // As read, before this transfer is planned (planning moves the figures): the chip's MAC1 balance predates it.
  const purseBefore = { ...purse! };
  const accountId = account!.id;
  const [debit, credit] = i.kind === 'load' ? [accountId, purse!.id] : [purse!.id, accountId];
  const locked = new Map([account!, purse!].map((a) => [a.id, a]));
  try {
    const [transferId] = planTransfers(st, locked, [
      {
        debitAccountId: debit,
        creditAccountId: credit,
        amountFen: BigInt(i.amountFen),
        code: i.kind === 'load' ? 'LOAD' : 'UNLOAD',
        pending: true,
      },
    ]);
    // planTransfers moved the locked rows' figures: `account` now holds this transfer as pending.
    const balances = balancesOnceTaken(i.kind, customer.code, locked.get(accountId)!, purseBefore, i.amountFen);
    return { accountId, accountCode: customer.code, transferId: transferId!, purse: purseBefore, balances };
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CREDITS') throw new ApiError('INSUFFICIENT_FUNDS');
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CEILING') throw new ApiError('ACCOUNT_CEILING_EXCEEDED');
    throw error;
  }
}

type Initialised = {
  input: InitInput;
  deviceId: string;
  hash: string;
  stamp: { date: string; time: string };
  mac2: string;
  probeChallenge: string;
};

/**
 * The database half of an initialise: card locked (with the operation's record, if it was
 * applied before) → an older pending load settled → checks → the pending transfer, the load row,
 * the card's counter and pointer, the operation record and the audit entry in one statement.
 * Three round trips on the usual path, where there were eleven.
 */
async function initialiseIn(
  tx: Sql,
  services: Services,
  principal: Principal,
  i: Initialised,
): Promise<LoadInitialiseResponse | { alarm: ChipAlarm }> {
  const { input, stamp } = i;
  const card = await readCardAndRecord(tx, principal, input.cardNo, input.operationId);
  if (card.record) {
    if (card.record.request_hash !== i.hash) throw new ApiError('IDEMPOTENCY_CONFLICT');
    return card.record.result as LoadInitialiseResponse;
  }
  requireCardInScope(card);
  // A load anywhere; an unload (money back to the account) only at the customer's own outlet (auth/policy.ts).
  if (OWN_OUTLET_CARD_WORK.has(input.kind) && card.customer_org_unit_id !== principal.orgUnitId)
    throw new ApiError('CUSTOMER_OTHER_OUTLET');
  requireUsable(card, stamp.date, input.kind);
  requireNoLossInEffect(card, services.now());
  if (input.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
  const previous = await settleFromCounter(tx, card, await pendingLoadOf(tx, card), input.answer.onlineTtc, {
    proof: null,
    unchanged: 'LOAD_PENDING',
    counterSeen: null,
  });
  const st = new Statement();
  const { accountId, accountCode, transferId, purse, balances } = await reserve(tx, st, card, input, services);
  // The chip's balance, under MAC1, against what the ledger gave the card: the alarm is kept
  // (this transaction commits it) and the initialise refused (the caller throws).
  const alarm = await chipAboveLedger(tx, card.card_no, purse, input.answer);
  if (alarm) {
    await raiseChipAlarm(tx, principal, card.card_no, alarm);
    return { alarm };
  }
  const load: LoadRow = {
    id: randomUUID(),
    kind: input.kind,
    card_no: card.card_no,
    online_ttc: input.answer.onlineTtc,
    amount_fen: BigInt(input.amountFen),
    trans_type: input.transType,
    balance_fen_before: BigInt(input.answer.balanceFen),
    terminal_id: input.terminalId,
    key_version: card.key_version,
    card_random: input.answer.random.toUpperCase(),
    tx_date: stamp.date,
    tx_time: stamp.time,
    transfer_id: transferId,
    state: 'pending',
    settled_by: null,
    tac: null,
    probe_challenge: i.probeChallenge,
  };
  const response: LoadInitialiseResponse = {
    load: loadView(load),
    balances,
    mac2: i.mac2,
    date: stamp.date,
    time: stamp.time,
    settledPrevious: previous && loadView(previous),
  };
  const [id, cardNo, ttc, deviceId] = [st.param(load.id), st.param(load.card_no), st.param(load.online_ttc), st.param(i.deviceId)];
  st.cte(
    'load_row',
    `INSERT INTO card_load (id, kind, card_no, online_ttc, amount_fen, trans_type, balance_fen_before, terminal_id, key_version, card_random,
       tx_date, tx_time, mac2, transfer_id, account_id, device_id, state, probe_challenge)
     VALUES (${id}::uuid, ${st.param(load.kind)}, ${cardNo}::text, ${ttc}::integer, ${st.param(input.amountFen)}, ${st.param(load.trans_type)}, ${st.param(input.answer.balanceFen)},
       ${st.param(load.terminal_id)}, ${st.param(load.key_version)}, ${st.param(load.card_random)}, ${st.param(load.tx_date)}, ${st.param(load.tx_time)}, ${st.param(i.mac2)},
       ${st.param(transferId)}::uuid, ${st.param(String(accountId))}::bigint, ${deviceId}::text, 'pending', ${st.param(i.probeChallenge)}::text)`,
  );
  st.claim(`card:${card.card_no}`);
  st.cte(
    'card_seen',
    `UPDATE card SET online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), ${ttc}::integer), pending_load_id = ${id}::uuid WHERE card_no = ${cardNo}::text`,
  );
  // The operation record, as recordOperation writes it.
  st.cte(
    'recorded',
    `INSERT INTO operation (id, device_id, seq, type, request_hash, status, result)
     VALUES (${st.param(input.operationId)}::uuid, ${deviceId}::text, NULL, ${st.param(`${input.kind}.initialise`)}, ${st.param(i.hash)}, 'applied', ${st.param(JSON.stringify(response))}::jsonb)`,
  );
  planAudit(st, principal, {
    action: `${input.kind}.initialise`,
    subject: card.card_no,
    detail: {
      loadId: load.id,
      amountFen: input.amountFen,
      onlineTtc: input.answer.onlineTtc,
      account: accountCode,
      settledPrevious: previous?.id ?? null,
    },
  });
  await st.run(tx);
  return response;
}

/**
 * Load or unload initialise: MAC1 → checks → pending transfer → MAC2. Exactly once by operation
 * id: a send seen before gets its first answer (found under the card's lock, with the card).
 */
export async function initialise(
  services: Services,
  principal: Principal,
  kind: OnlineKind,
  request: LoadInitialiseRequest | UnloadInitialiseRequest,
): Promise<LoadInitialiseResponse> {
  const keys = requireKeyStore(services);
  const hash = requestHash(`${kind}.initialise`, request);
  const deviceId = requireTerminal(principal, request.terminalId);
  const input = toInitInput(kind, request);
  try {
    await verifyMac1(services.db, keys, input);
  } catch (error) {
    // An operation id already used for another request is that conflict, whatever else is wrong.
    if (error instanceof ApiError) await replayOf(services.db, deviceId, request.operationId, hash);
    throw error;
  }
  const stamp = chinaDateTime(services.now());
  const mac2 = await crypto(() =>
    keys.mac2(services.db, {
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
  // Drawn now, with the MAC2 and after the card's answer reached the server (see isFreshProbe).
  const probeChallenge = toHex(randomBytes(PROBE_CHALLENGE_BYTES)).toUpperCase();
  let result: LoadInitialiseResponse | { alarm: ChipAlarm };
  try {
    result = await services.db.transaction(
      (tx) => initialiseIn(tx, services, principal, { input, deviceId, hash, stamp, mac2: toHex(mac2), probeChallenge }),
      { isolation: MONEY_ISOLATION },
    );
  } catch (error) {
    // Two sends of one operation at once: the loser waited for the card's lock, then met the
    // winner's record (23505) or the winner's pending load (LOAD_PENDING); it answers as the winner did.
    const code = error instanceof ApiError ? error.code : (error as { code?: string }).code;
    if (code === '23505' || code === 'LOAD_PENDING') {
      const winner = await replayOf(services.db, deviceId, request.operationId, hash);
      if (winner) return winner.result as LoadInitialiseResponse;
    }
    throw error;
  }
  if ('alarm' in result) throw new ApiError('CARD_UNDER_REVIEW');
  return result;
}

/** Load or unload complete inside `tx`: the card's TAC (or MAC3) verified → posted. Idempotent. */
export async function completeIn(
  tx: Sql,
  keys: KeyStore,
  principal: Principal,
  kind: OnlineKind,
  request: LoadCompleteRequest,
): Promise<LoadView> {
  // The card first (found through the load, and locked): everything of one card happens under its lock.
  const card = await readCard(tx, principal, { loadId: request.loadId }, true);
  requireCardInScope(card);
  const current = await lockLoad(tx, 'WHERE l.id = $1', request.loadId);
  if (!current || current.kind !== kind) throw new ApiError('LOAD_NOT_FOUND');
  if (!(await verifyTac(tx, keys, current, request.tac))) throw new ApiError('TAC_INVALID');
  if (current.state === 'voided') throw new ApiError('LOAD_ALREADY_VOIDED');
  if (current.state === 'posted') return loadView(current);
  const tac = request.tac.toUpperCase();
  const posted = await settle(tx, current, 'post', {
    settledBy: 'tac',
    tac,
    counterSeen: current.online_ttc + 1,
    audit: { principal, action: `${kind}.complete`, detail: { loadId: current.id, onlineTtc: current.online_ttc, tac } },
  });
  return loadView(posted);
}

export function complete(services: Services, principal: Principal, kind: OnlineKind, request: LoadCompleteRequest): Promise<LoadView> {
  const keys = requireKeyStore(services);
  return services.db.transaction((tx) => completeIn(tx, keys, principal, kind, request), { isolation: MONEY_ISOLATION });
}

/**
 * Recovery inside `tx`, at the next contact with the card: settle its pending transaction from its
 * counter. A void needs a fresh probe (isFreshProbe): the recovery names the load and its probe
 * carries the load's challenge. The probe's terminal id is the device's own or that challenge.
 * The chip's balance is checked against the ledger after the settlement (chip-check.ts).
 */
export async function recoverIn(tx: Sql, keys: KeyStore, principal: Principal, request: LoadRecoverRequest): Promise<LoadView | null> {
  if (principal.deviceId === null || principal.terminalId === null) throw new ApiError('DEVICE_REQUIRED');
  const transType = request.probe.purse === 'EP' ? TRANS_TYPE.LOAD_EP : TRANS_TYPE.LOAD_ED;
  await verifyMac1(tx, keys, {
    kind: 'load',
    cardNo: request.cardNo,
    amountFen: request.probe.amountFen,
    terminalId: request.probe.terminalId,
    transType,
    answer: request.probe.answer,
  });
  const counter = request.probe.answer.onlineTtc;
  const card = await readCard(tx, principal, { cardNo: request.cardNo }, true);
  requireCardInScope(card);
  if (request.probe.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
  const pending = await pendingLoadOf(tx, card);
  // A recovery names the load it was made for; one for a load already settled changes nothing
  // (it may be a late copy, older than a newer load now pending at the same counter).
  if (request.loadId !== undefined && pending?.id !== request.loadId) return null;
  const probeTerminal = request.probe.terminalId.toUpperCase();
  if (probeTerminal !== principal.terminalId && probeTerminal !== pending?.probe_challenge) throw new ApiError('TERMINAL_MISMATCH');
  let proof: { tac: string; verified: boolean } | null = null;
  if (request.prove && pending && counter > pending.online_ttc) {
    if (!(await verifyTac(tx, keys, pending, request.prove.tac))) throw new ApiError('TAC_INVALID');
    proof = { tac: request.prove.tac, verified: true };
  }
  const fresh =
    pending !== null && isFreshProbe(pending, { loadId: request.loadId, terminalId: probeTerminal, answer: request.probe.answer });
  const settled = await settleFromCounter(tx, card, pending, counter, {
    proof,
    unchanged: fresh ? 'void' : 'PROBE_NOT_FRESH',
    counterSeen: counter,
    audit: pending ? { principal, action: `${pending.kind}.recover` } : undefined,
  });
  if (!settled) await noteCounter(tx, card.card_no, counter);
  const alarm = card.customer_id === null ? null : await chipAboveLedger(tx, card.card_no, await lockPurse(tx, card), request.probe.answer);
  if (alarm) await raiseChipAlarm(tx, principal, card.card_no, alarm);
  return settled && loadView(settled);
}

export function recover(services: Services, principal: Principal, request: LoadRecoverRequest): Promise<LoadView | null> {
  const keys = requireKeyStore(services);
  return services.db.transaction((tx) => recoverIn(tx, keys, principal, request), { isolation: MONEY_ISOLATION });
}

/** The pending transactions of some cards (for a device's offline view). */
export async function pendingLoadsOf(sql: Sql, cardNos: readonly string[]): Promise<LoadView[]> {
  if (cardNos.length === 0) return [];
  const found = await sql.query<LoadRow>(
    `SELECT ${LOAD_COLUMNS} FROM card_load WHERE card_no = ANY($1::text[]) AND state = 'pending' ORDER BY card_no`,
    [cardNos],
  );
  return found.rows.map(loadView);
}
