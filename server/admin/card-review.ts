/**
 * Card alarms and their review (loads/chip-check.ts raises them): a centre lists the alarms of the
 * cards in its part of the organisation and, after looking at a card's history, clears its
 * review with a note, which lets its loads and unloads go on. Clearing is audited; the alarms
 * stay, closed, as the record of what was seen.
 */
import type { Sql } from '../db/index.ts';
import type { CardAlarm, CardAlarmList, ClearCardReviewResponse } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { readCard, requireCardInScope } from '../cards/card.ts';

type AlarmRow = {
  id: bigint;
  card_no: string;
  kind: 'chip_above_ledger';
  chip_balance_fen: bigint;
  ledger_max_fen: bigint;
  online_ttc: number;
  device_id: string | null;
  raised_at: Date;
  cleared_at: Date | null;
  clear_note: string | null;
};

function toAlarm(r: AlarmRow): CardAlarm {
  return {
    id: String(r.id),
    cardNo: r.card_no,
    kind: r.kind,
    chipBalanceFen: Number(r.chip_balance_fen),
    ledgerMaxFen: Number(r.ledger_max_fen),
    onlineTtc: r.online_ttc,
    deviceId: r.device_id,
    raisedAt: r.raised_at.toISOString(),
    clearedAt: r.cleared_at?.toISOString() ?? null,
    clearNote: r.clear_note,
  };
}

/** Alarms of cards whose customer lies under `rootId` (everything when null): open first, then newest, at most the list cap. */
export async function listCardAlarms(sql: Sql, rootId: bigint | null): Promise<CardAlarmList> {
  const found = await sql.query<AlarmRow>(
    `WITH RECURSIVE down (id, depth) AS (
       SELECT id, 0 FROM org_unit WHERE ($1::bigint IS NULL AND parent_id IS NULL) OR id = $1::bigint
       UNION ALL SELECT o.id, down.depth + 1 FROM org_unit o JOIN down ON o.parent_id = down.id WHERE down.depth < $2)
     SELECT a.id, a.card_no, a.kind, a.chip_balance_fen, a.ledger_max_fen, a.online_ttc, a.device_id, a.raised_at, a.cleared_at, a.clear_note
       FROM card_alarm a JOIN card c ON c.card_no = a.card_no JOIN customer cu ON cu.id = c.customer_id
      WHERE cu.org_unit_id IN (SELECT id FROM down)
      ORDER BY a.cleared_at IS NOT NULL, a.raised_at DESC, a.id DESC LIMIT $3`,
    [rootId, LIMITS.orgTreeDepthMax, LIMITS.adminListCountMax + 1],
  );
  return { alarms: found.rows.slice(0, LIMITS.adminListCountMax).map(toAlarm), truncated: found.rows.length > LIMITS.adminListCountMax };
}

/** Clears the card's review: its open alarms closed with the note, `review_since` reset. A card not under review answers 0 and changes nothing. */
export async function clearCardReview(
  tx: Sql,
  principal: Principal,
  input: { cardNo: string; note: string },
): Promise<ClearCardReviewResponse> {
  if (principal.operatorId === null) throw new ApiError('FORBIDDEN');
  const card = await readCard(tx, principal, { cardNo: input.cardNo }, true);
  requireCardInScope(card);
  if (card.review_since === null) return { cardNo: input.cardNo, alarmsCleared: 0 };
  const cleared = await tx.query<{ id: bigint }>(
    'UPDATE card_alarm SET cleared_at = now(), cleared_by = $2, clear_note = $3 WHERE card_no = $1 AND cleared_at IS NULL RETURNING id',
    [input.cardNo, principal.operatorId, input.note],
  );
  await tx.query('UPDATE card SET review_since = NULL WHERE card_no = $1', [input.cardNo]);
  await appendAudit(tx, principal, {
    action: 'card.review_clear',
    subject: input.cardNo,
    detail: { alarms: cleared.rows.map((r) => String(r.id)), note: input.note },
  });
  return { cardNo: input.cardNo, alarmsCleared: cleared.rows.length };
}
