/**
 * The stock query 卡库存查询 (docs/domain.md § Card stock): for each unit of the caller's part of
 * the tree that can hold stock, the stock cards it holds by card type, with the runs of
 * consecutive numbers (ranges) it holds them in. A centre sees the subtree of the level it acts
 * for, the administrator everything, outlet staff their own outlet. Ranges are found in SQL by the
 * gaps-and-islands rule (serial minus its row number is constant along a run), on the partial
 * index card_stock_place_idx.
 */
import type { Sql } from '../db/index.ts';
import type { OrgUnitKind, StockCardType, StockHolding, StockQuery, StockUnit, StockView } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { actingUnitId, STOCK_LEVELS } from './acting-unit.ts';

type UnitRow = { id: bigint; parent_id: bigint | null; kind: OrgUnitKind; code: string; name_zh: string; name_en: string };

/** True when `unitId` is `rootId` or below it. */
async function withinSubtree(sql: Sql, rootId: bigint, unitId: string): Promise<boolean> {
  const found = await sql.query<{ ok: boolean }>(
    `WITH RECURSIVE up (id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM org_unit WHERE id = $1
       UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o JOIN up ON o.id = up.parent_id WHERE up.depth < $3)
     SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS ok`,
    [unitId, rootId, LIMITS.orgTreeDepthMax],
  );
  return found.rows[0]!.ok;
}

/** The units shown: the root's subtree (every root when null) down to `depthMax`, parents first. */
async function listUnits(sql: Sql, rootId: bigint | string | null, depthMax: number): Promise<UnitRow[]> {
  const found = await sql.query<UnitRow>(
    `WITH RECURSIVE tree (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, tree.depth + 1 FROM org_unit o JOIN tree ON o.parent_id = tree.id WHERE tree.depth < $2)
     SELECT o.id, o.parent_id, o.kind, o.code, o.name_zh, o.name_en
       FROM tree JOIN org_unit o ON o.id = tree.id
      WHERE o.kind = ANY($3::text[])
      ORDER BY tree.depth, o.id
      LIMIT $4`,
    [rootId, depthMax, STOCK_LEVELS, LIMITS.stockUnitsListedMax + 1],
  );
  return found.rows;
}

type CountRow = { unit_id: bigint; card_type: StockCardType; n: number };
type RangeRow = CountRow & { first_card_no: string; last_card_no: string; ranges: number };

async function holdings(sql: Sql, unitIds: readonly bigint[], cardType: StockCardType | null): Promise<Map<string, StockHolding[]>> {
  const params = [unitIds.map(String), cardType];
  const counts = await sql.query<CountRow>(
    `SELECT stock_unit_id AS unit_id, card_type, count(*)::integer AS n
       FROM card WHERE state = 'stock' AND stock_unit_id = ANY($1::bigint[]) AND ($2::text IS NULL OR card_type = $2)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  const ranges = await sql.query<RangeRow>(
    `SELECT unit_id, card_type, first_card_no, last_card_no, n, ranges FROM (
       SELECT unit_id, card_type, min(card_no) AS first_card_no, max(card_no) AS last_card_no, count(*)::integer AS n,
              row_number() OVER (PARTITION BY unit_id, card_type ORDER BY min(card_no)) AS k,
              (count(*) OVER (PARTITION BY unit_id, card_type))::integer AS ranges
         FROM (SELECT stock_unit_id AS unit_id, card_type, card_no, left(card_no, 11) AS prefix,
                      right(card_no, 9)::bigint - row_number() OVER (PARTITION BY stock_unit_id, card_type, left(card_no, 11) ORDER BY card_no) AS island
                 FROM card WHERE state = 'stock' AND stock_unit_id = ANY($1::bigint[]) AND ($2::text IS NULL OR card_type = $2)) c
        GROUP BY unit_id, card_type, prefix, island) r
      WHERE k <= $3
      ORDER BY unit_id, card_type, first_card_no`,
    [...params, LIMITS.stockRangesListedMax],
  );
  const byUnit = new Map<string, StockHolding[]>();
  for (const c of counts.rows) {
    const list = byUnit.get(String(c.unit_id)) ?? [];
    list.push({ cardType: c.card_type, count: c.n, ranges: [], rangesTruncated: false });
    byUnit.set(String(c.unit_id), list);
  }
  for (const r of ranges.rows) {
    const holding = byUnit.get(String(r.unit_id))?.find((h) => h.cardType === r.card_type);
    if (!holding) continue;
    holding.ranges.push({ firstCardNo: r.first_card_no, lastCardNo: r.last_card_no, count: r.n });
    holding.rangesTruncated = r.ranges > LIMITS.stockRangesListedMax;
  }
  return byUnit;
}

export async function stockQuery(sql: Sql, principal: Principal, query: StockQuery): Promise<StockView> {
  const acting = await actingUnitId(sql, principal);
  const outletStaff = principal.role === 'outlet_operator' || principal.role === 'outlet_supervisor';
  let units: UnitRow[];
  if (query.unit !== undefined) {
    if (outletStaff ? query.unit !== String(acting) : acting !== null && !(await withinSubtree(sql, acting, query.unit)))
      throw new ApiError('OUT_OF_SCOPE');
    units = await listUnits(sql, query.unit, 0);
    if (units.length === 0) throw new ApiError('STOCK_UNIT_INVALID');
  } else {
    units = await listUnits(sql, acting, outletStaff ? 0 : LIMITS.orgTreeDepthMax);
  }
  const unitsTruncated = units.length > LIMITS.stockUnitsListedMax;
  const shown = units.slice(0, LIMITS.stockUnitsListedMax);
  const held = await holdings(
    sql,
    shown.map((u) => u.id),
    query.cardType ?? null,
  );
  const view: StockUnit[] = shown.map((u) => ({
    unitId: String(u.id),
    parentId: u.parent_id === null ? null : String(u.parent_id),
    kind: u.kind,
    code: u.code,
    nameZh: u.name_zh,
    nameEn: u.name_en,
    holdings: held.get(String(u.id)) ?? [],
  }));
  return { actingUnitId: acting === null ? null : String(acting), units: view, unitsTruncated };
}
