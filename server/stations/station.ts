/**
 * The station a device stands at, as its customer's receipt prints it (docs/operations.md
 * "Receipts"): the unit's name and address, and the service hotline, the nearest one set on the
 * way up the organisation tree (a province's 95504 serves every station under it). Setting them is
 * the installer's at the console (`npm run admin -- station-info`), audited like a new unit.
 */
import type { Sql } from '../db/index.ts';
import type { StationInfo } from '../contract/index.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

type StationRow = {
  code: string;
  name_zh: string;
  name_en: string;
  address_zh: string | null;
  address_en: string | null;
  hotline: string | null;
};

/** The unit's own details with the nearest hotline above it; null when no unit has that id. */
async function stationOfUnit(sql: Sql, unitId: bigint): Promise<StationInfo | null> {
  const found = await sql.query<StationRow>(
    `WITH RECURSIVE up (id, parent_id, hotline, depth) AS (
       SELECT id, parent_id, hotline, 0 FROM org_unit WHERE id = $1
       UNION ALL SELECT o.id, o.parent_id, o.hotline, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id
        WHERE up.hotline IS NULL AND up.depth < $2)
     SELECT u.code, u.name_zh, u.name_en, u.address_zh, u.address_en,
            (SELECT hotline FROM up WHERE hotline IS NOT NULL ORDER BY depth LIMIT 1) AS hotline
       FROM org_unit u WHERE u.id = $1`,
    [unitId, LIMITS.orgTreeDepthMax],
  );
  const row = found.rows[0];
  if (!row) return null;
  return {
    code: row.code,
    nameZh: row.name_zh,
    nameEn: row.name_en,
    addressZh: row.address_zh,
    addressEn: row.address_en,
    hotline: row.hotline,
  };
}

/** The station of the device asking (its principal's unit). */
export async function stationOfDevice(sql: Sql, unitId: bigint): Promise<StationInfo> {
  const station = await stationOfUnit(sql, unitId);
  if (station === null) throw new ApiError('NOT_FOUND', 'the device stands at no organisation unit');
  return station;
}

/** What station-info changes: a field left out stays as it is, null clears it. */
export type StationChange = { addressZh?: string | null; addressEn?: string | null; hotline?: string | null };

/** Sets a unit's receipt details inside the caller's transaction, audited at the unit (the console's chain). */
export async function setStationInfo(tx: Sql, unitCode: string, change: StationChange): Promise<StationInfo> {
  const found = await tx.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1 FOR UPDATE', [unitCode]);
  const unit = found.rows[0];
  if (!unit) throw new ApiError('NOT_FOUND', `no organisation unit has the code ${unitCode}`);
  // Nothing to change: only a look at what is set, and nothing to audit.
  if (Object.keys(change).length === 0) return (await stationOfUnit(tx, unit.id))!;
  const keep = (field: keyof StationChange) => change[field] === undefined;
  await tx.query(
    `UPDATE org_unit SET address_zh = CASE WHEN $2 THEN address_zh ELSE $3 END,
                         address_en = CASE WHEN $4 THEN address_en ELSE $5 END,
                         hotline = CASE WHEN $6 THEN hotline ELSE $7 END
      WHERE id = $1`,
    [
      unit.id,
      keep('addressZh'),
      change.addressZh ?? null,
      keep('addressEn'),
      change.addressEn ?? null,
      keep('hotline'),
      change.hotline ?? null,
    ],
  );
  await appendAudit(
    tx,
    { deviceId: null, operatorId: null, orgUnitId: unit.id },
    { action: 'org_unit.station_info', subject: unitCode, detail: change },
  );
  return (await stationOfUnit(tx, unit.id))!;
}
