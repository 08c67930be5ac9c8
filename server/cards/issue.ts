/**
 * Opening an account and issuing a card (开户发卡), host side (docs/domain.md "Issuing a card",
 * docs/ledger.md "Postings"). A stock card from the personalisation bureau already holds its keys
 * and EF15; the outlet binds it to a customer:
 *
 * - start: the card (locked) is a stock user card; the customer is of the operator's own outlet; a
 *   sub card's main card is an active main card of that customer; the holder fields are fixed; the
 *   card fee is posted once (CASH drawer → FEE_INCOME, CARD_FEE). A second start for a card whose
 *   issuance is started answers that issuance: no second fee.
 * - write: the secure UPDATE BINARY of EF16 (holder) or EF1B byte 0 (PIN mode 01), built here from
 *   the record for the card's challenge and MACed in the key store: the client never chooses what
 *   is written, and no key leaves the server.
 * - complete: the client's read-back of EF16 and EF1B[0], and an INITIALIZE FOR LOAD probe whose
 *   terminal id is the challenge drawn with the last write. The probe's MAC1 proves the genuine
 *   card (its DLK, diversified from this card number) answered after that write was authorised,
 *   with an empty purse at the counter it shows. The read-back itself is the client's word: READ
 *   BINARY carries no MAC. What a lying client gains is a chip whose holder file is wrong; no money
 *   moves on it, the server's record is the card's truth, and the next reading shows it. Then the
 *   card is active with its customer, role and accounts, audited.
 * - cancel (a supervisor, with a reason): the fee is given back by the reversing transfer.
 *
 * Every operation is exactly once by its operation id (the first answer is replayed) and runs
 * under the card's row lock, so two tablets issuing one card queue.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import { encodeEf16 } from '../../ccid/fuelcard/files.ts';
import { SFI } from '../../ccid/fuelcard/spec.ts';
import type { Sql } from '../db/index.ts';
import type {
  IssueCancelRequest,
  IssueCompleteRequest,
  IssueHolder,
  IssueStartRequest,
  IssueView,
  IssueWriteRequest,
  IssueWriteResponse,
} from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { createTransfers } from '../ledger/transfers.ts';
import { MONEY_ISOLATION } from '../ledger/isolation.ts';
import { LedgerError } from '../ledger/errors.ts';
import { KeyStoreError } from '../keys/keystore.ts';
import type { Services } from '../http/services.ts';
import { recordOperation, replayOf, requestHash } from '../sync/records.ts';
import { chinaDateTime, readCard, type CardRow } from './card.ts';
import { requireKeyStore } from '../loads/online.ts';
import { drawerAccount, lateCashAccount, recordLateItem } from '../shifts/drawer.ts';

type IssueRow = {
  id: string;
  card_no: string;
  customer_id: bigint;
  role: 'single' | 'main' | 'sub';
  main_card_no: string | null;
  holder_flag: number;
  holder_name: string;
  id_type: number;
  id_number: string;
  fee_fen: bigint;
  fee_transfer_id: string | null;
  state: 'started' | 'done' | 'cancelled';
  org_unit_id: bigint;
  probe_challenge: string | null;
  probe_write: string | null;
};
const ISSUE_COLUMNS =
  'id, card_no, customer_id, role, main_card_no, holder_flag, holder_name, id_type, id_number, fee_fen, fee_transfer_id, state, org_unit_id, probe_challenge, probe_write';

/** Not an employee card (EF16 byte 1; 0 marks an employee's, S2). */
const EMPLOYEE_FLAG_CUSTOMER = 1;
/** EF1B byte 0 once the customer chose a PIN: terminals ask for it (docs/card-protocol.md §3.3). */
export const PIN_MODE_CUSTOMER = 0x01;
/** How long an issued card runs when its stock row names no expiry. */
const CARD_LIFE_YEARS = 10;
/** The probe's terminal id: six random bytes, as a load's probe challenge (server/loads/online.ts). */
const PROBE_CHALLENGE_BYTES = 6;

function ef16Of(row: Pick<IssueRow, 'holder_flag' | 'holder_name' | 'id_type' | 'id_number'>): Uint8Array {
  return encodeEf16({
    holderFlag: row.holder_flag,
    employeeFlag: EMPLOYEE_FLAG_CUSTOMER,
    holderName: row.holder_name,
    idNumber: row.id_number,
    idType: row.id_type,
  });
}

function viewOf(row: IssueRow, expiresOn: string | null): IssueView {
  return {
    issueId: row.id,
    cardNo: row.card_no,
    customerId: String(row.customer_id),
    role: row.role,
    mainCardNo: row.main_card_no,
    holderFlag: row.holder_flag,
    holder: { name: row.holder_name, idType: row.id_type, idNumber: row.id_number },
    ef16: toHex(ef16Of(row)).toUpperCase(),
    feeFen: Number(row.fee_fen),
    state: row.state,
    expiresOn,
  };
}

/**
 * Whether this stock card may be issued here by `principal`: today, that it is in stock. The
 * stock-in and requisition of cards (a location per stock card) adds its check here, in this one
 * place: a card issued only where it lies.
 */
export async function requireIssuableAt(tx: Sql, card: CardRow, principal: Principal): Promise<void> {
  if (card.state !== 'stock') throw new ApiError('ISSUE_CARD_NOT_IN_STOCK');
  // A stock card is issued where it is held: requisitioned down to this outlet (server/stock/).
  const held = await tx.query<{ stock_unit_id: bigint | null }>('SELECT stock_unit_id FROM card WHERE card_no = $1', [card.card_no]);
  if (held.rows[0]?.stock_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_CARD_NOT_AT_OUTLET');
  // A stock card initialised as anonymous (server/cards/anonymous.ts) is sold as one, not issued.
  const anonymous = await tx.query('SELECT 1 FROM anonymous_card WHERE card_no = $1', [card.card_no]);
  if (anonymous.rows.length > 0) throw new ApiError('ISSUE_CARD_NOT_IN_STOCK');
}

/** The card fee is cash into the drawer of the operator's open shift (SHIFT_NOT_OPEN without one). */
function feeDrawerAccount(tx: Sql, principal: Principal): Promise<bigint> {
  return drawerAccount(tx, principal);
}

type CustomerRow = {
  id: bigint;
  kind: 'personal' | 'unit';
  name: string;
  id_doc_type: string | null;
  id_doc_no: string | null;
  org_unit_id: bigint;
};

/** A personal customer's card carries the customer's own name and document (EF16 id type 1: resident ID, else 4: other). */
function personalHolder(c: CustomerRow): IssueHolder {
  return { name: c.name, idType: c.id_doc_type === 'resident_id' ? 1 : 4, idNumber: c.id_doc_no ?? '' };
}

function holderOf(customer: CustomerRow, asked: IssueHolder | undefined): IssueHolder {
  if (customer.kind === 'unit') {
    if (!asked) throw new ApiError('ISSUE_HOLDER_INVALID', "a unit's card names its holder (driver) on the form");
    return asked;
  }
  const own = personalHolder(customer);
  if (asked && (asked.name !== own.name || asked.idType !== own.idType || asked.idNumber !== own.idNumber))
    throw new ApiError('ISSUE_HOLDER_INVALID');
  return own;
}

async function checkRole(tx: Sql, customer: CustomerRow, r: IssueStartRequest): Promise<void> {
  if (customer.kind === 'personal' && r.role !== 'single') throw new ApiError('ISSUE_ROLE_INVALID');
  if (r.role !== 'sub') {
    if (r.mainCardNo !== undefined) throw new ApiError('ISSUE_MAIN_CARD_INVALID');
    if (r.role === 'main') {
      const main = await tx.query("SELECT 1 FROM card WHERE customer_id = $1 AND role = 'main' AND state = 'active'", [customer.id]);
      if (main.rows.length > 0) throw new ApiError('ISSUE_MAIN_CARD_INVALID', 'the customer has a main card already');
    }
    return;
  }
  if (r.mainCardNo === undefined || r.mainCardNo === r.cardNo) throw new ApiError('ISSUE_MAIN_CARD_INVALID');
  const main = await tx.query<{ customer_id: bigint | null; role: string; state: string }>(
    'SELECT customer_id, role, state FROM card WHERE card_no = $1',
    [r.mainCardNo],
  );
  const m = main.rows[0];
  if (!m || m.customer_id !== customer.id || m.role !== 'main' || m.state !== 'active') throw new ApiError('ISSUE_MAIN_CARD_INVALID');
}

async function startedIssueOf(tx: Sql, cardNo: string): Promise<IssueRow | null> {
  const found = await tx.query<IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM card_issue WHERE card_no = $1 AND state = 'started'`, [cardNo]);
  return found.rows[0] ?? null;
}

/** Runs `work` exactly once by operation id: a request seen before answers its first answer. */
async function once<T>(
  services: Services,
  principal: Principal,
  type: string,
  operationId: string,
  request: unknown,
  work: (tx: Sql) => Promise<T>,
): Promise<T> {
  const hash = requestHash(type, request);
  const run = () =>
    services.db.transaction(
      async (tx) => {
        const seen = await replayOf(tx, principal.deviceId, operationId, hash);
        if (seen) return seen.result as T;
        const result = await work(tx);
        await recordOperation(tx, { id: operationId, deviceId: principal.deviceId, seq: null, type, hash, status: 'applied', result });
        return result;
      },
      { isolation: MONEY_ISOLATION },
    );
  try {
    return await run();
  } catch (error) {
    // Two sends of one operation at once: the loser met the winner's record and answers as it did.
    if ((error as { code?: string }).code === '23505') {
      const winner = await replayOf(services.db, principal.deviceId, operationId, hash);
      if (winner) return winner.result as T;
    }
    throw error;
  }
}

export function startIssue(services: Services, principal: Principal, r: IssueStartRequest): Promise<IssueView> {
  return once(services, principal, 'card.issue.start', r.operationId, r, async (tx) => {
    const card = await readCard(tx, principal, { cardNo: r.cardNo }, true);
    if (card.card_type !== 'user') throw new ApiError('ISSUE_CARD_TYPE_INVALID');
    const started = await startedIssueOf(tx, card.card_no);
    if (started) {
      // The same issuance asked again (a tablet resuming after the card was pulled): no second fee.
      const same =
        String(started.customer_id) === r.customerId && started.role === r.role && started.main_card_no === (r.mainCardNo ?? null);
      if (!same) throw new ApiError('ISSUE_IN_PROGRESS');
      if (started.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_OTHER_OUTLET');
      return viewOf(started, null);
    }
    if (card.state !== 'stock') throw new ApiError('ISSUE_CARD_NOT_IN_STOCK');
    const found = await tx.query<CustomerRow>('SELECT id, kind, name, id_doc_type, id_doc_no, org_unit_id FROM customer WHERE id = $1', [
      r.customerId,
    ]);
    const customer = found.rows[0];
    if (!customer) throw new ApiError('CUSTOMER_NOT_FOUND');
    if (customer.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_OTHER_OUTLET');
    await requireIssuableAt(tx, card, principal);
    await checkRole(tx, customer, r);
    const holder = holderOf(customer, r.holder);
    const row: IssueRow = {
      id: randomUUID(),
      card_no: card.card_no,
      customer_id: customer.id,
      role: r.role,
      main_card_no: r.mainCardNo ?? null,
      holder_flag: r.role === 'single' ? 1 : 2,
      holder_name: holder.name,
      id_type: holder.idType,
      id_number: holder.idNumber,
      fee_fen: BigInt(r.feeFen),
      fee_transfer_id: null,
      state: 'started',
      org_unit_id: principal.orgUnitId,
      probe_challenge: null,
      probe_write: null,
    };
    try {
      ef16Of(row); // the name must fit 20 GBK bytes
    } catch {
      throw new ApiError('ISSUE_HOLDER_INVALID');
    }
    if (r.feeFen > 0) {
      const drawer = await feeDrawerAccount(tx, principal);
      const income = await ensureAccount(tx, 'FEE_INCOME', { kind: 'org', orgUnitId: principal.orgUnitId });
      const [transferId] = await createTransfers(tx, [
        { debitAccountId: drawer, creditAccountId: income, amountFen: row.fee_fen, code: 'CARD_FEE' },
      ]);
      row.fee_transfer_id = transferId!;
    }
    await tx.query(
      `INSERT INTO card_issue (id, card_no, customer_id, role, main_card_no, holder_flag, holder_name, id_type, id_number, fee_fen,
         fee_transfer_id, state, operator_id, device_id, org_unit_id, start_operation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'started', $12, $13, $14, $15)`,
      [
        row.id,
        row.card_no,
        row.customer_id,
        row.role,
        row.main_card_no,
        row.holder_flag,
        row.holder_name,
        row.id_type,
        row.id_number,
        String(row.fee_fen),
        row.fee_transfer_id,
        principal.operatorId,
        principal.deviceId,
        row.org_unit_id,
        r.operationId,
      ],
    );
    await appendAudit(tx, principal, {
      action: 'card.issue.start',
      subject: card.card_no,
      detail: { issueId: row.id, customerId: r.customerId, role: r.role, mainCardNo: row.main_card_no, feeFen: r.feeFen },
    });
    return viewOf(row, null);
  });
}

/** The issuance and its card, both locked (the card first: everything of one card happens under its lock). */
async function lockIssue(tx: Sql, principal: Principal, id: string): Promise<{ issue: IssueRow; card: CardRow }> {
  const found = await tx.query<{ card_no: string }>('SELECT card_no FROM card_issue WHERE id = $1', [id]);
  if (!found.rows[0]) throw new ApiError('ISSUE_NOT_FOUND');
  const card = await readCard(tx, principal, { cardNo: found.rows[0].card_no }, true);
  const issue = (await tx.query<IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM card_issue WHERE id = $1 FOR UPDATE`, [id])).rows[0]!;
  if (issue.org_unit_id !== principal.orgUnitId) throw new ApiError('ISSUE_OTHER_OUTLET');
  return { issue, card };
}

async function keyed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyStoreError && error.code === 'KEY_VERSION_UNKNOWN') throw new ApiError('KEY_VERSION_UNKNOWN');
    throw error;
  }
}

/** One secure write of the issuance, for the card's challenge; a fresh probe challenge with it. */
export function issueWrite(services: Services, principal: Principal, id: string, r: IssueWriteRequest): Promise<IssueWriteResponse> {
  const keys = requireKeyStore(services);
  return services.db.transaction(async (tx) => {
    const { issue, card } = await lockIssue(tx, principal, id);
    if (issue.state !== 'started') throw new ApiError('ISSUE_NOT_STARTED');
    const [sfi, data] = r.file === 'EF16' ? [SFI.EF16, ef16Of(issue)] : [SFI.EF1B, Uint8Array.of(PIN_MODE_CUSTOMER)];
    const command = await keyed(() =>
      keys.secureWrite(tx, { cardNo: card.card_no, keyVersion: card.key_version, challenge: fromHex(r.challenge), sfi, offset: 0, data }),
    );
    // The same write sent again (its answer lost) answers the same: the command is the same for
    // the same challenge, and so is the probe challenge drawn with it.
    const write = `${r.file}:${r.challenge.toUpperCase()}`;
    if (issue.probe_write === write && issue.probe_challenge !== null)
      return { command: toHex(command).toUpperCase(), probeChallenge: issue.probe_challenge };
    const probeChallenge = toHex(randomBytes(PROBE_CHALLENGE_BYTES)).toUpperCase();
    await tx.query('UPDATE card_issue SET probe_challenge = $2, probe_write = $3 WHERE id = $1', [id, probeChallenge, write]);
    return { command: toHex(command).toUpperCase(), probeChallenge };
  });
}

function addYears(yyyymmdd: string, years: number): string {
  return `${Number(yyyymmdd.slice(0, 4)) + years}${yyyymmdd.slice(4)}`;
}

export function completeIssue(services: Services, principal: Principal, id: string, r: IssueCompleteRequest): Promise<IssueView> {
  const keys = requireKeyStore(services);
  return once(services, principal, 'card.issue.complete', r.operationId, { id, ...r }, async (tx) => {
    const { issue, card } = await lockIssue(tx, principal, id);
    if (issue.state !== 'started') throw new ApiError('ISSUE_NOT_STARTED');
    if (r.ef16.toUpperCase() !== toHex(ef16Of(issue)).toUpperCase() || r.pinMode !== PIN_MODE_CUSTOMER)
      throw new ApiError('ISSUE_NOT_WRITTEN');
    if (issue.probe_challenge === null || r.probe.terminalId.toUpperCase() !== issue.probe_challenge)
      throw new ApiError('ISSUE_PROBE_STALE');
    if (r.probe.answer.keyVersion !== card.key_version) throw new ApiError('KEY_VERSION_UNKNOWN');
    const genuine = await keyed(() =>
      keys.verifyMac1(tx, {
        kind: 'load',
        cardNo: card.card_no,
        keyVersion: r.probe.answer.keyVersion,
        random: fromHex(r.probe.answer.random),
        onlineTtc: r.probe.answer.onlineTtc,
        balanceFen: r.probe.answer.balanceFen,
        amountFen: r.probe.amountFen,
        transType: TRANS_TYPE.LOAD_ED,
        terminalId: fromHex(r.probe.terminalId),
        mac1: fromHex(r.probe.answer.mac1),
      }),
    );
    if (!genuine) throw new ApiError('MAC1_INVALID');
    if (r.probe.answer.balanceFen !== 0) throw new ApiError('ISSUE_CARD_NOT_BLANK');
    const today = chinaDateTime(services.now()).date;
    const expiresOn = card.expires_on ?? addYears(today, CARD_LIFE_YEARS);
    await tx.query(
      `UPDATE card SET state = 'active', customer_id = $2, role = $3, main_card_no = $4, named = true, issued_at = now(),
         expires_on = to_date($5, 'YYYYMMDD'), online_ttc_seen = GREATEST(coalesce(online_ttc_seen, 0), $6) WHERE card_no = $1`,
      [card.card_no, issue.customer_id, issue.role, issue.main_card_no, expiresOn, r.probe.answer.onlineTtc],
    );
    // The accounts the card's money moves through (docs/ledger.md "Accounts"), opened now.
    if (issue.role === 'single') await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: issue.customer_id });
    else await ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo: card.card_no, customerId: issue.customer_id });
    await ensureAccount(tx, 'PURSE', { kind: 'card', cardNo: card.card_no, customerId: issue.customer_id });
    await tx.query("UPDATE card_issue SET state = 'done', complete_operation_id = $2, finished_at = now() WHERE id = $1", [
      id,
      r.operationId,
    ]);
    await appendAudit(tx, principal, {
      action: 'card.issue.complete',
      subject: card.card_no,
      detail: { issueId: id, customerId: String(issue.customer_id), role: issue.role, expiresOn, onlineTtc: r.probe.answer.onlineTtc },
    });
    return viewOf({ ...issue, state: 'done' }, expiresOn);
  });
}

export function cancelIssue(services: Services, principal: Principal, id: string, r: IssueCancelRequest): Promise<IssueView> {
  return once(services, principal, 'card.issue.cancel', r.operationId, { id, ...r }, async (tx) => {
    const { issue, card } = await lockIssue(tx, principal, id);
    if (issue.state !== 'started') throw new ApiError('ISSUE_NOT_STARTED');
    let refund: string | null = null;
    if (issue.fee_transfer_id !== null) {
      const fee = await tx.query<{
        debit_account_id: bigint;
        credit_account_id: bigint;
        amount_fen: bigint;
        closed_shift_id: bigint | null;
      }>(
        `SELECT t.debit_account_id, t.credit_account_id, t.amount_fen,
                (SELECT s.id FROM shift s WHERE d.code = 'CASH' AND d.owner_key = 'shift:' || s.id::text AND s.closed_at IS NOT NULL) AS closed_shift_id
           FROM transfer t JOIN account d ON d.id = t.debit_account_id WHERE t.id = $1`,
        [issue.fee_transfer_id],
      );
      const t = fee.rows[0]!;
      // The reversing posting: the same amount and code, the accounts swapped (the fee back out of the
      // drawer it went into). A drawer whose shift is closed was counted: it is never touched again; the
      // refund goes against the outlet's CASH_DIFFERENCE and is listed on that shift (docs/ledger.md "Late cash").
      const lateShift = t.closed_shift_id;
      const cashSide = lateShift === null ? t.debit_account_id : await lateCashAccount(tx, lateShift);
      try {
        const [reversal] = await createTransfers(tx, [
          { debitAccountId: t.credit_account_id, creditAccountId: cashSide, amountFen: t.amount_fen, code: 'CARD_FEE' },
        ]);
        refund = reversal!;
        if (lateShift !== null)
          await recordLateItem(tx, {
            shiftId: lateShift,
            kind: 'card.fee.refund',
            amountFen: -t.amount_fen,
            transferId: refund,
            deviceId: principal.deviceId,
            operationId: r.operationId,
          });
      } catch (error) {
        // The drawer no longer holds the fee (paid out since): nothing is cancelled.
        if (error instanceof LedgerError) throw new ApiError('LEDGER_REFUSED');
        throw error;
      }
    }
    await tx.query(
      `UPDATE card_issue SET state = 'cancelled', cancel_operation_id = $2, cancel_reason = $3, refund_transfer_id = $4, finished_at = now()
        WHERE id = $1`,
      [id, r.operationId, r.reason, refund],
    );
    await appendAudit(tx, principal, {
      action: 'card.issue.cancel',
      subject: card.card_no,
      detail: { issueId: id, reason: r.reason, feeFen: Number(issue.fee_fen), refundTransferId: refund },
    });
    return viewOf({ ...issue, state: 'cancelled' }, null);
  });
}
