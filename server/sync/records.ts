/**
 * Operation records: the first result of every operation id, stored in the same transaction as its
 * effect (docs/architecture.md decision 4). A retry with the same id and the same request gets that
 * result back; the same id with a different request is refused, as TigerBeetle refuses
 * `exists_with_different_*`. An id is the device's own (0011_operation_ids_per_device.sql): every
 * look-up names the device (null: made without one), so no other device can take an id first and
 * refuse it.
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { canonicalJson } from '../audit/log.ts';
import { ApiError } from '../errors.ts';

export type OperationRecord = {
  status: 'applied' | 'rejected';
  result: unknown;
  request_hash: string;
  device_id: string | null;
  seq: bigint | null;
};

export function requestHash(type: string, request: unknown): string {
  return createHash('sha256')
    .update(`${type}\n${canonicalJson(request)}`)
    .digest('hex');
}

/** A stored result as the engine hands jsonb back: parsed already (pg, PGlite) or as text. */
export function storedResult(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

const OWNER_IS = "coalesce(device_id, '') = coalesce($2::text, '')";

export async function findOperation(sql: Sql, deviceId: string | null, id: string): Promise<OperationRecord | null> {
  const found = await sql.query<OperationRecord>(
    `SELECT status, result, request_hash, device_id, seq FROM operation WHERE id = $1 AND ${OWNER_IS}`,
    [id, deviceId],
  );
  const row = found.rows[0];
  if (!row) return null;
  return { ...row, result: storedResult(row.result) };
}

/** The records of several operation ids in one statement, keyed by id in lower case (as uuid prints). */
export async function findOperations(sql: Sql, deviceId: string, ids: readonly string[]): Promise<Map<string, OperationRecord>> {
  const found = await sql.query<OperationRecord & { id: string }>(
    `SELECT id, status, result, request_hash, device_id, seq FROM operation WHERE id = ANY($1::uuid[]) AND ${OWNER_IS}`,
    [ids, deviceId],
  );
  return new Map(found.rows.map(({ id, ...row }) => [id.toLowerCase(), { ...row, result: storedResult(row.result) }]));
}

/** The stored result when `id` was seen with this same request; IDEMPOTENCY_CONFLICT when with another. */
export async function replayOf(sql: Sql, deviceId: string | null, id: string, hash: string): Promise<OperationRecord | null> {
  const found = await findOperation(sql, deviceId, id);
  if (found && found.request_hash !== hash) throw new ApiError('IDEMPOTENCY_CONFLICT');
  return found;
}

export async function recordOperation(
  tx: Sql,
  op: {
    id: string;
    deviceId: string | null;
    seq: number | null;
    type: string;
    hash: string;
    status: 'applied' | 'rejected';
    result: unknown;
  },
): Promise<void> {
  await tx.query(
    'INSERT INTO operation (id, device_id, seq, type, request_hash, status, result) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)',
    [op.id, op.deviceId, op.seq, op.type, op.hash, op.status, JSON.stringify(op.result ?? null)],
  );
}

export type NewOperationRecord = {
  id: string;
  seq: number;
  type: string;
  hash: string;
  status: 'applied' | 'rejected';
  result: unknown;
  /** The operator it was booked to (its maker, else the sender's session), and when it was made (null: as it arrived). */
  operatorId?: bigint | null;
  madeAt?: Date | null;
};

/**
 * Records a device's new operations and moves its last seq to the last of them, in one statement
 * (the push's batch writes the same rows recordOperation writes one by one). `ops` must be the
 * device's next operations in seq order; the caller holds the device's `device_sync` row lock.
 */
export async function recordDeviceOperations(tx: Sql, deviceId: string, ops: readonly NewOperationRecord[]): Promise<void> {
  if (ops.length === 0) return;
  await tx.query(
    `WITH recorded AS (
       INSERT INTO operation (id, device_id, seq, type, request_hash, status, result, operator_id, made_at)
       SELECT r.id, $1, r.seq, r.type, r.request_hash, r.status, r.result::jsonb, r.operator_id, coalesce(r.made_at, now())
         FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $9::bigint[], $10::timestamptz[])
              AS r (id, seq, type, request_hash, status, result, operator_id, made_at))
     UPDATE device_sync SET last_seq = $8, updated_at = now() WHERE device_id = $1`,
    [
      deviceId,
      ops.map((o) => o.id),
      ops.map((o) => String(o.seq)),
      ops.map((o) => o.type),
      ops.map((o) => o.hash),
      ops.map((o) => o.status),
      ops.map((o) => JSON.stringify(o.result ?? null)),
      ops.at(-1)!.seq,
      ops.map((o) => (o.operatorId == null ? null : String(o.operatorId))),
      ops.map((o) => o.madeAt?.toISOString() ?? null),
    ],
  );
}
