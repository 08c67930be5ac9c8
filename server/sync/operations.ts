/**
 * What each pushed operation type does, inside the push's transaction. A refusal the world causes
 * is an ApiError: the push records it as the operation's result and goes on with the next one.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { OPERATION_PAYLOADS, type OperationType } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { inScope } from '../auth/principal.ts';
import { OPERATOR_ONLY_OPERATIONS } from '../auth/policy.ts';
import { appendAudit } from '../audit/log.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { LedgerError } from '../ledger/errors.ts';
import { createTransfers, readAccounts } from '../ledger/transfers.ts';
import type { Services } from '../http/services.ts';
import { parseWith } from '../http/route.ts';
import { readCard, requireCardInScope } from '../cards/card.ts';
import { accountView, cardSummary } from '../cards/inquiry.ts';
import { completeIn, recoverIn, requireKeyStore } from '../cards/online.ts';

async function customerInScope(tx: Sql, principal: Principal, customerId: string): Promise<bigint> {
  const found = await tx.query<{ id: bigint; org_unit_id: bigint }>('SELECT id, org_unit_id FROM customer WHERE id = $1', [customerId]);
  const customer = found.rows[0];
  if (!customer) throw new ApiError('CUSTOMER_NOT_FOUND');
  if (!(await inScope(tx, principal, customer.org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
  return customer.id;
}

async function transfer(tx: Sql, batch: Parameters<typeof createTransfers>[1]): Promise<string[]> {
  try {
    return await createTransfers(tx, batch);
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'EXCEEDS_CREDITS') throw new ApiError('INSUFFICIENT_FUNDS');
    if (error instanceof LedgerError) throw new ApiError('LEDGER_REFUSED', error.message);
    throw error;
  }
}

type Handler = (tx: Sql, services: Services, principal: Principal, payload: unknown) => Promise<unknown>;

const HANDLERS: Record<OperationType, Handler> = {
  async 'receipt.cash'(tx, _services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS['receipt.cash'], raw);
    const customerId = await customerInScope(tx, principal, p.customerId);
    const cash = await ensureAccount(tx, 'CASH', { kind: 'operator', operatorId: principal.operatorId! });
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const [transferId] = await transfer(tx, [{ debitAccountId: cash, creditAccountId: quota, amountFen: BigInt(p.amountFen), code: 'CASH_RECEIPT' }]);
    await appendAudit(tx, principal, { action: 'receipt.cash', subject: `customer:${customerId}`, detail: { amountFen: p.amountFen, transferId } });
    const [row] = await readAccounts(tx, [quota]);
    return { transferId, quota: accountView(row!) };
  },
  async preallocation(tx, _services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS.preallocation, raw);
    const customerId = await customerInScope(tx, principal, p.customerId);
    const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId });
    const batch = [];
    for (const a of p.allocations) {
      const card = await readCard(tx, principal, { cardNo: a.cardNo }, false);
      if (card.customer_id !== customerId || card.role === 'single') throw new ApiError('SOURCE_ACCOUNT_INVALID', `card ${a.cardNo} is not a card of this multi-user customer`);
      const reserve = await ensureAccount(tx, 'RESERVE', { kind: 'card', cardNo: a.cardNo, customerId });
      batch.push({ debitAccountId: quota, creditAccountId: reserve, amountFen: BigInt(a.amountFen), code: 'PREALLOCATION' as const });
    }
    const transferIds = await transfer(tx, batch);
    await appendAudit(tx, principal, { action: 'preallocation', subject: `customer:${customerId}`, detail: { allocations: p.allocations, batch: transferIds } });
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
  async inquiry(tx, services, principal, raw) {
    const p = parseWith(OPERATION_PAYLOADS.inquiry, raw);
    const card = await readCard(tx, principal, { cardNo: p.cardNo }, false);
    requireCardInScope(card);
    return cardSummary(tx, card, services);
  },
};

/** Runs one operation inside a savepoint: a refusal rolls back its effects but not the record of it. */
export async function applyOperation(tx: Sql, services: Services, principal: Principal, type: OperationType, payload: unknown): Promise<{ status: 'applied'; result: unknown } | { status: 'rejected'; error: { code: string; message: string } }> {
  const savepoint = `op_${randomUUID().replace(/-/g, '')}`;
  await tx.query(`SAVEPOINT ${savepoint}`);
  try {
    if (OPERATOR_ONLY_OPERATIONS.has(type) && principal.operatorId === null) throw new ApiError('FORBIDDEN');
    const result = await HANDLERS[type](tx, services, principal, payload);
    await tx.query(`RELEASE SAVEPOINT ${savepoint}`);
    return { status: 'applied', result };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    return { status: 'rejected', error: { code: error.code, message: error.message } };
  }
}
