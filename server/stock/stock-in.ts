/**
 * Stock-in 入库 (docs/domain.md § Card stock): a range of cards from the personalisation bureau
 * enters stock at the province, as one batch. The numbers must carry the card type and key version
 * the operator declares (docs/card-protocol.md §5.1); none may exist yet. The cards are written in
 * one INSERT … SELECT generate_series, with the batch, its stock-in movement and the audit entry,
 * in the transaction that records the operation (once.ts).
 */
import type { Sql } from '../db/index.ts';
import type { StockBatchRequest, StockBatchResponse } from '../contract/index.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { ApiError } from '../errors.ts';
import { chinaDateTime } from '../cards/card.ts';
import { actingUnitId, readUnit } from './acting-unit.ts';
import { cardRange } from './range.ts';

/** The province receiving a batch: the one named, which must be the caller's own level unless an administrator calls. */
async function receivingProvince(tx: Sql, principal: Principal, named: string | undefined): Promise<bigint> {
  const acting = await actingUnitId(tx, principal);
  const id = named ?? (acting === null ? String(principal.orgUnitId) : String(acting));
  const unit = await readUnit(tx, id);
  if (!unit || unit.kind !== 'province') throw new ApiError('STOCK_UNIT_INVALID', 'cards enter stock at the province');
  if (acting !== null && acting !== unit.id) throw new ApiError('OUT_OF_SCOPE');
  return unit.id;
}

export async function stockIn(tx: Sql, principal: Principal, request: StockBatchRequest, now: Date): Promise<StockBatchResponse> {
  const range = cardRange(request.firstCardNo, request.lastCardNo);
  if (range.cardType !== request.cardType || range.keyVersion !== request.keyVersion)
    throw new ApiError('STOCK_RANGE_INVALID', 'the card numbers carry another card type or key version than declared');
  const today = chinaDateTime(now).date;
  if (request.expiresOn.replace(/-/g, '') <= today) throw new ApiError('STOCK_EXPIRY_INVALID');
  const unitId = await receivingProvince(tx, principal, request.unitId);
  const batch = await tx.query<{ id: bigint; at: Date }>(
    `INSERT INTO stock_batch (org_unit_id, card_type, key_version, first_card_no, last_card_no, card_count, expires_on, operator_id, device_id, operation_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, created_at AS at`,
    [
      unitId,
      range.cardType,
      range.keyVersion,
      range.firstCardNo,
      range.lastCardNo,
      range.count,
      request.expiresOn,
      principal.operatorId,
      principal.deviceId,
      request.operationId,
    ],
  );
  const { id: batchId, at } = batch.rows[0]!;
  // Set-wise: one statement for the whole range; a number that exists already is skipped here and
  // refused below (the transaction rolls back, so nothing of the batch stays).
  const inserted = await tx.query(
    `INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id, stock_batch_id)
     SELECT $1 || lpad(s::text, 9, '0'), $2, 'single', false, 'stock', $3, $4, $5, $6
       FROM generate_series($7::integer, $8::integer) AS s
     ON CONFLICT (card_no) DO NOTHING`,
    [range.prefix, range.cardType, range.keyVersion, request.expiresOn, unitId, batchId, range.firstSerial, range.lastSerial],
  );
  if (inserted.rowCount !== range.count) throw new ApiError('STOCK_CARDS_EXIST');
  await tx.query(
    `INSERT INTO stock_movement (kind, batch_id, from_unit_id, to_unit_id, card_type, first_card_no, last_card_no, card_count, operator_id, device_id, operation_id)
     VALUES ('stock_in', $1, NULL, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      batchId,
      unitId,
      range.cardType,
      range.firstCardNo,
      range.lastCardNo,
      range.count,
      principal.operatorId,
      principal.deviceId,
      request.operationId,
    ],
  );
  const response: StockBatchResponse = {
    batchId: String(batchId),
    unitId: String(unitId),
    cardType: range.cardType,
    keyVersion: range.keyVersion,
    firstCardNo: range.firstCardNo,
    lastCardNo: range.lastCardNo,
    cardCount: range.count,
    expiresOn: request.expiresOn,
    at: new Date(at).toISOString(),
  };
  await appendAudit(tx, principal, {
    action: 'stock.in',
    subject: `stock_batch:${batchId}`,
    detail: { ...response, operationId: request.operationId },
  });
  return response;
}
