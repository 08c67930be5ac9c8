/**
 * An operation the counter queues and then waits a moment for (a cash receipt, a customer's
 * details): written to the outbox first (its device-made id makes it happen once whatever the link
 * does, docs/sync.md), sent at once, and its answer read back from the outbox record. Offline the
 * answer is "queued": the operation stays in the outbox and goes when the link is back; the
 * screen says so rather than pretending it was done.
 */
import type { OperationPayload, OperationType } from '../../server/contract/sync.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { SyncLoop } from '../lib/sync/sync-loop.ts';
import type { MakerStamp } from '../lib/sync/operation-maker.ts';

export type QueueDeps = { outbox: Outbox; sync: SyncLoop; nowMs?: () => number };

export type QueuedOutcome =
  | { kind: 'applied'; operationId: string; result: unknown; atMs: number }
  /** The server's business refusal (its catalogue code): nothing changed. */
  | { kind: 'rejected'; operationId: string; code: string }
  /** No answer yet (offline, or the server busy): it stays queued and is sent later. */
  | { kind: 'queued'; operationId: string; atMs: number };

export async function queueAndWait<T extends OperationType>(
  deps: QueueDeps,
  type: T,
  payload: OperationPayload<T>,
  /** Its maker when not the operator signed in (src/lib/outbox/outbox.ts enqueue). */
  maker?: MakerStamp,
): Promise<QueuedOutcome> {
  const nowMs = (deps.nowMs ?? Date.now)();
  const record = await deps.outbox.enqueue(type, payload, nowMs, maker);
  await deps.sync.drain();
  const settled = await deps.outbox.get(record.id);
  if (settled?.status === 'applied')
    return { kind: 'applied', operationId: record.id, result: settled.result, atMs: settled.settledAtMs ?? nowMs };
  if (settled?.status === 'rejected') return { kind: 'rejected', operationId: record.id, code: settled.errorCode ?? 'REJECTED' };
  return { kind: 'queued', operationId: record.id, atMs: nowMs };
}
