/**
 * Operator maintenance 操作员维护: a centre operator or the administrator creates, lists and changes
 * the operators of its part of the organisation (principal.scopeRootId: a centre's province, city or
 * county and everything below it). The rules, each with its refusal:
 *
 * - the operator, their old unit and their new unit lie in the caller's subtree (OUT_OF_SCOPE);
 * - nobody gives a role above their own, nor changes an operator whose role is above it
 *   (OPERATOR_ROLE_ABOVE_OWN), so rights can only be handed down, never raised;
 * - nobody changes their own role, unit or state (OPERATOR_SELF_CHANGE): raising oneself, moving
 *   oneself out of reach and disabling oneself are all the same refusal;
 * - a role fits its unit: outlet staff in an outlet or a station, centre operators and
 *   administrators in a centre or the province, city or county it serves (OPERATOR_ROLE_UNIT_INVALID).
 *
 * Operators are never deleted; every change is audited under the caller with what it was before,
 * so the audit log is their history. Passwords are hashed before the transaction (scrypt is slow on
 * purpose) and never written anywhere else.
 */
import { randomInt } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import type {
  CreateOperatorRequest,
  OperatorList,
  OperatorListQuery,
  OperatorRole,
  OperatorState,
  OperatorView,
  UpdateOperatorRequest,
} from '../contract/index.ts';
import { OPERATOR_ROLE_RANK, OPERATOR_UNIT_KINDS } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { inScope } from '../auth/principal.ts';
import { sha256Hex } from '../auth/secrets.ts';
import { endMakerSession } from '../auth/operation-maker.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { findUnit } from './org-units.ts';

/** Operators per page of the list: what the centre's screen shows without scrolling the page. */
export const OPERATOR_PAGE_SIZE = 10;

function rankOf(principal: Principal): number {
  return principal.role in OPERATOR_ROLE_RANK ? OPERATOR_ROLE_RANK[principal.role as OperatorRole] : 0;
}

function mayGive(principal: Principal, role: OperatorRole): void {
  if (OPERATOR_ROLE_RANK[role] > rankOf(principal)) throw new ApiError('OPERATOR_ROLE_ABOVE_OWN');
}

/** The unit an operator is to belong to: it exists, lies in the caller's subtree and fits the role. */
async function unitFor(tx: Sql, principal: Principal, orgUnitId: string, role: OperatorRole): Promise<bigint> {
  const unit = await findUnit(tx, { id: BigInt(orgUnitId) });
  if (!unit) throw new ApiError('NOT_FOUND', 'no such organisation unit');
  if (!(await inScope(tx, principal, unit.id))) throw new ApiError('OUT_OF_SCOPE');
  if (!OPERATOR_UNIT_KINDS[role].includes(unit.kind))
    throw new ApiError('OPERATOR_ROLE_UNIT_INVALID', `a ${role} cannot belong to a ${unit.kind}`);
  return unit.id;
}

/** A password to read out or write down: 12 letters and digits none of which looks like another, in groups of four. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const groups = [0, 1, 2].map(() => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join(''));
  return groups.join('-');
}

type OperatorRow = {
  id: bigint;
  username: string;
  display_name: string;
  role: OperatorRole;
  org_unit_id: bigint;
  name_zh: string;
  name_en: string;
  state: OperatorState;
  locked: boolean;
  created_at: Date | string;
};

/**
 * The columns of a view, `o` the operator and `u` its unit. `locked` repeats the throttle's rules
 * (server/auth/throttle.ts): a (name, address) pair out of checks, or the name out of its budget
 * for new addresses, until the row's reset time.
 */
const VIEW_COLUMNS = `o.id, o.username, o.display_name, o.role, o.org_unit_id, u.name_zh, u.name_en, o.state, o.created_at,
  (EXISTS (SELECT 1 FROM sign_in_pair p WHERE p.name_hash = encode(sha256(convert_to(o.username, 'UTF8')), 'hex')
             AND p.checks >= ${LIMITS.loginFailureCountMax} AND p.resets_at > now())
   OR EXISTS (SELECT 1 FROM sign_in_name n WHERE n.name_hash = encode(sha256(convert_to(o.username, 'UTF8')), 'hex')
             AND n.checks >= ${LIMITS.loginNameCheckCountMax} AND n.resets_at > now())) AS locked`;

function toView(r: OperatorRow, principal: Principal): OperatorView {
  return {
    operatorId: String(r.id),
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    orgUnitId: String(r.org_unit_id),
    orgUnitNameZh: r.name_zh,
    orgUnitNameEn: r.name_en,
    state: r.state,
    locked: r.locked,
    self: principal.operatorId === r.id,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

async function readView(sql: Sql, principal: Principal, id: bigint): Promise<OperatorView> {
  const found = await sql.query<OperatorRow>(
    `SELECT ${VIEW_COLUMNS} FROM operator o JOIN org_unit u ON u.id = o.org_unit_id WHERE o.id = $1`,
    [id],
  );
  return toView(found.rows[0]!, principal);
}

type TargetRow = { id: bigint; username: string; display_name: string; role: OperatorRole; org_unit_id: bigint; state: OperatorState };

/** The operator a change is about, locked for the transaction: in the caller's subtree and not above the caller. */
async function target(tx: Sql, principal: Principal, operatorId: string): Promise<TargetRow> {
  const found = await tx.query<TargetRow>(
    'SELECT id, username, display_name, role, org_unit_id, state FROM operator WHERE id = $1 FOR UPDATE',
    [operatorId],
  );
  const row = found.rows[0];
  if (!row) throw new ApiError('NOT_FOUND', 'no such operator');
  if (!(await inScope(tx, principal, row.org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
  mayGive(principal, row.role);
  return row;
}

/** Ends every session of the operator: at a centre's browser and on tablets, whose queued work stops at this moment. */
async function endSessions(tx: Sql, operatorId: bigint): Promise<void> {
  const sessions = await tx.query<{ token_hash: string }>('SELECT token_hash FROM operator_session WHERE operator_id = $1', [operatorId]);
  for (const s of sessions.rows) await endMakerSession(tx, s.token_hash);
  await tx.query('DELETE FROM operator_session WHERE operator_id = $1', [operatorId]);
}

export async function createOperator(
  tx: Sql,
  principal: Principal,
  input: CreateOperatorRequest,
  passwordHash: string,
  generated: boolean,
): Promise<{ operatorId: string }> {
  mayGive(principal, input.role);
  const unitId = await unitFor(tx, principal, input.orgUnitId, input.role);
  const inserted = await tx.query<{ id: bigint }>(
    'INSERT INTO operator (username, display_name, org_unit_id, role, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING RETURNING id',
    [input.username, input.displayName, unitId, input.role, passwordHash],
  );
  if (!inserted.rows[0]) throw new ApiError('ALREADY_EXISTS', 'that user name is taken');
  await appendAudit(tx, principal, {
    action: 'operator.create',
    subject: input.username,
    detail: { role: input.role, orgUnitId: input.orgUnitId, displayName: input.displayName, passwordGenerated: generated },
  });
  return { operatorId: String(inserted.rows[0].id) };
}

/** LIKE's own characters in what was typed match themselves. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listOperators(sql: Sql, principal: Principal, query: OperatorListQuery): Promise<OperatorList> {
  const search = query.search ? likePattern(query.search) : null;
  const scope = `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)`;
  const where = `o.org_unit_id IN (SELECT id FROM down) AND ($3::text IS NULL OR o.username ILIKE $3 OR o.display_name ILIKE $3)`;
  const params = [principal.scopeRootId, LIMITS.orgTreeDepthMax, search];
  const counted = await sql.query<{ n: number | string }>(`${scope} SELECT count(*) AS n FROM operator o WHERE ${where}`, params);
  const total = Number(counted.rows[0]!.n);
  const pageCount = Math.max(1, Math.ceil(total / OPERATOR_PAGE_SIZE));
  const page = Math.min(Number(query.page ?? 1), pageCount);
  const found = await sql.query<OperatorRow>(
    `${scope} SELECT ${VIEW_COLUMNS} FROM operator o JOIN org_unit u ON u.id = o.org_unit_id WHERE ${where}
      ORDER BY o.username LIMIT ${OPERATOR_PAGE_SIZE} OFFSET $4`,
    [...params, (page - 1) * OPERATOR_PAGE_SIZE],
  );
  return { operators: found.rows.map((r) => toView(r, principal)), page, pageCount, total };
}

export async function updateOperator(tx: Sql, principal: Principal, input: UpdateOperatorRequest): Promise<OperatorView> {
  const before = await target(tx, principal, input.operatorId);
  const changesRights = input.role !== before.role || input.orgUnitId !== String(before.org_unit_id);
  if (changesRights && principal.operatorId === before.id) throw new ApiError('OPERATOR_SELF_CHANGE');
  mayGive(principal, input.role);
  const unitId = await unitFor(tx, principal, input.orgUnitId, input.role);
  if (!changesRights && input.displayName === before.display_name) return readView(tx, principal, before.id);
  await tx.query('UPDATE operator SET display_name = $2, role = $3, org_unit_id = $4 WHERE id = $1', [
    before.id,
    input.displayName,
    input.role,
    unitId,
  ]);
  await appendAudit(tx, principal, {
    action: 'operator.update',
    subject: before.username,
    detail: {
      before: { displayName: before.display_name, role: before.role, orgUnitId: String(before.org_unit_id) },
      after: { displayName: input.displayName, role: input.role, orgUnitId: input.orgUnitId },
    },
  });
  return readView(tx, principal, before.id);
}

/** Setting the state an operator already has answers it again and records nothing. */
export async function setOperatorState(tx: Sql, principal: Principal, operatorId: string, state: OperatorState): Promise<OperatorView> {
  const before = await target(tx, principal, operatorId);
  if (principal.operatorId === before.id) throw new ApiError('OPERATOR_SELF_CHANGE');
  if (before.state === state) return readView(tx, principal, before.id);
  await tx.query('UPDATE operator SET state = $2 WHERE id = $1', [before.id, state]);
  if (state === 'disabled') await endSessions(tx, before.id);
  await appendAudit(tx, principal, {
    action: state === 'disabled' ? 'operator.disable' : 'operator.enable',
    subject: before.username,
    detail: { orgUnitId: String(before.org_unit_id), role: before.role },
  });
  return readView(tx, principal, before.id);
}

/** The new password's hash is made by the caller, before the transaction; whoever held the old one is signed out. */
export async function resetOperatorPassword(
  tx: Sql,
  principal: Principal,
  operatorId: string,
  passwordHash: string,
  generated: boolean,
): Promise<OperatorView> {
  const before = await target(tx, principal, operatorId);
  await tx.query('UPDATE operator SET password_hash = $2 WHERE id = $1', [before.id, passwordHash]);
  await endSessions(tx, before.id);
  await appendAudit(tx, principal, {
    action: 'operator.password_reset',
    subject: before.username,
    detail: { orgUnitId: String(before.org_unit_id), passwordGenerated: generated },
  });
  return readView(tx, principal, before.id);
}

/**
 * Lifts the throttle on the operator's user name from every address: the pairs start afresh (the
 * addresses they signed in from stay known) and the name's budget for new addresses is reset.
 */
export async function unlockOperator(tx: Sql, principal: Principal, operatorId: string): Promise<OperatorView> {
  const before = await target(tx, principal, operatorId);
  const wasLocked = (await readView(tx, principal, before.id)).locked;
  const nameHash = sha256Hex(before.username);
  await tx.query('UPDATE sign_in_pair SET checks = 0, resets_at = now() WHERE name_hash = $1', [nameHash]);
  await tx.query('DELETE FROM sign_in_name WHERE name_hash = $1', [nameHash]);
  await appendAudit(tx, principal, {
    action: 'operator.unlock',
    subject: before.username,
    detail: { orgUnitId: String(before.org_unit_id), wasLocked },
  });
  return readView(tx, principal, before.id);
}
