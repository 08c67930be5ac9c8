/**
 * What each pushed operation type does, inside the push's transaction. A refusal the world causes
 * is an ApiError: the push records it as the operation's result and goes on with the next one.
 * Operations that write run one by one, each in a savepoint; read-only ones (inquiry) are answered
 * a run at a time, without a savepoint.
 */
import type { Sql } from '../db/index.ts';
import { EntityId, OPERATION_PAYLOADS, type OperationMaker, type OperationType } from '../contract/index.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { inScope } from '../auth/principal.ts';
import { verifyMaker, type MakerCache } from '../auth/operation-maker.ts';
import { OPERATOR_ONLY_OPERATIONS, OWN_OUTLET_OPERATIONS, SUPERVISOR_ONLY_OPERATIONS } from '../auth/policy.ts';
import { appendAudit } from '../audit/log.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { LedgerError } from '../ledger/errors.ts';
import { createTransfers, readAccounts } from '../ledger/transfers.ts';
import type { Services } from '../http/services.ts';
import { parseWith } from '../http/route.ts';
import { readCard, readCards } from '../cards/card.ts';
import { accountView, cardSummaries } from '../cards/inquiry.ts';
import { completeIn, recoverIn, requireKeyStore } from '../loads/online.ts';
import { useApproval } from '../auth/approvals.ts';
import { createCustomer, customerOrgUnit, updateCustomer } from '../customers/customers.ts';
import { cashPlace, recordLateItem } from '../shifts/drawer.ts';
import { closeShift, openShift } from '../shifts/shifts.ts';
import { reverse } from '../shifts/reversals.ts';

async function customerInScope(tx: Sql, principal: Principal, customerId: string): Promise<bigint> {
  const found = await tx.query<{ id: bigint; org_unit_id: bigint }>('SELECT id, org_unit_id FROM customer WHERE id = $1', [customerId]);
  const customer = found.rows[0];
  if (!customer) throw new ApiError('CUSTOMER_NOT_FOUND');
  if (!(await inScope(tx, principal, customer.org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
  return customer.id;
}

/**
 * A receipt's limits (configured; the same for cash and cheques): never above `cashReceiptMaxFen`;
 * above `approvalAboveFen` only by a supervisor or with a supervisor's approval of this purpose,
 * customer and amount, used up here. Returns the approver, or null when none was needed.
 */
async function checkReceiptLimits(
  tx: Sql,
  services: Services,
  principal: Principal,
  p: { purpose: 'receipt.cash' | 'receipt.cheque'; customerId: bigint; amountFen: number; approvalId?: string | undefined },
): Promise<bigint | null> {
  if (p.amountFen > services.cashReceiptMaxFen) throw new ApiError('AMOUNT_ABOVE_LIMIT');
  if (p.amountFen <= services.approvalAboveFen || principal.role === 'outlet_supervisor') return null;
  if (p.approvalId === undefined) throw new ApiError('APPROVAL_REQUIRED');
  return useApproval(tx, principal, {
    approvalId: p.approvalId,
    purpose: p.purpose,
    customerId: p.customerId,
    amountFen: p.amountFen,
    now: services.now(),
  });
}

async function transfer(tx: Sql, batch: Parameters<typeof createTransfers>[1]): Promise<string[]> {
  try {
    return await createTransfers(tx, batch);
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CREDITS') throw new ApiError('INSUFFICIENT_FUNDS');
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CEILING') throw new ApiError('ACCOUNT_CEILING_EXCEEDED');
    if (error instanceof LedgerError) throw new ApiError('LEDGER_REFUSED', error.message);
    throw error;
  }
}

/**
 * What a handler knows of the operation besides its payload: its id, and when its maker made it
 * (null when it names no maker: made now, by the sender). The cash of an operation goes to the
 * shift it was made in (server/shifts/drawer.ts cashPlace).
 */
type OperationContext = { operationId: string; madeAt: Date | null };

/** Who an operation was booked to and when it was made (null: when it arrived), for its record. */
export type Booked = { operatorId: bigint | null; madeAt: Date | null };
type Handler = (tx: Sql, services: Services, principal: Principal, payload: unknown, op: OperationContext) => Promise<unknown>;

/** Types that only read: answered without a savepoint, a run of them together (answerReadOnlyRun). */
type ReadOnlyType = 'inquiry';
export type WriteType = Exclude<OperationType, ReadOnlyType>;

const HANDLERS: Record<WriteType, Handler> = {
  async 'receipt.cash'(tx, services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS['receipt.cash'], raw);
    const customerId = await customerInScope(tx, principal, p.customerId);
    const approvedBy = await checkReceiptLimits(tx, services, principal, { ...p, purpose: 'receipt.cash', customerId });
    // Into the drawer of the shift it was made in, held open until this commits; made in a shift
    // closed since, against the outlet's CASH_DIFFERENCE (the close's overage), listed on that shift.
    const cash = await cashPlace(tx, principal, op.madeAt);
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const [transferId] = await transfer(tx, [
      { debitAccountId: cash.accountId, creditAccountId: quota, amountFen: BigInt(p.amountFen), code: 'CASH_RECEIPT' },
    ]);
    if (cash.late)
      await recordLateItem(tx, {
        shiftId: cash.shiftId,
        kind: 'receipt.cash',
        amountFen: BigInt(p.amountFen),
        transferId: transferId!,
        deviceId: principal.deviceId,
        operationId: op.operationId,
      });
    const approval = approvedBy === null ? {} : { approvalId: p.approvalId, approvedBy: String(approvedBy) };
    await appendAudit(tx, principal, {
      action: 'receipt.cash',
      subject: `customer:${customerId}`,
      detail: { amountFen: p.amountFen, transferId, shiftId: String(cash.shiftId), ...(cash.late ? { late: true } : {}), ...approval },
    });
    const [row] = await readAccounts(tx, [quota]);
    return { transferId, quota: accountView(row!) };
  },
  async 'receipt.cheque'(tx, services, principal, raw, op) {
    const parsed = parseWith(OPERATION_PAYLOADS['receipt.cheque'], raw);
    // One cheque, one key: the number in upper case and the bank's name with its spaces collapsed,
    // so a second taking of the same cheque cannot pass as another by its spelling.
    const p = { ...parsed, chequeNo: parsed.chequeNo.toUpperCase(), bank: parsed.bank.replace(/\s+/g, ' ') };
    const customerId = await customerInScope(tx, principal, p.customerId);
    const taken = await tx.query('SELECT 1 FROM cheque_receipt WHERE bank = $1 AND cheque_no = $2', [p.bank, p.chequeNo]);
    if (taken.rows.length > 0) throw new ApiError('CHEQUE_ALREADY_TAKEN');
    const approvedBy = await checkReceiptLimits(tx, services, principal, { ...p, purpose: 'receipt.cheque', customerId });
    // Cheques are held by the outlet (the customer's own, OWN_OUTLET_OPERATIONS), not by a shift's drawer.
    const cheques = await ensureAccount(tx, 'CHEQUE', { kind: 'org', orgUnitId: principal.orgUnitId });
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const [transferId] = await transfer(tx, [
      { debitAccountId: cheques, creditAccountId: quota, amountFen: BigInt(p.amountFen), code: 'CHEQUE_RECEIPT' },
    ]);
    // The cheque's key decides between two takings at once: the second waits for the first and finds its row.
    const recorded = await tx.query(
      `INSERT INTO cheque_receipt (bank, cheque_no, cheque_date, customer_id, amount_fen, transfer_id, operator_id, device_id, operation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
      [p.bank, p.chequeNo, p.chequeDate, customerId, p.amountFen, transferId, principal.operatorId, principal.deviceId, op.operationId],
    );
    if (recorded.rows.length === 0) throw new ApiError('CHEQUE_ALREADY_TAKEN');
    const approval = approvedBy === null ? {} : { approvalId: p.approvalId, approvedBy: String(approvedBy) };
    await appendAudit(tx, principal, {
      action: 'receipt.cheque',
      subject: `customer:${customerId}`,
      detail: { amountFen: p.amountFen, bank: p.bank, chequeNo: p.chequeNo, chequeDate: p.chequeDate, transferId, ...approval },
    });
    const [row] = await readAccounts(tx, [quota]);
    return { transferId, quota: accountView(row!) };
  },
  async 'shift.open'(tx, services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS['shift.open'], raw);
    // A float is cash at the counter: never more than one receipt may take.
    if (p.openingFloatFen > services.cashReceiptMaxFen) throw new ApiError('AMOUNT_ABOVE_LIMIT');
    return openShift(tx, p, { principal, operationId: op.operationId });
  },
  async 'shift.close'(tx, _services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS['shift.close'], raw);
    return closeShift(tx, p, { principal, operationId: op.operationId });
  },
  async reversal(tx, _services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS.reversal, raw);
    return reverse(tx, p, { principal, operationId: op.operationId });
  },
  async preallocation(tx, _services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS.preallocation, raw);
    const customerId = await customerInScope(tx, principal, p.customerId);
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const batch = [];
    for (const a of p.allocations) {
      const card = await readCard(tx, principal, { cardNo: a.cardNo }, false);
      if (card.customer_id !== customerId || card.role === 'single')
        throw new ApiError('SOURCE_ACCOUNT_INVALID', `card ${a.cardNo} is not a card of this multi-user customer`);
      const reserve = await ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo: a.cardNo, customerId });
      batch.push({ debitAccountId: quota, creditAccountId: reserve, amountFen: BigInt(a.amountFen), code: 'PREALLOCATION' as const });
    }
    const transferIds = await transfer(tx, batch);
    await appendAudit(tx, principal, {
      action: 'preallocation',
      subject: `customer:${customerId}`,
      detail: { allocations: p.allocations, batch: transferIds },
    });
    return { transferIds };
  },
  async 'load.complete'(tx, services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS['load.complete'], raw);
    return { load: await completeIn(tx, requireKeyStore(services), principal, 'load', p) };
  },
  async 'unload.complete'(tx, services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS['unload.complete'], raw);
    return { load: await completeIn(tx, requireKeyStore(services), principal, 'unload', p) };
  },
  async 'load.recover'(tx, services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS['load.recover'], raw);
    return { settled: await recoverIn(tx, requireKeyStore(services), principal, p) };
  },
  async 'customer.create'(tx, services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS['customer.create'], raw);
    return createCustomer(tx, p, { principal, operationId: op.operationId, today: services.now() });
  },
  async 'customer.update'(tx, services, principal, raw, op) {
    const p = parseWith(OPERATION_PAYLOADS['customer.update'], raw);
    return updateCustomer(tx, p, { principal, operationId: op.operationId, today: services.now() });
  },
};

/**
 * OWN_OUTLET_OPERATIONS (server/auth/policy.ts): the customer the payload names must be of the
 * principal's own organisation unit. A payload without a well-formed customerId is left to its
 * handler, which refuses its shape.
 */
async function requireOwnOutlet(tx: Sql, principal: Principal, payload: unknown): Promise<void> {
  const customerId = (payload as { customerId?: unknown } | null)?.customerId;
  if (typeof customerId !== 'string' || !EntityId.safeParse(customerId).success) return;
  if ((await customerOrgUnit(tx, customerId)) !== principal.orgUnitId) throw new ApiError('CUSTOMER_OTHER_OUTLET');
}

export type Outcome = { status: 'applied'; result: unknown } | { status: 'rejected'; error: { code: ApiErrorCode; message: string } };

/** A refusal the world caused becomes the operation's recorded result; anything else is rethrown. */
function refusal(error: unknown): Outcome {
  if (!(error instanceof ApiError) || error.status >= 500) throw error;
  return { status: 'rejected', error: { code: error.code, message: error.message } };
}

// One name for every operation's savepoint: each is released or rolled back before the next is taken.
const SAVEPOINT = 'push_op';

/** Runs one operation that writes inside a savepoint: a refusal rolls back its effects but not the record of it. */
export async function applyOperation(
  tx: Sql,
  services: Services,
  sender: Principal,
  op: { id: string; deviceId: string; type: WriteType; payload: unknown; maker?: OperationMaker | undefined },
  makers: MakerCache,
): Promise<Outcome & { booked: Booked }> {
  const { type, payload, id: operationId } = op;
  // Who the operation is booked to: its maker when it names one (a refusal here is its result), else the sender.
  let booked: Booked = { operatorId: sender.operatorId, madeAt: null };
  await tx.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const maker = op.maker ? await verifyMaker(tx, makers, sender, { ...op, maker: op.maker }) : null;
    const principal = maker?.principal ?? sender;
    booked = { operatorId: principal.operatorId, madeAt: maker?.madeAt ?? null };
    if (OPERATOR_ONLY_OPERATIONS.has(type) && principal.operatorId === null) throw new ApiError('FORBIDDEN');
    if (SUPERVISOR_ONLY_OPERATIONS.has(type) && principal.role !== 'outlet_supervisor') throw new ApiError('FORBIDDEN');
    if (OWN_OUTLET_OPERATIONS.has(type)) await requireOwnOutlet(tx, principal, payload);
    const result = await HANDLERS[type](tx, services, principal, payload, { operationId, madeAt: booked.madeAt });
    await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { status: 'applied', result, booked };
  } catch (error) {
    const outcome = refusal(error);
    await tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { ...outcome, booked };
  }
}

/**
 * Answers a run of consecutive inquiries from one read of their cards and one of their accounts:
 * nothing is written between them, so this is what answering them one by one would give, in two
 * statements instead of two per inquiry. No savepoint: every refusal here comes from a check in
 * TypeScript after a statement succeeded, never from a failed statement (which would abort the
 * whole transaction, and is rethrown).
 */
async function answerInquiries(tx: Sql, services: Services, principal: Principal, payloads: readonly unknown[]): Promise<Outcome[]> {
  const parsed = payloads.map((raw) => {
    try {
      return parseWith(OPERATION_PAYLOADS.inquiry, raw);
    } catch (error) {
      return refusal(error);
    }
  });
  const cardNos = parsed.flatMap((p) => ('cardNo' in p ? [p.cardNo] : []));
  const cards = await readCards(tx, principal, cardNos);
  const inScope = [...cards.values()].filter((card) => card.in_scope);
  const summaries = await cardSummaries(tx, inScope, services);
  return parsed.map((p) => {
    if (!('cardNo' in p)) return p;
    const card = cards.get(p.cardNo);
    if (!card) return refusal(new ApiError('CARD_NOT_FOUND'));
    if (!card.in_scope) return refusal(new ApiError('OUT_OF_SCOPE'));
    return { status: 'applied', result: summaries.get(p.cardNo)! };
  });
}

type RunHandler = (tx: Sql, services: Services, principal: Principal, payloads: readonly unknown[]) => Promise<Outcome[]>;
const READ_ONLY_HANDLERS: Record<ReadOnlyType, RunHandler> = { inquiry: answerInquiries };

export function isReadOnly(type: OperationType): type is ReadOnlyType {
  return Object.hasOwn(READ_ONLY_HANDLERS, type);
}

/** Answers a run of read-only operations of one type, one outcome per payload, in order. */
export async function answerReadOnlyRun(
  tx: Sql,
  services: Services,
  principal: Principal,
  type: ReadOnlyType,
  payloads: readonly unknown[],
): Promise<Outcome[]> {
  if (OPERATOR_ONLY_OPERATIONS.has(type) && principal.operatorId === null) return payloads.map(() => refusal(new ApiError('FORBIDDEN')));
  const outcomes = await READ_ONLY_HANDLERS[type](tx, services, principal, payloads);
  if (outcomes.length !== payloads.length) throw new Error('assertion: one outcome per read-only operation');
  return outcomes;
}
