/**
 * A supervisor's reversal (冲正) at the tablet, headless: an applied cash receipt, cheque receipt or
 * pre-allocation of the shift's list is undone by the push operation `reversal` with a reason
 * (server/shifts/reversals.ts: the mirror postings, never an edit, once only). The server takes it
 * from a supervisor only. A supervisor signed in queues it as any operation; at a clerk's tablet the
 * supervisor signs in for this one reversal (as for an approval), the reversal is stamped with the
 * supervisor's session (docs/sync.md "The maker of an operation": booked to the supervisor whoever's
 * session sends it, even later from the queue), and the supervisor is signed out at once.
 */
import { BackendError } from '../lib/net/backend-error.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import { makerStamp } from '../lib/sync/operation-maker.ts';
import type { DeviceCrypto } from '../lib/sync/device-signer.ts';
import { signInOnTablet, type OperatorSession } from './auth.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';
import type { MessageKey } from '../lib/i18n/index.ts';
import { queueAndWait, type QueueDeps, type QueuedOutcome } from './queue.ts';
import type { ShiftListItem } from './shift-operations.ts';

export const REASON_MAX = 200;

export type ReversalDeps = QueueDeps & {
  deviceApi: ApiClient;
  clientFor: (session: OperatorSession) => ApiClient;
  /** This tablet's device id, which a maker stamp names. */
  deviceId: string;
  deviceCrypto?: DeviceCrypto;
};

export type ReversalRequest = {
  /** The operation reversed, as the shift's list shows it. */
  item: Pick<ShiftListItem, 'operationId' | 'deviceId'>;
  reason: string;
  /** Who is signed in at the tablet. */
  signedIn: Pick<OperatorSession, 'role' | 'displayName'>;
  /** The supervisor's username and password, when the one signed in is not a supervisor. */
  supervisor?: { username: string; password: string };
};

export type ReversalOutcome = { outcome: QueuedOutcome; reason: string; reversedBy: string };

/** The reason as sent: trimmed, 1..200 characters (REASON_REQUIRED otherwise, before anything is queued). */
export function reversalReason(text: string): string {
  const reason = text.trim();
  if (reason === '') throw new StaffError(STAFF_ERROR.REASON_REQUIRED, 'a reversal needs a reason');
  if (reason.length > REASON_MAX) throw new StaffError(STAFF_ERROR.REASON_REQUIRED, `the reason is longer than ${REASON_MAX} characters`);
  return reason;
}

export async function reverseOperation(deps: ReversalDeps, request: ReversalRequest): Promise<ReversalOutcome> {
  const reason = reversalReason(request.reason);
  const payload = {
    operationId: request.item.operationId,
    ...(request.item.deviceId ? { deviceId: request.item.deviceId } : {}),
    reason,
  };
  if (request.signedIn.role === 'outlet_supervisor')
    return { outcome: await queueAndWait(deps, 'reversal', payload), reason, reversedBy: request.signedIn.displayName };
  if (!request.supervisor || request.supervisor.username.trim() === '' || request.supervisor.password === '')
    throw new StaffError(STAFF_ERROR.NOT_PERMITTED, 'a reversal needs a supervisor');
  const supervisor = await signInOnTablet({
    deviceApi: deps.deviceApi,
    username: request.supervisor.username.trim(),
    password: request.supervisor.password,
  });
  const api = deps.clientFor(supervisor);
  try {
    if (supervisor.role !== 'outlet_supervisor') throw new BackendError('FORBIDDEN', `role ${supervisor.role} may not reverse`);
    if (!supervisor.maker) throw new BackendError('FORBIDDEN', 'the sign-in gave no operation key');
    const stamp = makerStamp(deps.deviceId, supervisor.maker, deps.deviceCrypto);
    return { outcome: await queueAndWait(deps, 'reversal', payload, stamp), reason, reversedBy: supervisor.displayName };
  } finally {
    // Sent (or queued) under the supervisor's stamp, made while the session lived: it may end now.
    await api.call('logout', { body: {} }).catch(() => {});
  }
}

/** The server's refusals of a reversal, in the clerk's words (server/contract/api-errors.ts `reversal`). */
const REFUSALS: Readonly<Record<string, MessageKey>> = {
  FORBIDDEN: 'staff.reversal.supervisor_only',
  NOT_PERMITTED: 'staff.reversal.supervisor_only',
  ALREADY_REVERSED: 'staff.reversal.already',
  REVERSAL_NOT_FOUND: 'staff.reversal.not_found',
  REVERSAL_FUNDS_GONE: 'staff.reversal.funds_gone',
  REASON_REQUIRED: 'staff.reversal.reason_required',
};

/** The catalogue key of a reversal's refusal, or null when the general message says it. */
export function reversalRefusalKey(code: string): MessageKey | null {
  return REFUSALS[code] ?? null;
}
