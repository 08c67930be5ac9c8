/**
 * Push (docs/architecture.md decision 4, Replicache's model): a batch is applied in one
 * transaction, together with the result record of every operation and the device's new last seq, so
 * a crash or a transient failure (deadlock, lost connection) anywhere in it leaves nothing
 * half-applied and the device simply sends the batch again. Operations are taken in seq order; an
 * id seen before returns its first result; a seq past last + 1 (a gap) or a used seq under a new id
 * stops the batch there, and the device resends from the server's last seq. An operation that
 * writes runs in its own savepoint, so a business refusal rolls back only its effects and is
 * recorded; a run of consecutive read-only operations (inquiries) is answered from one read.
 *
 * A batch with more operations that write than LIMITS.pushSavepointCountMax is committed in
 * chunks, each its own transaction with at most that many savepoints (PostgreSQL slows every
 * session once a transaction holds more than 64 subtransactions). Each chunk records its
 * operations and the last seq, so exactly-once holds across chunks: if a later chunk fails, the
 * push fails, the device sends the batch again, and the operations of the committed chunks get
 * their first results back.
 *
 * Per chunk, not per operation: the device's `device_sync` row is locked once (which serialises
 * the device's pushes), earlier records are looked up in one statement, and the new records and
 * the last seq are written in one statement at the end.
 */
import { CONTRACT_VERSION, type PushRequest, type PushResponse, type PushResult } from '../contract/index.ts';
import type { Sql } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { requireContractVersion } from '../http/contract-version.ts';
import type { Services } from '../http/services.ts';
import { MONEY_ISOLATION } from '../ledger/isolation.ts';
import { LIMITS } from '../limits.ts';
import type { MakerCache } from '../auth/operation-maker.ts';
import { answerReadOnlyRun, applyOperation, isReadOnly, type Booked, type Outcome } from './operations.ts';
import { findOperations, recordDeviceOperations, requestHash, type NewOperationRecord, type OperationRecord } from './records.ts';

type Operation = PushRequest['operations'][number];
type Known = Pick<OperationRecord, 'status' | 'result' | 'request_hash' | 'device_id'>;

/** Everything one chunk decides, built inside the transaction so a retried attempt starts afresh. */
type Batch = {
  deviceId: string;
  lastSeq: number;
  known: Map<string, Known>;
  records: NewOperationRecord[];
  results: PushResult[];
  stopped: PushResponse['stopped'];
  savepointCount: number;
};

/** What one chunk's transaction did: the response so far, and how many operations it looked at. */
type Chunk = PushResponse & { lookedAtCount: number };

/** Creates the device's head on first use and locks it either way, in one statement; its last seq. */
async function lockDeviceHead(tx: Sql, deviceId: string): Promise<number> {
  const head = await tx.query<{ last_seq: bigint }>(
    `INSERT INTO device_sync (device_id) VALUES ($1)
     ON CONFLICT (device_id) DO UPDATE SET device_id = EXCLUDED.device_id RETURNING last_seq`,
    [deviceId],
  );
  return Number(head.rows[0]!.last_seq);
}

const keyOf = (op: Operation): string => op.id.toLowerCase();
// The maker is part of the request: the same id with another maker is another request (IDEMPOTENCY_CONFLICT).
const hashOf = (op: Operation): string =>
  requestHash(op.type, op.maker ? { seq: op.seq, payload: op.payload, maker: op.maker } : { seq: op.seq, payload: op.payload });

/** The stored first result of an operation seen before, or IDEMPOTENCY_CONFLICT when its id was used for another request. */
function replayed(batch: Batch, op: Operation, earlier: Known): PushResult {
  const base = { id: op.id, seq: op.seq };
  if (earlier.request_hash !== hashOf(op) || earlier.device_id !== batch.deviceId) {
    const error = new ApiError('IDEMPOTENCY_CONFLICT');
    return { ...base, status: 'rejected', replayed: false, error: { code: error.code, message: error.message } };
  }
  const stored = earlier.result as { result?: unknown; error?: PushResult['error'] };
  return { ...base, status: earlier.status, replayed: true, ...stored };
}

/** Records an applied or refused operation as the next seq of the device. */
function settle(batch: Batch, op: Operation, outcome: Outcome, booked: Booked): void {
  if (op.seq !== batch.lastSeq + 1) throw new Error('assertion: operations are settled in seq order without gaps');
  const stored = outcome.status === 'applied' ? { result: outcome.result } : { error: outcome.error };
  const record = { id: op.id, seq: op.seq, type: op.type, hash: hashOf(op), status: outcome.status, result: stored, ...booked };
  batch.records.push(record);
  batch.known.set(keyOf(op), { status: outcome.status, result: stored, request_hash: record.hash, device_id: batch.deviceId });
  batch.lastSeq = op.seq;
  batch.results.push({ id: op.id, seq: op.seq, status: outcome.status, replayed: false, ...stored });
}

/** The run of read-only operations of `ops[start]`'s type that would each be applied next, in turn. */
function readOnlyRun(batch: Batch, ops: readonly Operation[], start: number): Operation[] {
  const first = ops[start]!;
  const run = [first];
  const ids = new Set([keyOf(first)]);
  for (let i = start + 1; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.type !== first.type || op.seq !== first.seq + run.length || batch.known.has(keyOf(op)) || ids.has(keyOf(op))) break;
    run.push(op);
    ids.add(keyOf(op));
  }
  return run;
}

/**
 * Applies operations from the start of `ops` inside `tx`, until they are all looked at or the next
 * one would take a savepoint past the limit; returns how it went. Nothing here outlives a failed attempt.
 */
async function applyChunk(tx: Sql, services: Services, principal: Principal, ops: readonly Operation[]): Promise<Chunk> {
  const deviceId = principal.deviceId!;
  const lastSeqBefore = await lockDeviceHead(tx, deviceId);
  const known = await findOperations(
    tx,
    deviceId,
    ops.map((op) => op.id),
  );
  const batch: Batch = { deviceId, lastSeq: lastSeqBefore, known, records: [], results: [], stopped: null, savepointCount: 0 };
  const makers: MakerCache = new Map();
  let i = 0;
  while (i < ops.length) {
    const op = ops[i]!;
    const earlier = batch.stopped ? undefined : batch.known.get(keyOf(op));
    if (batch.stopped) {
      batch.results.push({ id: op.id, seq: op.seq, status: 'not_applied', replayed: false });
    } else if (earlier) {
      batch.results.push(replayed(batch, op, earlier));
    } else if (op.seq !== batch.lastSeq + 1) {
      batch.stopped = { seq: op.seq, reason: op.seq <= batch.lastSeq ? 'SEQ_CONFLICT' : 'SEQ_GAP', expectedSeq: batch.lastSeq + 1 };
      batch.results.push({ id: op.id, seq: op.seq, status: 'not_applied', replayed: false });
    } else if (isReadOnly(op.type)) {
      const run = readOnlyRun(batch, ops, i);
      const outcomes = await answerReadOnlyRun(
        tx,
        services,
        principal,
        op.type,
        run.map((r) => r.payload),
      );
      run.forEach((r, k) => settle(batch, r, outcomes[k]!, { operatorId: principal.operatorId, madeAt: null }));
      i += run.length;
      continue;
    } else if (batch.savepointCount === LIMITS.pushSavepointCountMax) {
      break; // the rest goes in the next chunk's transaction
    } else {
      batch.savepointCount++;
      const { booked, ...outcome } = await applyOperation(tx, services, principal, { ...op, type: op.type }, makers);
      settle(batch, op, outcome, booked);
    }
    i++;
  }
  if (batch.records.length !== batch.lastSeq - lastSeqBefore) throw new Error('assertion: one record per seq the batch used');
  await recordDeviceOperations(tx, deviceId, batch.records);
  return { contractVersion: CONTRACT_VERSION, lastSeq: batch.lastSeq, results: batch.results, stopped: batch.stopped, lookedAtCount: i };
}

export async function push(services: Services, principal: Principal, request: PushRequest): Promise<PushResponse> {
  // The route refused another version before anything else already; this holds for any caller.
  requireContractVersion(request.contractVersion);
  if (principal.deviceId === null) throw new ApiError('DEVICE_REQUIRED');
  if (request.operations.some((op) => op.deviceId !== principal.deviceId))
    throw new ApiError('FORBIDDEN', 'a device pushes only its own operations');
  // The contract caps a batch already; this bounds the transactions a batch takes whatever the caller.
  if (request.operations.length > LIMITS.pushBatchSizeMax)
    throw new ApiError('INVALID_REQUEST', `at most ${LIMITS.pushBatchSizeMax} operations in one push`);
  const ordered = [...request.operations].sort((a, b) => a.seq - b.seq);
  const response: PushResponse = { contractVersion: CONTRACT_VERSION, lastSeq: 0, results: [], stopped: null };
  // Each chunk looks at one operation at least, so there are never more chunks than operations.
  for (let start = 0, chunkCount = 0; start < ordered.length; chunkCount++) {
    if (chunkCount === ordered.length) throw new Error('assertion: every chunk of a push makes progress');
    const rest = ordered.slice(start);
    const chunk = await services.db.transaction((tx) => applyChunk(tx, services, principal, rest), { isolation: MONEY_ISOLATION });
    if (chunk.lookedAtCount < 1 || chunk.results.length !== chunk.lookedAtCount)
      throw new Error('assertion: a chunk answers each operation it looked at');
    response.results.push(...chunk.results);
    response.lastSeq = chunk.lastSeq;
    response.stopped = chunk.stopped;
    start += chunk.lookedAtCount;
  }
  return response;
}
