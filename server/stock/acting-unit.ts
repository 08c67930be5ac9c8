/**
 * Which unit a caller acts for in card stock (docs/domain.md § Card stock). A management centre
 * (org_unit kind 'center') sits under the province, city or county it serves: its operators give
 * and receive cards for that level, which is also the root of their scope (auth/principal.ts). A
 * centre operator placed directly in a province, city or county unit acts for that unit. The
 * administrator acts for no level in particular and may give from any unit. Outlet staff act for
 * their own outlet, for the stock query only.
 */
import type { Sql } from '../db/index.ts';
import type { OrgUnitKind } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';

/** The levels that hold stock, top down: cards enter at the province and move one level at a time. */
export const STOCK_LEVELS: readonly OrgUnitKind[] = ['province', 'city', 'county', 'outlet'];
/** The levels that give cards (a centre serves each of them). */
export const GIVING_LEVELS: readonly OrgUnitKind[] = ['province', 'city', 'county'];

export type UnitRow = { id: bigint; parent_id: bigint | null; kind: OrgUnitKind };

export async function readUnit(sql: Sql, id: bigint | string): Promise<UnitRow | null> {
  const found = await sql.query<UnitRow>('SELECT id, parent_id, kind FROM org_unit WHERE id = $1', [id]);
  return found.rows[0] ?? null;
}

/**
 * The unit the caller gives cards from and sees the stock of: null for the administrator (any
 * unit); OUT_OF_SCOPE for a centre operator placed where no centre level is.
 */
export async function actingUnitId(sql: Sql, principal: Principal): Promise<bigint | null> {
  if (principal.role === 'administrator') return null;
  const unit = await readUnit(sql, principal.orgUnitId);
  if (!unit) throw new ApiError('OUT_OF_SCOPE');
  if (principal.role === 'center_operator') {
    if (unit.kind === 'center' && unit.parent_id !== null) return unit.parent_id;
    if (GIVING_LEVELS.includes(unit.kind)) return unit.id;
    throw new ApiError('OUT_OF_SCOPE', 'a centre operator acts for the province, city or county of the centre');
  }
  // Outlet staff see their own outlet's stock.
  return unit.id;
}
