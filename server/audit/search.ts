/**
 * The audit log as the centre reads it (审计日志): entries of the caller's part of the organisation,
 * newest first, found by time, operator, device, action and card; and the verification of every
 * chain against the signed checkpoints, answered as facts (when, how many, where it breaks) that
 * the screen puts into words.
 *
 * Scope: an entry belongs to the unit it was recorded for (the actor's unit). A centre sees the
 * entries of its subtree; the administrator sees all, also entries of no unit (system work). The
 * verification covers every chain whoever asks: the chains are per actor, not per unit, and a
 * break anywhere means the log as a whole can no longer be trusted.
 */
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import type { AuditPage, AuditSearchQuery, AuditVerification } from '../contract/index.ts';
import { LIMITS } from '../limits.ts';
import { verifyAudit, type AuditAnchors } from './log.ts';
import { installationOf, readCheckpoints } from './checkpoints.ts';

const AUDIT_PAGE_SIZE = 8;

type EntryRow = {
  chain_key: string;
  chain_no: bigint;
  at: Date;
  action: string;
  subject: string;
  operator_id: bigint | null;
  username: string | null;
  display_name: string | null;
  device_id: string | null;
  org_unit_id: bigint | null;
  name_zh: string | null;
  name_en: string | null;
  detail: unknown;
};

const iso = (at: Date | string): string => (at instanceof Date ? at : new Date(at)).toISOString();

export async function searchAudit(sql: Sql, principal: Principal, query: AuditSearchQuery): Promise<AuditPage> {
  const scope = `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)`;
  const inScope = `(a.org_unit_id IN (SELECT id FROM down) OR ($1::bigint IS NULL AND a.org_unit_id IS NULL))`;
  const action = query.action ?? null;
  const actionFilter = action?.endsWith('.') ? `left(a.action, length($7::text)) = $7::text` : `($7::text IS NULL OR a.action = $7)`;
  const where = `${inScope}
    AND ($3::timestamptz IS NULL OR a.at >= $3::timestamptz) AND ($4::timestamptz IS NULL OR a.at < $4::timestamptz)
    AND ($5::text IS NULL OR a.operator_id = (SELECT id FROM operator WHERE username = $5))
    AND ($6::text IS NULL OR a.device_id = $6) AND ${actionFilter}
    AND ($8::text IS NULL OR a.subject = $8)`;
  const params = [
    principal.scopeRootId,
    LIMITS.orgTreeDepthMax,
    query.from ?? null,
    query.to ?? null,
    query.operator ?? null,
    query.deviceId ?? null,
    action,
    query.cardNo ?? null,
  ];
  const counted = await sql.query<{ n: number | string }>(`${scope} SELECT count(*) AS n FROM audit_log a WHERE ${where}`, params);
  const total = Number(counted.rows[0]!.n);
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(Number(query.page ?? 1), pageCount);
  const found = await sql.query<EntryRow>(
    `${scope} SELECT a.chain_key, a.chain_no, a.at, a.action, a.subject, a.operator_id, o.username, o.display_name, a.device_id,
       a.org_unit_id, u.name_zh, u.name_en, a.detail
     FROM audit_log a LEFT JOIN operator o ON o.id = a.operator_id LEFT JOIN org_unit u ON u.id = a.org_unit_id
     WHERE ${where} ORDER BY a.at DESC, a.chain_key, a.chain_no DESC LIMIT ${AUDIT_PAGE_SIZE} OFFSET $9`,
    [...params, (page - 1) * AUDIT_PAGE_SIZE],
  );
  const actions = await sql.query<{ action: string }>(
    `${scope} SELECT DISTINCT a.action FROM audit_log a WHERE ${inScope} ORDER BY a.action`,
    params.slice(0, 2),
  );
  return {
    entries: found.rows.map((r) => ({
      id: `${r.chain_key}#${r.chain_no}`,
      at: iso(r.at),
      action: r.action,
      subject: r.subject,
      operatorId: r.operator_id === null ? null : String(r.operator_id),
      operatorUsername: r.username,
      operatorName: r.display_name,
      deviceId: r.device_id,
      orgUnitId: r.org_unit_id === null ? null : String(r.org_unit_id),
      orgUnitNameZh: r.name_zh,
      orgUnitNameEn: r.name_en,
      detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
    })),
    page,
    pageCount,
    total,
    actions: actions.rows.map((r) => r.action),
  };
}

/** Where the checkpoints are and the key they are signed with; undefined when no audit key is configured. */
export type AuditCheckpointSource = { dir: string; key: Buffer } | undefined;

/** `chain#no`, `chain#head`, `chain#end` (log.ts verdicts) → the chain and the row. */
function splitBrokenAt(brokenAt: string): { chain: string; rowNo: string | null; kind: 'row' | 'cut' | 'head' } {
  const hash = brokenAt.lastIndexOf('#');
  const chain = brokenAt.slice(0, hash);
  const tail = brokenAt.slice(hash + 1);
  if (tail === 'head') return { chain, rowNo: null, kind: 'head' };
  if (tail === 'end') return { chain, rowNo: null, kind: 'cut' };
  return { chain, rowNo: tail, kind: 'row' };
}

export async function verifyAuditForCentre(sql: Sql, checkpoints: AuditCheckpointSource): Promise<AuditVerification> {
  const reading = checkpoints === undefined ? null : await readCheckpoints(checkpoints.dir, checkpoints.key, await installationOf(sql));
  const anchors: AuditAnchors = reading?.anchors ?? new Map();
  const verdict = await verifyAudit(sql, anchors);
  const newest = await sql.query<{ at: Date | null }>('SELECT max(at) AS at FROM audit_log');
  const newestAt = newest.rows[0]?.at ?? null;
  let broken: AuditVerification['broken'] = null;
  if (!verdict.sound && verdict.brokenAt !== null) {
    const where = splitBrokenAt(verdict.brokenAt);
    const row =
      where.rowNo === null
        ? undefined
        : (
            await sql.query<{ at: Date; action: string }>('SELECT at, action FROM audit_log WHERE chain_key = $1 AND chain_no = $2', [
              where.chain,
              where.rowNo,
            ])
          ).rows[0];
    broken = { kind: where.kind, chain: where.chain, rowNo: where.rowNo, at: row ? iso(row.at) : null, action: row?.action ?? null };
  } else if (reading?.problem) {
    broken = { kind: 'checkpoint', chain: null, rowNo: null, at: null, action: null };
  }
  return {
    sound: broken === null,
    rowsChecked: verdict.rowsChecked,
    chainsChecked: verdict.chainsChecked,
    verifiedUpTo: newestAt === null ? null : iso(newestAt),
    rowsUnanchored: verdict.rowsUnanchored,
    checkpointLines: reading?.lines ?? 0,
    lastCheckpointAt: reading?.latestAt ?? null,
    broken,
  };
}
