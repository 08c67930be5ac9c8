/**
 * Who is calling: a device (a signed request, `Authorization: Device-HMAC-SHA256 …`, checked in
 * device-signature.ts) or an operator (`Authorization: Bearer <token>`, a session that may be
 * bound to the device it signed in on). The old `Device <id>:<secret>` names nobody any more.
 * Everything is read from the database on every request (docs/architecture.md decision 11): a
 * disabled device or an expired session stops working at once, on every server process.
 *
 * An operator session ends LIMITS.operatorSessionTtlMs after sign-in, or sooner after
 * LIMITS.operatorSessionIdleMs without a request (a tablet left signed in on the counter). Its
 * last_seen_at is written at most once per LIMITS.operatorSessionTouchIntervalMs: a write per
 * request would double the database work of every staff call for a minute's precision.
 */
import type { Sql } from '../db/index.ts';
import type { Role } from '../contract/index.ts';
import { LIMITS } from '../limits.ts';
import { sha256Hex } from './secrets.ts';
import { verifyDeviceRequest, type SignedRequest } from './device-signature.ts';

export type Principal = {
  role: Role;
  orgUnitId: bigint;
  /** The organisation subtree the principal may act on; null = everything (administrator). */
  scopeRootId: bigint | null;
  deviceId: string | null;
  /** The terminal id of the device, which the card puts in its MACs. */
  terminalId: string | null;
  operatorId: bigint | null;
};

const BEARER_AUTH = /^Bearer ([A-Za-z0-9_-]{16,128})$/;

/** Outlet and station staff act within their branch (the unit above them); administrators everywhere. */
export function scopeRoot(role: Role, unit: { id: bigint; parent_id: bigint | null }): bigint | null {
  if (role === 'administrator') return null;
  return unit.parent_id ?? unit.id;
}

/** What authentication needs to know of a request. */
export type AuthRequest = Omit<SignedRequest, 'authorization'> & { authorization: string | undefined };

/** What checking a device's signature needs besides the database: the KEK its key is sealed under, the clock. */
export type DeviceAuthContext = { kekHex: string | undefined; now: Date };

async function deviceFromSignature(sql: Sql, request: SignedRequest, context: DeviceAuthContext): Promise<Principal | null> {
  const d = await verifyDeviceRequest(sql, request, context);
  if (!d) return null;
  const role: Role = d.kind === 'kiosk' ? 'kiosk' : 'tablet';
  return {
    role,
    orgUnitId: d.org_unit_id,
    scopeRootId: scopeRoot(role, { id: d.org_unit_id, parent_id: d.parent_id }),
    deviceId: d.id,
    terminalId: d.terminal_id,
    operatorId: null,
  };
}

type SessionRow = {
  operator_id: bigint;
  device_id: string | null;
  role: Role;
  org_unit_id: bigint;
  parent_id: bigint | null;
  terminal_id: string | null;
  touch: boolean;
};

const ms = (value: number) => String(value);

async function operatorFromToken(sql: Sql, token: string): Promise<Principal | null> {
  const tokenHash = sha256Hex(token);
  const found = await sql.query<SessionRow>(
    `SELECT s.operator_id, s.device_id, op.role, op.org_unit_id, o.parent_id, d.terminal_id,
            s.last_seen_at <= now() - ($3 || ' milliseconds')::interval AS touch
       FROM operator_session s
       JOIN operator op ON op.id = s.operator_id
       JOIN org_unit o ON o.id = op.org_unit_id
       LEFT JOIN device d ON d.id = s.device_id AND d.state = 'active'
      WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - ($2 || ' milliseconds')::interval AND op.state = 'active'`,
    [tokenHash, ms(LIMITS.operatorSessionIdleMs), ms(LIMITS.operatorSessionTouchIntervalMs)],
  );
  const s = found.rows[0];
  if (!s) return null;
  if (s.touch) await sql.query('UPDATE operator_session SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
  const deviceId = s.terminal_id === null ? null : s.device_id;
  return {
    role: s.role,
    orgUnitId: s.org_unit_id,
    scopeRootId: scopeRoot(s.role, { id: s.org_unit_id, parent_id: s.parent_id }),
    deviceId,
    terminalId: s.terminal_id,
    operatorId: s.operator_id,
  };
}

/**
 * The principal named by a request's Authorization header, or null when it names nobody valid.
 * A device's signed request may also be refused outright (DEVICE_CLOCK_SKEW, NONCE_REUSED,
 * DEVICE_KEYS_UNAVAILABLE), thrown as ApiError.
 */
export async function authenticate(sql: Sql, request: AuthRequest, context: DeviceAuthContext): Promise<Principal | null> {
  const header = request.authorization;
  if (header === undefined) return null;
  const bearer = BEARER_AUTH.exec(header);
  if (bearer) return operatorFromToken(sql, bearer[1]!);
  return deviceFromSignature(sql, { ...request, authorization: header }, context);
}

/** True when `orgUnitId` lies in the principal's subtree. */
export async function inScope(sql: Sql, principal: Principal, orgUnitId: bigint): Promise<boolean> {
  if (principal.scopeRootId === null) return true;
  if (principal.scopeRootId === orgUnitId) return true;
  const result = await sql.query<{ ok: boolean }>(
    `WITH RECURSIVE up (id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM org_unit WHERE id = $1
       UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id WHERE up.depth < $3)
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS ok`,
    [orgUnitId, principal.scopeRootId, LIMITS.orgTreeDepthMax],
  );
  return result.rows[0]!.ok;
}

/** Deletes sessions past their absolute or idle end: they can never be used again. */
export async function deleteEndedSessions(sql: Sql): Promise<void> {
  await sql.query(`DELETE FROM operator_session WHERE expires_at <= now() OR last_seen_at <= now() - ($1 || ' milliseconds')::interval`, [
    ms(LIMITS.operatorSessionIdleMs),
  ]);
}
