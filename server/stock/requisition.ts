/**
 * Requisition 领用 (docs/domain.md § Card stock): a range the giving unit holds moves to one of its
 * children, one level down (province → city → county → outlet; an outlet may sit under a city).
 * The giver is the unit the caller acts for (acting-unit.ts), recorded by that centre's operator.
 * Outlets receive user cards only. Every card of the range must be in stock at the giver; the move
 * is one UPDATE of the range's rows, refused whole when it touches fewer than the range holds.
 */
import type { Sql } from '../db/index.ts';
import type { RequisitionRequest, RequisitionResponse } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { actingUnitId, GIVING_LEVELS, readUnit, STOCK_LEVELS } from './acting-unit.ts';
import { cardRange } from './range.ts';

export async function requisition(tx: Sql, principal: Principal, request: RequisitionRequest): Promise<RequisitionResponse> {
  const range = cardRange(request.firstCardNo, request.lastCardNo);
  const to = await readUnit(tx, request.toUnitId);
  if (!to || !STOCK_LEVELS.includes(to.kind) || to.parent_id === null) throw new ApiError('STOCK_UNIT_INVALID');
  const from = await readUnit(tx, to.parent_id);
  if (!from || !GIVING_LEVELS.includes(from.kind)) throw new ApiError('STOCK_UNIT_INVALID');
  const acting = await actingUnitId(tx, principal);
  if (acting !== null && acting !== from.id)
    throw new ApiError('OUT_OF_SCOPE', 'cards are given by the centre of the unit above the receiver');
  if (to.kind === 'outlet' && range.cardType !== 'user') throw new ApiError('STOCK_OUTLET_USER_CARDS_ONLY');
  const moved = await tx.query(
    `UPDATE card SET stock_unit_id = $1
      WHERE card_no BETWEEN $2 AND $3 AND state = 'stock' AND stock_unit_id = $4`,
    [to.id, range.firstCardNo, range.lastCardNo, from.id],
  );
  if (moved.rowCount !== range.count) throw new ApiError('STOCK_NOT_HELD');
  const movement = await tx.query<{ id: bigint; at: Date }>(
    `INSERT INTO stock_movement (kind, batch_id, from_unit_id, to_unit_id, card_type, first_card_no, last_card_no, card_count, operator_id, device_id, operation_id)
     VALUES ('requisition', NULL, $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, created_at AS at`,
    [
      from.id,
      to.id,
      range.cardType,
      range.firstCardNo,
      range.lastCardNo,
      range.count,
      principal.operatorId,
      principal.deviceId,
      request.operationId,
    ],
  );
  const { id, at } = movement.rows[0]!;
  const response: RequisitionResponse = {
    movementId: String(id),
    fromUnitId: String(from.id),
    toUnitId: String(to.id),
    cardType: range.cardType,
    firstCardNo: range.firstCardNo,
    lastCardNo: range.lastCardNo,
    cardCount: range.count,
    at: new Date(at).toISOString(),
  };
  await appendAudit(tx, principal, {
    action: 'stock.requisition',
    subject: `stock_movement:${id}`,
    detail: { ...response, operationId: request.operationId },
  });
  return response;
}
