/**
 * A cash receipt (现金收取) at the counter: the customer hands over cash, the operator records it
 * as `receipt.cash` (CASH of the operator → the customer's QUOTA, docs/ledger.md), exactly once by
 * its operation id. Above the installation's threshold the server asks for a supervisor's
 * approval (APPROVAL_REQUIRED, nothing moved): the supervisor signs in on this same tablet (bound
 * to it like any sign-in), approves this customer and amount, and is signed out again at once;
 * the receipt is then queued again, a new operation naming the approval, which the server uses up.
 */
import { BackendError } from '../lib/net/backend-error.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import { signInOnTablet, type OperatorSession } from './auth.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';
import { queueAndWait, type QueueDeps, type QueuedOutcome } from './queue.ts';

export type CashReceiptRequest = { customerId: string; amountFen: number; approvalId?: string };

export type CashReceiptOutcome =
  | (QueuedOutcome & { kind: 'applied' | 'queued' | 'rejected' })
  /** The server wants a supervisor's approval of this customer and amount; nothing moved. */
  | { kind: 'approval_required'; operationId: string };

export async function takeCashReceipt(deps: QueueDeps, request: CashReceiptRequest): Promise<CashReceiptOutcome> {
  const { customerId, amountFen, approvalId } = request;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${amountFen} is not a positive number of fen`);
  const outcome = await queueAndWait(deps, 'receipt.cash', { customerId, amountFen, ...(approvalId ? { approvalId } : {}) });
  if (outcome.kind === 'rejected' && outcome.code === 'APPROVAL_REQUIRED')
    return { kind: 'approval_required', operationId: outcome.operationId };
  return outcome;
}

/** The quota balance the server answered an applied receipt with (for the slip), or null. */
export function quotaAfter(result: unknown): number | null {
  const quota = (result as { quota?: { availableFen?: unknown } } | null)?.quota;
  return typeof quota?.availableFen === 'number' ? quota.availableFen : null;
}

/** A supervisor's approval as the receipt names it and the slip shows who gave it. */
export type Approval = { approvalId: string; approvedBy: string };

export type ApprovalDeps = {
  /** Signs with the tablet's own credentials: the supervisor's sign-in is bound to this tablet. */
  deviceApi: ApiClient;
  /** A client presenting the given session (withOperatorSession over a fixed session). */
  clientFor: (session: OperatorSession) => ApiClient;
};

/**
 * The supervisor's approval, asked for at the operator's tablet: throws BackendError (LOGIN_FAILED,
 * ACCOUNT_LOCKED, FORBIDDEN for someone who is not an outlet supervisor, NETWORK ...). The
 * supervisor's session ends here whatever happens; the password is kept nowhere.
 */
export async function supervisorApproval(
  deps: ApprovalDeps,
  request: {
    username: string;
    password: string;
    customerId: string;
    amountFen: number;
    /** What is approved: a cash receipt unless said (a cheque's approval is its own). */
    purpose?: 'receipt.cash' | 'receipt.cheque';
  },
): Promise<Approval> {
  const session = await signInOnTablet({ deviceApi: deps.deviceApi, username: request.username, password: request.password });
  const api = deps.clientFor(session);
  try {
    if (session.role !== 'outlet_supervisor') throw new BackendError('FORBIDDEN', `role ${session.role} may not approve`);
    const approval = await api.call('createApproval', {
      body: { purpose: request.purpose ?? 'receipt.cash', customerId: request.customerId, amountFen: request.amountFen },
    });
    return { approvalId: approval.approvalId, approvedBy: session.displayName };
  } finally {
    await api.call('logout', { body: {} }).catch(() => {});
  }
}
