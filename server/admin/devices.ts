/**
 * Kiosks and tablets: registered in an outlet or a station with their terminal id, listed within
 * a scope, disabled. A registered device has no secret until it enrols with the one-time code an
 * administrator issues (POST /api/v1/admin/devices/enrolment, server/auth/routes.ts).
 */
import type { Sql } from '../db/index.ts';
import type { DeviceList, DeviceView, RegisterDeviceRequest } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { inScope } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { endMakerSession } from '../auth/operation-maker.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { deviceUnitAllowed } from './org-tree.ts';
import { findUnit } from './org-units.ts';

type DeviceRow = {
  id: string;
  kind: 'kiosk' | 'tablet';
  org_unit_id: bigint;
  terminal_id: string;
  name: string;
  state: 'active' | 'disabled';
  enrolled: boolean;
};

const DEVICE_COLUMNS = 'id, kind, org_unit_id, terminal_id, name, state, signing_key_sealed IS NOT NULL AS enrolled';

function toDeviceView(r: DeviceRow): DeviceView {
  return {
    deviceId: r.id,
    kind: r.kind,
    orgUnitId: String(r.org_unit_id),
    terminalId: r.terminal_id,
    name: r.name,
    state: r.state,
    enrolled: r.enrolled,
  };
}

export async function registerDevice(tx: Sql, principal: Principal, input: RegisterDeviceRequest): Promise<DeviceView> {
  const unit = await findUnit(tx, { id: BigInt(input.orgUnitId) });
  if (!unit) throw new ApiError('NOT_FOUND', 'no such organisation unit');
  if (!deviceUnitAllowed(unit.kind))
    throw new ApiError('DEVICE_UNIT_INVALID', `devices belong to an outlet or a station, not a ${unit.kind}`);
  if (!(await inScope(tx, principal, unit.id))) throw new ApiError('OUT_OF_SCOPE');
  // Device id and terminal id are both unique: DO NOTHING covers either without aborting the transaction.
  const inserted = await tx.query<DeviceRow>(
    `INSERT INTO device (id, kind, org_unit_id, name, terminal_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
    [input.deviceId, input.kind, unit.id, input.name, input.terminalId],
  );
  const row = inserted.rows[0];
  if (!row) {
    const taken = await tx.query<{ id: string }>('SELECT id FROM device WHERE id = $1', [input.deviceId]);
    throw new ApiError(
      'ALREADY_EXISTS',
      taken.rows[0] ? `device id ${input.deviceId} is taken` : `terminal id ${input.terminalId} belongs to another device`,
    );
  }
  await appendAudit(tx, principal, {
    action: 'device.register',
    subject: input.deviceId,
    detail: { kind: input.kind, orgUnitId: input.orgUnitId, terminalId: input.terminalId, name: input.name },
  });
  return toDeviceView(row);
}

/**
 * Disabling is at once: the device's secret and any enrolment code not yet used stop working
 * (server/auth/principal.ts reads the state on every request), and the operator sessions signed in
 * on it end, so a lost tablet carries no one's rights. Disabling a disabled device answers its state again.
 */
export async function disableDevice(tx: Sql, principal: Principal, deviceId: string): Promise<DeviceView> {
  const found = await tx.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM device WHERE id = $1 FOR UPDATE`, [deviceId]);
  const before = found.rows[0];
  if (!before) throw new ApiError('NOT_FOUND', 'no such device');
  if (!(await inScope(tx, principal, before.org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
  if (before.state === 'disabled') return toDeviceView(before);
  const updated = await tx.query<DeviceRow>(
    `UPDATE device SET state = 'disabled', enrolment_code_hash = NULL, enrolment_expires_at = NULL WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`,
    [deviceId],
  );
  const sessions = await tx.query<{ token_hash: string }>('SELECT token_hash FROM operator_session WHERE device_id = $1', [deviceId]);
  for (const s of sessions.rows) await endMakerSession(tx, s.token_hash);
  await tx.query('DELETE FROM operator_session WHERE device_id = $1', [deviceId]);
  await appendAudit(tx, principal, { action: 'device.disable', subject: deviceId, detail: { orgUnitId: String(before.org_unit_id) } });
  return toDeviceView(updated.rows[0]!);
}

/**
 * Re-enabling does not bring back the old secret: whoever held the device while it was disabled
 * may have it, so the device enrols again with a new code before it is trusted. Enabling an active
 * device answers its state again.
 */
export async function enableDevice(tx: Sql, principal: Principal, deviceId: string): Promise<DeviceView> {
  const found = await tx.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM device WHERE id = $1 FOR UPDATE`, [deviceId]);
  const before = found.rows[0];
  if (!before) throw new ApiError('NOT_FOUND', 'no such device');
  if (!(await inScope(tx, principal, before.org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
  if (before.state === 'active') return toDeviceView(before);
  const updated = await tx.query<DeviceRow>(
    `UPDATE device SET state = 'active', signing_key_sealed = NULL WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`,
    [deviceId],
  );
  await appendAudit(tx, principal, { action: 'device.enable', subject: deviceId, detail: { orgUnitId: String(before.org_unit_id) } });
  return toDeviceView(updated.rows[0]!);
}

/** Devices whose unit lies under `rootId` (everything when null), by id, at most the list cap. */
export async function listDevices(sql: Sql, rootId: bigint | null): Promise<DeviceList> {
  const found = await sql.query<DeviceRow>(
    `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)
     SELECT ${DEVICE_COLUMNS} FROM device WHERE org_unit_id IN (SELECT id FROM down) ORDER BY id LIMIT $3`,
    [rootId, LIMITS.orgTreeDepthMax, LIMITS.adminListCountMax + 1],
  );
  return {
    devices: found.rows.slice(0, LIMITS.adminListCountMax).map(toDeviceView),
    truncated: found.rows.length > LIMITS.adminListCountMax,
  };
}
