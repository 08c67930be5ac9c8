/**
 * Organisation units: created under a parent of an allowed kind (org-tree.ts), listed within a
 * scope. Shared by the admin API and the command line (server/bin/admin.ts), which differ only in
 * who the audit log names: an operator, or the "system" chain for the installer at the console.
 */
import type { Sql } from '../db/index.ts';
import type { CreateOrgUnitRequest, OrgUnit, OrgUnitKind, OrgUnitList, RenameOrgUnitRequest } from '../contract/index.ts';
import type { AuditActor } from '../audit/log.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { parentAllowed } from './org-tree.ts';

type UnitRow = { id: bigint; kind: OrgUnitKind; code: string; name_zh: string; name_en: string; parent_id: bigint | null };

export function toOrgUnit(r: UnitRow): OrgUnit {
  return {
    id: String(r.id),
    kind: r.kind,
    code: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    parentId: r.parent_id === null ? null : String(r.parent_id),
  };
}

export async function findUnit(sql: Sql, by: { id: bigint } | { code: string }): Promise<UnitRow | null> {
  const [column, value] = 'id' in by ? ['id', by.id] : ['code', by.code];
  const found = await sql.query<UnitRow>(`SELECT id, kind, code, name_zh, name_en, parent_id FROM org_unit WHERE ${column} = $1`, [value]);
  return found.rows[0] ?? null;
}

/** The installer at the console: no operator, no device; the audit entry is placed at the new unit. */
export const CONSOLE = 'console';

/**
 * Inserts the unit inside the caller's transaction. `allowed(parentId)` is the caller's scope
 * check on the parent, null for a new province at the top (the console allows everything). A unit code is unique everywhere.
 */
export async function createOrgUnit(
  tx: Sql,
  actor: AuditActor | typeof CONSOLE,
  input: CreateOrgUnitRequest,
  allowed: (parentId: bigint | null) => Promise<boolean>,
): Promise<OrgUnit> {
  const parent = input.parentId === null ? null : await findUnit(tx, { id: BigInt(input.parentId) });
  if (input.parentId !== null && parent === null) throw new ApiError('NOT_FOUND', 'no such parent unit');
  if (!parentAllowed(input.kind, parent?.kind ?? null)) {
    throw new ApiError(
      'ORG_UNIT_PARENT_INVALID',
      `a ${input.kind} cannot sit ${parent ? `under a ${parent.kind}` : 'at the top of the tree'}`,
    );
  }
  if (!(await allowed(parent?.id ?? null))) throw new ApiError('OUT_OF_SCOPE');
  const inserted = await tx.query<UnitRow>(
    `INSERT INTO org_unit (parent_id, kind, code, name_zh, name_en) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (code) DO NOTHING RETURNING id, kind, code, name_zh, name_en, parent_id`,
    [parent?.id ?? null, input.kind, input.code, input.nameZh, input.nameEn],
  );
  const row = inserted.rows[0];
  if (!row) throw new ApiError('ALREADY_EXISTS', `unit code ${input.code} is taken`);
  const auditActor = actor === CONSOLE ? { deviceId: null, operatorId: null, orgUnitId: row.id } : actor;
  await appendAudit(tx, auditActor, {
    action: 'org_unit.create',
    subject: input.code,
    detail: { kind: input.kind, parentId: input.parentId, nameZh: input.nameZh, nameEn: input.nameEn },
  });
  return toOrgUnit(row);
}

/**
 * New names in both languages, and nothing else: the kind, the code and the parent stay, because
 * accounts, stock and operators hang under the unit. `allowed(unitId)` is the caller's scope check.
 */
export async function renameOrgUnit(
  tx: Sql,
  actor: AuditActor,
  input: RenameOrgUnitRequest,
  allowed: (unitId: bigint) => Promise<boolean>,
): Promise<OrgUnit> {
  const before = await findUnit(tx, { id: BigInt(input.orgUnitId) });
  if (!before) throw new ApiError('NOT_FOUND', 'no such organisation unit');
  if (!(await allowed(before.id))) throw new ApiError('OUT_OF_SCOPE');
  const updated = await tx.query<UnitRow>(
    'UPDATE org_unit SET name_zh = $2, name_en = $3 WHERE id = $1 RETURNING id, kind, code, name_zh, name_en, parent_id',
    [before.id, input.nameZh, input.nameEn],
  );
  await appendAudit(tx, actor, {
    action: 'org_unit.rename',
    subject: before.code,
    detail: { from: { nameZh: before.name_zh, nameEn: before.name_en }, to: { nameZh: input.nameZh, nameEn: input.nameEn } },
  });
  return toOrgUnit(updated.rows[0]!);
}

/** The subtree under `rootId` (everything when null), parents before children, at most the list cap. */
export async function listOrgUnits(sql: Sql, rootId: bigint | null): Promise<OrgUnitList> {
  const found = await sql.query<UnitRow & { depth: number }>(
    `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)
     SELECT o.id, o.kind, o.code, o.name_zh, o.name_en, o.parent_id, d.depth FROM down d JOIN org_unit o ON o.id = d.id
      ORDER BY d.depth, o.code LIMIT $3`,
    [rootId, LIMITS.orgTreeDepthMax, LIMITS.adminListCountMax + 1],
  );
  return {
    orgUnits: found.rows.slice(0, LIMITS.adminListCountMax).map(toOrgUnit),
    truncated: found.rows.length > LIMITS.adminListCountMax,
  };
}
