/**
 * The maker of a queued operation (docs/sync.md "The maker of an operation"). A tablet queues
 * operations offline and sends them later under whoever is signed in then; the operation is the
 * maker's, not the sender's: booked into the maker's drawer, checked against the maker's role and
 * scope, audited with the maker's name. The tablet proves the maker with an HMAC under the
 * session's operation key (server/contract/maker.ts), which only the tablet that signed in holds,
 * in memory, while the session lasts.
 *
 * Accepted only when: the session exists and was issued on the device that pushes (the push's
 * principal names the device its signature or session proves), the proof holds for this very
 * operation (id, device, type, payload, time), and the time is within the session's life (from
 * sign-in to the sign-out the server heard of, or the absolute expiry), with the device clock's
 * allowed skew either side. The server never learns of a sign-out made offline or of an idle end
 * on the tablet; the tablet forgets the key then, so no operation can be made under it afterwards.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { makerMessage, type OperationMaker, type Role } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { scopeRoot, type Principal } from './principal.ts';

/** A session's maker record, made at sign-in on a tablet; the key goes to the tablet once. */
export async function createMakerSession(
  tx: Sql,
  s: { operatorId: bigint; deviceId: string; expiresAt: Date },
): Promise<{ sessionId: string; operationKey: string }> {
  const sessionId = randomUUID();
  const operationKey = randomBytes(32).toString('hex');
  await tx.query(
    'INSERT INTO operator_session_maker (session_id, operator_id, device_id, operation_key, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [sessionId, s.operatorId, s.deviceId, operationKey, s.expiresAt.toISOString()],
  );
  return { sessionId, operationKey };
}

/** The sign-out the server hears of ends the maker record too: nothing made later is the operator's. */
export async function endMakerSession(sql: Sql, tokenHash: string): Promise<void> {
  await sql.query(
    `UPDATE operator_session_maker m SET ended_at = greatest(m.started_at, least(now(), m.expires_at))
       FROM operator_session s WHERE s.token_hash = $1 AND s.session_id = m.session_id AND m.ended_at IS NULL`,
    [tokenHash],
  );
}

export function makerProof(operationKey: string, message: string): string {
  return createHmac('sha256', Buffer.from(operationKey, 'hex')).update(message).digest('hex');
}

type MakerRow = {
  operator_id: bigint;
  device_id: string;
  operation_key: string;
  started_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  role: Role;
  org_unit_id: bigint;
  parent_id: bigint | null;
};

/** What a verified maker gives the push: the principal to apply as, and when the operation was made. */
export type Maker = { principal: Principal; madeAt: Date };

/** Maker records looked up once per push, by session id. */
export type MakerCache = Map<string, MakerRow | null>;

async function makerRow(tx: Sql, cache: MakerCache, sessionId: string): Promise<MakerRow | null> {
  const key = sessionId.toLowerCase();
  if (cache.has(key)) return cache.get(key)!;
  const found = await tx.query<MakerRow>(
    `SELECT m.operator_id, m.device_id, m.operation_key, m.started_at, m.expires_at, m.ended_at, op.role, op.org_unit_id, o.parent_id
       FROM operator_session_maker m JOIN operator op ON op.id = m.operator_id JOIN org_unit o ON o.id = op.org_unit_id
      WHERE m.session_id = $1`,
    [key],
  );
  const row = found.rows[0] ?? null;
  cache.set(key, row);
  return row;
}

/**
 * The principal an operation stamped with `maker` is applied as. Refuses with
 * OPERATION_MAKER_INVALID (no such session, another device's, a proof that does not hold) or
 * OPERATION_MAKER_SESSION_ENDED (made before the sign-in or after the session ended).
 */
export async function verifyMaker(
  tx: Sql,
  cache: MakerCache,
  sender: Principal,
  op: { id: string; deviceId: string; type: string; payload: unknown; maker: OperationMaker },
): Promise<Maker> {
  const row = await makerRow(tx, cache, op.maker.sessionId);
  if (!row || sender.deviceId === null || row.device_id !== sender.deviceId || row.device_id !== op.deviceId)
    throw new ApiError('OPERATION_MAKER_INVALID');
  const expected = Buffer.from(makerProof(row.operation_key, makerMessage(op, op.maker.sessionId, op.maker.madeAt)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(op.maker.proof, 'hex'))) throw new ApiError('OPERATION_MAKER_INVALID');
  const madeAt = new Date(op.maker.madeAt);
  const skew = LIMITS.deviceRequestClockSkewMaxMs;
  const end = Math.min(new Date(row.expires_at).getTime(), row.ended_at === null ? Infinity : new Date(row.ended_at).getTime());
  if (madeAt.getTime() < new Date(row.started_at).getTime() - skew || madeAt.getTime() > end + skew)
    throw new ApiError('OPERATION_MAKER_SESSION_ENDED');
  // The maker's role and unit as they are now; the device (and its terminal) is the sender's, proved the same above.
  const principal: Principal = {
    role: row.role,
    orgUnitId: row.org_unit_id,
    scopeRootId: scopeRoot(row.role, { id: row.org_unit_id, parent_id: row.parent_id }),
    deviceId: sender.deviceId,
    terminalId: sender.terminalId,
    operatorId: row.operator_id,
  };
  return { principal, madeAt };
}
