/**
 * Supervisors' approvals of money at the counter: given by an outlet supervisor for one customer
 * in their part of the organisation and one amount, used up by the one operation that names it
 * (sync/operations.ts receipt.cash), inside that operation's savepoint, so a refused receipt
 * leaves its approval unused. Giving and using are audited.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import type { ApprovalRequest, ApprovalResponse } from '../contract/index.ts';
import type { Principal } from './principal.ts';
import { inScope } from './principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';

export function registerApprovalRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'createApproval', ({ principal, body }) =>
    services.db.transaction((tx) => createApproval(tx, principal, body, services.now())),
  );
}

export async function createApproval(tx: Sql, principal: Principal, input: ApprovalRequest, now: Date): Promise<ApprovalResponse> {
  if (principal.operatorId === null) throw new ApiError('FORBIDDEN');
  const customer = await tx.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM customer WHERE id = $1', [input.customerId]);
  const unit = customer.rows[0]?.org_unit_id;
  if (unit === undefined) throw new ApiError('CUSTOMER_NOT_FOUND');
  if (!(await inScope(tx, principal, unit))) throw new ApiError('OUT_OF_SCOPE');
  const approvalId = randomUUID();
  const expiresAt = new Date(now.getTime() + LIMITS.approvalTtlMs);
  await tx.query('INSERT INTO approval (id, purpose, customer_id, amount_fen, approved_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    approvalId,
    input.purpose,
    input.customerId,
    input.amountFen,
    principal.operatorId,
    expiresAt,
  ]);
  await appendAudit(tx, principal, {
    action: 'approval.give',
    subject: `customer:${input.customerId}`,
    detail: { approvalId, purpose: input.purpose, amountFen: input.amountFen },
  });
  return { approvalId, expiresAt: expiresAt.toISOString() };
}

/** Uses up the approval for exactly this purpose, customer and amount; returns its approver, or refuses with APPROVAL_INVALID. */
export async function useApproval(
  tx: Sql,
  principal: Principal,
  use: { approvalId: string; purpose: 'receipt.cash' | 'receipt.cheque'; customerId: bigint; amountFen: number; now: Date },
): Promise<bigint> {
  const used = await tx.query<{ approved_by: bigint }>(
    `UPDATE approval SET used_at = now(), used_by = $5
      WHERE id = $1 AND purpose = $2 AND customer_id = $3 AND amount_fen = $4 AND used_at IS NULL AND expires_at > $6
      RETURNING approved_by`,
    [use.approvalId, use.purpose, String(use.customerId), use.amountFen, principal.operatorId, use.now],
  );
  const row = used.rows[0];
  if (!row) throw new ApiError('APPROVAL_INVALID');
  return row.approved_by;
}
