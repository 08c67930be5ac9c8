/**
 * The audit log: every business operation with who (operator, device), where (organisation unit),
 * what (action, subject, detail). Rows are hash-chained per actor: each row's hash covers the
 * previous hash and the row's canonical form, so an edited, removed or reordered row breaks the
 * chain at that point. One chain per actor keeps concurrent kiosks off a single hot row; the
 * chain head is locked in the same transaction as the effect it records.
 *
 * The hashes are unkeyed, so the chain alone does not stop the database's owner: with the
 * append-only trigger off, rows can be edited and every later hash recomputed, or a chain's last
 * rows deleted and its head rolled back, and the chain still verifies. What anchors it is outside
 * the database: signed checkpoints of every chain head (server/audit/checkpoints.ts), which
 * verifyAudit is given as anchors, so a chain must still reach each row a checkpoint saw, with the
 * hash seen. Why the rows themselves are not keyed: planAudit hashes in SQL, in the one statement
 * that writes the row (no round trip to read the previous hash), and neither engine has an HMAC
 * without pgcrypto; handing the database key material to hash with would give it to the very
 * party the key is kept from (statement parameters reach its logs).
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import { Statement } from '../db/compose.ts';
import { LIMITS } from '../limits.ts';

const GENESIS_HASH = '0'.repeat(64);

export type AuditEntry = { action: string; subject: string; detail: Record<string, unknown> };
export type AuditActor = Pick<Principal, 'deviceId' | 'operatorId' | 'orgUnitId'>;

/** JSON with object keys sorted at every level, so PostgreSQL's jsonb reordering changes nothing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type RowForHash = {
  chainKey: string;
  chainNo: bigint;
  atIso: string;
  operatorId: bigint | null;
  deviceId: string | null;
  orgUnitId: bigint | null;
  action: string;
  subject: string;
  detail: unknown;
};

function rowHash(prevHash: string, r: RowForHash): string {
  const body = canonicalJson([
    r.chainKey,
    String(r.chainNo),
    r.atIso,
    r.operatorId === null ? null : String(r.operatorId),
    r.deviceId,
    r.orgUnitId === null ? null : String(r.orgUnitId),
    r.action,
    r.subject,
    r.detail,
  ]);
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

function chainKeyOf(actor: AuditActor): string {
  if (actor.deviceId !== null) return `device:${actor.deviceId}`;
  if (actor.operatorId !== null) return `operator:${actor.operatorId}`;
  return 'system';
}

/**
 * SQL for the hash of a chain's next row: the same sha256 as rowHash, over the previous hash and
 * the row's canonical form, whose only part the database must fill in is the row's number (the
 * rest is cut around it in TypeScript: `before` + number + `after`).
 */
function hashSql(prevHash: string, before: string, chainNo: string, after: string): string {
  return `encode(sha256(convert_to(${prevHash} || E'\\n' || ${before}::text || ${chainNo} || ${after}::text, 'UTF8')), 'hex')`;
}

/**
 * Adds one entry of the actor's chain to `st`, to run with the effect it records. The chain head
 * is created on first use or moved on, and the row hashed, by the database in the same statement
 * (sha256 in SQL over the canonical form rowHash hashes; verifyAudit recomputes it in TypeScript):
 * no round trip to read the head first.
 */
export function planAudit(st: Statement, actor: AuditActor, entry: AuditEntry): void {
  const chainKey = chainKeyOf(actor);
  const detailJson = canonicalJson(entry.detail);
  if (detailJson.length > LIMITS.auditDetailCharsMax) throw new Error(`assertion: audit detail of ${entry.action} is too long`);
  st.claim(`audit:${chainKey}`);
  // Millisecond precision survives the round trip through timestamptz unchanged.
  const atIso = new Date().toISOString();
  const operatorId = actor.operatorId === null ? null : String(actor.operatorId);
  const orgUnitId = actor.orgUnitId === null ? null : String(actor.orgUnitId);
  // canonicalJson([chainKey, String(chainNo), atIso, ...]) with the number left out.
  const before = `[${canonicalJson(chainKey)},"`;
  const after = `",${[atIso, operatorId, actor.deviceId, orgUnitId, entry.action, entry.subject, JSON.parse(detailJson)].map(canonicalJson).join(',')}]`;
  const key = st.param(chainKey);
  const genesis = st.param(GENESIS_HASH);
  const b = st.param(before);
  const a = st.param(after);
  const head = st.cte(
    'audit_head',
    `INSERT INTO audit_chain (chain_key, last_no, last_hash, prev_hash) VALUES (${key}::text, 1, ${hashSql(`${genesis}::text`, b, "'1'", a)}, ${genesis}::text)
     ON CONFLICT (chain_key) DO UPDATE SET last_no = audit_chain.last_no + 1, prev_hash = audit_chain.last_hash,
       last_hash = ${hashSql('audit_chain.last_hash', b, '(audit_chain.last_no + 1)::text', a)}
     RETURNING last_no, last_hash, prev_hash`,
  );
  st.cte(
    'audit_row',
    `INSERT INTO audit_log (chain_key, chain_no, at, operator_id, device_id, org_unit_id, action, subject, detail, prev_hash, hash)
     SELECT ${key}::text, h.last_no, ${st.param(atIso)}::timestamptz, ${st.param(operatorId)}::bigint, ${st.param(actor.deviceId)}::text, ${st.param(orgUnitId)}::bigint,
       ${st.param(entry.action)}::text, ${st.param(entry.subject)}::text, ${st.param(detailJson)}::jsonb, h.prev_hash, h.last_hash FROM ${head} h`,
  );
}

/** Appends one entry to the actor's chain, inside the caller's transaction. */
export async function appendAudit(tx: Sql, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const st = new Statement();
  planAudit(st, actor, entry);
  await st.run(tx);
}

type AuditRow = {
  chain_key: string;
  chain_no: bigint;
  at: Date;
  operator_id: bigint | null;
  device_id: string | null;
  org_unit_id: bigint | null;
  action: string;
  subject: string;
  detail: unknown;
  prev_hash: string;
  hash: string;
};

/** What a signed checkpoint saw of a chain: its row `no` had `hash`. `source` names the checkpoint. */
export type AuditAnchor = { no: bigint; hash: string; source: string };
/** Anchors by chain key, each chain's in ascending row number. */
export type AuditAnchors = ReadonlyMap<string, readonly AuditAnchor[]>;

export type AuditVerdict = {
  sound: boolean;
  rowsChecked: number;
  chainsChecked: number;
  /** Rows past their chain's last anchor: sound as far as the chain can tell, not yet anchored. */
  rowsUnanchored: number;
  /** `chain#no` of the first broken row, `chain#head` for a head that disagrees with the rows, `chain#end` for a chain cut short of a checkpoint. */
  brokenAt: string | null;
  /** What is wrong at brokenAt, in a sentence. */
  problem: string | null;
};

/**
 * Recomputes every chain, and checks it against `anchors`: each row an anchor names must have the
 * anchor's hash (else the chain was rewritten up to there), and each chain must reach its last
 * anchor (else its tail was deleted and its head rolled back). Reports the first problem found,
 * in chain-key order.
 */
export async function verifyAudit(sql: Sql, anchors: AuditAnchors = new Map()): Promise<AuditVerdict> {
  const rows = await sql.query<AuditRow>('SELECT * FROM audit_log ORDER BY chain_key, chain_no');
  const heads = await sql.query<{ chain_key: string; last_no: bigint; last_hash: string }>(
    'SELECT chain_key, last_no, last_hash FROM audit_chain',
  );
  const expectedHead = new Map<string, { no: bigint; hash: string }>();
  let rowsChecked = 0;
  let rowsUnanchored = 0;
  const verdict = (brokenAt: string | null, problem: string | null): AuditVerdict => ({
    sound: brokenAt === null,
    rowsChecked,
    chainsChecked: expectedHead.size,
    rowsUnanchored,
    brokenAt,
    problem,
  });
  /** The first anchor of the chain beyond its last row, if any: the chain was cut short. */
  const cutShort = (chainKey: string): AuditVerdict | null => {
    const last = expectedHead.get(chainKey)?.no ?? 0n;
    const beyond = (anchors.get(chainKey) ?? []).find((a) => a.no > last);
    if (beyond === undefined) return null;
    const ends = last === 0n ? 'has no rows' : `ends at row ${last}`;
    return verdict(
      `${chainKey}#end`,
      `chain ${chainKey} ${ends}, but ${beyond.source} saw its row ${beyond.no}: rows were deleted and the chain's head rolled back`,
    );
  };
  let chainKey: string | null = null;
  let pending: readonly AuditAnchor[] = [];
  let next = 0;
  for (const r of rows.rows) {
    if (r.chain_key !== chainKey) {
      const cut = chainKey === null ? null : cutShort(chainKey);
      if (cut) return cut;
      chainKey = r.chain_key;
      pending = anchors.get(chainKey) ?? [];
      next = 0;
    }
    const previous = expectedHead.get(r.chain_key) ?? { no: 0n, hash: GENESIS_HASH };
    const at = r.at instanceof Date ? r.at.toISOString() : new Date(String(r.at)).toISOString();
    const detail = typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail;
    const hash = rowHash(previous.hash, {
      chainKey: r.chain_key,
      chainNo: r.chain_no,
      atIso: at,
      operatorId: r.operator_id,
      deviceId: r.device_id,
      orgUnitId: r.org_unit_id,
      action: r.action,
      subject: r.subject,
      detail,
    });
    const where = `${r.chain_key}#${r.chain_no}`;
    if (r.chain_no !== previous.no + 1n)
      return verdict(where, `chain ${r.chain_key} row ${r.chain_no}: row ${previous.no + 1n} is missing before it`);
    if (r.prev_hash !== previous.hash)
      return verdict(
        where,
        `chain ${r.chain_key} row ${r.chain_no}: it does not follow the row before it (a row was removed, inserted or rewritten)`,
      );
    if (r.hash !== hash)
      return verdict(where, `chain ${r.chain_key} row ${r.chain_no}: its contents do not match its hash (the row was edited)`);
    for (; next < pending.length && pending[next]!.no <= r.chain_no; next++) {
      const anchor = pending[next]!;
      if (anchor.no === r.chain_no && anchor.hash !== hash)
        return verdict(
          where,
          `chain ${r.chain_key} row ${r.chain_no}: its hash is not the one ${anchor.source} saw (the chain was rewritten up to this row)`,
        );
    }
    if (r.chain_no > (pending.at(-1)?.no ?? 0n)) rowsUnanchored++;
    expectedHead.set(r.chain_key, { no: r.chain_no, hash });
    rowsChecked++;
  }
  // The last chain, then chains that checkpoints saw and the database no longer has at all.
  for (const key of [...(chainKey === null ? [] : [chainKey]), ...[...anchors.keys()].filter((k) => !expectedHead.has(k)).sort()]) {
    const cut = cutShort(key);
    if (cut) return cut;
  }
  for (const h of heads.rows) {
    const seen = expectedHead.get(h.chain_key) ?? { no: 0n, hash: GENESIS_HASH };
    if (seen.no !== h.last_no || seen.hash !== h.last_hash)
      return verdict(
        `${h.chain_key}#head`,
        `chain ${h.chain_key}: its head says row ${h.last_no}, its rows end at row ${seen.no} (rows were deleted, or the head was moved)`,
      );
  }
  return verdict(null, null);
}
