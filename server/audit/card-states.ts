/**
 * A card's state history 卡状态历史, read-only, oldest first: the stock movements whose range holds
 * the card (stock-in, each requisition down the tree; one row per range, so no per-card audit
 * entry records them) and every audit entry about the card (issue, loss reports and their effect,
 * anonymous sales, station cards, alarms...), each with who and where. Cut to the caller's part of
 * the organisation like the audit log (search.ts): a city centre sees what happened to a card in
 * its city, the administrator everything. A card with nothing in scope is NOT_FOUND, so a centre
 * learns nothing of another city's cards.
 */
import type { Sql } from '../db/index.ts';
import type { Principal } from '../auth/principal.ts';
import type { CardStates } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

/** More than a card ever goes through; the oldest are kept, where its story starts. */
const CARD_EVENTS_MAX = 200;

type EventRow = {
  at: Date;
  kind: string;
  display_name: string | null;
  username: string | null;
  device_id: string | null;
  to_zh: string | null;
  to_en: string | null;
  from_zh: string | null;
  from_en: string | null;
};

export async function cardStates(sql: Sql, principal: Principal, cardNo: string): Promise<CardStates> {
  const scope = `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)`;
  const found = await sql.query<EventRow>(
    `${scope}
     -- Movements made in one transaction share a time: their ids keep the order they were made in.
     SELECT at, kind, display_name, username, device_id, to_zh, to_en, from_zh, from_en FROM (
       SELECT m.created_at AS at, m.kind, o.display_name, o.username, m.device_id,
              t.name_zh AS to_zh, t.name_en AS to_en, f.name_zh AS from_zh, f.name_en AS from_en, 0 AS src, m.id AS seq
       FROM stock_movement m JOIN operator o ON o.id = m.operator_id JOIN org_unit t ON t.id = m.to_unit_id
       LEFT JOIN org_unit f ON f.id = m.from_unit_id
       WHERE m.first_card_no <= $3 AND m.last_card_no >= $3
         AND (m.to_unit_id IN (SELECT id FROM down) OR m.from_unit_id IN (SELECT id FROM down))
       UNION ALL
       SELECT a.at, a.action, o.display_name, o.username, a.device_id, u.name_zh, u.name_en, NULL, NULL, 1, a.chain_no
       FROM audit_log a LEFT JOIN operator o ON o.id = a.operator_id LEFT JOIN org_unit u ON u.id = a.org_unit_id
       WHERE a.subject = $3 AND (a.org_unit_id IN (SELECT id FROM down) OR ($1::bigint IS NULL AND a.org_unit_id IS NULL))
     ) e ORDER BY at, src, seq LIMIT ${CARD_EVENTS_MAX}`,
    [principal.scopeRootId, LIMITS.orgTreeDepthMax, cardNo],
  );
  if (found.rows.length === 0) throw new ApiError('NOT_FOUND', 'no such card in your part of the organisation');
  const card = await sql.query<{ state: CardStates['state']; card_type: CardStates['cardType'] }>(
    'SELECT state, card_type FROM card WHERE card_no = $1',
    [cardNo],
  );
  return {
    cardNo,
    state: card.rows[0]?.state ?? null,
    cardType: card.rows[0]?.card_type ?? null,
    events: found.rows.map((r) => ({
      at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
      kind: r.kind,
      operatorName: r.display_name,
      operatorUsername: r.username,
      deviceId: r.device_id,
      unitNameZh: r.to_zh,
      unitNameEn: r.to_en,
      fromUnitNameZh: r.from_zh,
      fromUnitNameEn: r.from_en,
    })),
  };
}
