/**
 * Push (DESIGN.md decision 4, Replicache's model): each operation is applied in its own
 * transaction together with its result record and the device's new last seq, so a crash between
 * two operations loses nothing and repeats nothing. Operations are taken in seq order; an id seen
 * before returns its first result; a seq past last + 1 (a gap) or a used seq under a new id stops
 * the batch there, and the device resends from the server's last seq.
 */
import type { PushRequest, PushResponse, PushResult } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../http/services.ts';
import { MONEY_ISOLATION } from '../ledger/isolation.ts';
import { applyOperation } from './operations.ts';
import { findOperation, recordOperation, requestHash } from './records.ts';

type Step = { result: PushResult; stop?: PushResponse['stopped']; lastSeq: number };

async function pushOne(services: Services, principal: Principal, op: PushRequest['operations'][number]): Promise<Step> {
  const deviceId = principal.deviceId!;
  const hash = requestHash(op.type, { seq: op.seq, payload: op.payload });
  return services.db.transaction(async (tx) => {
    await tx.query('INSERT INTO device_sync (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING', [deviceId]);
    const head = await tx.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1 FOR UPDATE', [deviceId]);
    const lastSeq = Number(head.rows[0]!.last_seq);
    const base = { id: op.id, seq: op.seq };
    const earlier = await findOperation(tx, op.id);
    if (earlier) {
      if (earlier.request_hash !== hash || earlier.device_id !== deviceId) {
        const error = new ApiError('IDEMPOTENCY_CONFLICT');
        return { lastSeq, result: { ...base, status: 'rejected', replayed: false, error: { code: error.code, message: error.message } } };
      }
      const stored = earlier.result as { result?: unknown; error?: PushResult['error'] };
      return { lastSeq, result: { ...base, status: earlier.status, replayed: true, ...stored } };
    }
    if (op.seq !== lastSeq + 1) {
      const reason = op.seq <= lastSeq ? 'SEQ_CONFLICT' : 'SEQ_GAP';
      return { lastSeq, stop: { seq: op.seq, reason, expectedSeq: lastSeq + 1 }, result: { ...base, status: 'not_applied', replayed: false } };
    }
    const outcome = await applyOperation(tx, services, principal, op.type, op.payload);
    const stored = outcome.status === 'applied' ? { result: outcome.result } : { error: outcome.error };
    await recordOperation(tx, { id: op.id, deviceId, seq: op.seq, type: op.type, hash, status: outcome.status, result: stored });
    await tx.query('UPDATE device_sync SET last_seq = $2, updated_at = now() WHERE device_id = $1', [deviceId, op.seq]);
    return { lastSeq: op.seq, result: { ...base, status: outcome.status, replayed: false, ...stored } };
  }, { isolation: MONEY_ISOLATION });
}

export async function push(services: Services, principal: Principal, request: PushRequest): Promise<PushResponse> {
  if (principal.deviceId === null) throw new ApiError('DEVICE_REQUIRED');
  if (request.operations.some((op) => op.deviceId !== principal.deviceId)) throw new ApiError('FORBIDDEN', 'a device pushes only its own operations');
  const ordered = [...request.operations].sort((a, b) => a.seq - b.seq);
  const results: PushResult[] = [];
  let stopped: PushResponse['stopped'] = null;
  let lastSeq = 0;
  for (const op of ordered) {
    if (stopped) {
      results.push({ id: op.id, seq: op.seq, status: 'not_applied', replayed: false });
      continue;
    }
    const step = await pushOne(services, principal, op);
    results.push(step.result);
    lastSeq = step.lastSeq;
    stopped = step.stop ?? null;
  }
  return { lastSeq, results, stopped };
}
