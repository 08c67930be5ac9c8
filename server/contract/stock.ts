/**
 * Card stock and requisition (卡片入库与领用, docs/domain.md § Card stock): a centre stocks in a
 * range of personalised cards at the province, requisitions move ranges one level down the tree,
 * and the stock query shows what each unit holds. The writes are online and exactly once by the
 * client's operation id: a retry answers the first answer.
 */
import { z } from 'zod';
import { CardNo, EntityId, OperationId } from './common.ts';
import { OrgUnitKind } from './admin.ts';

/** The card types of the ASN (docs/card-protocol.md §5.1), by the name the server stores. */
export const StockCardType = z.enum(['user', 'manage', 'employee', 'test', 'maintenance']);
export type StockCardType = z.infer<typeof StockCardType>;

/** ASN[2], the card type's two digits in the card number (§5.1). */
export const CARD_TYPE_ASN_CODES: Readonly<Record<StockCardType, string>> = {
  user: '01',
  manage: '02',
  employee: '04',
  test: '05',
  maintenance: '06',
};

/** A calendar date, YYYY-MM-DD (the card's expiry, as EF15 carries it). */
export const CalendarDate = z.iso.date();
/** The key version a card number can carry: one BCD digit (the high nibble of ASN[3]). */
export const AsnKeyVersion = z.number().int().min(0).max(9);

export const StockBatchRequest = z.strictObject({
  operationId: OperationId,
  firstCardNo: CardNo,
  lastCardNo: CardNo,
  cardType: StockCardType,
  keyVersion: AsnKeyVersion,
  expiresOn: CalendarDate,
  /** The province receiving the batch; by default the unit the caller acts for. */
  unitId: EntityId.optional(),
});
export type StockBatchRequest = z.infer<typeof StockBatchRequest>;

export const StockBatchResponse = z.object({
  batchId: EntityId,
  unitId: EntityId,
  cardType: StockCardType,
  keyVersion: AsnKeyVersion,
  firstCardNo: CardNo,
  lastCardNo: CardNo,
  cardCount: z.number().int().positive(),
  expiresOn: CalendarDate,
  at: z.iso.datetime(),
});
export type StockBatchResponse = z.infer<typeof StockBatchResponse>;

export const RequisitionRequest = z.strictObject({
  operationId: OperationId,
  /** The child unit receiving the cards; the giver is its parent, the unit the caller acts for. */
  toUnitId: EntityId,
  firstCardNo: CardNo,
  lastCardNo: CardNo,
});
export type RequisitionRequest = z.infer<typeof RequisitionRequest>;

export const RequisitionResponse = z.object({
  movementId: EntityId,
  fromUnitId: EntityId,
  toUnitId: EntityId,
  cardType: StockCardType,
  firstCardNo: CardNo,
  lastCardNo: CardNo,
  cardCount: z.number().int().positive(),
  at: z.iso.datetime(),
});
export type RequisitionResponse = z.infer<typeof RequisitionResponse>;

export const StockQuery = z.strictObject({
  unit: EntityId.optional(),
  cardType: StockCardType.optional(),
});
export type StockQuery = z.infer<typeof StockQuery>;

/** A run of consecutive card numbers held by one unit. */
export const StockRange = z.object({ firstCardNo: CardNo, lastCardNo: CardNo, count: z.number().int().positive() });
export type StockRange = z.infer<typeof StockRange>;

export const StockHolding = z.object({
  cardType: StockCardType,
  count: z.number().int().positive(),
  ranges: z.array(StockRange),
  /** More ranges than the answer lists (LIMITS.stockRangesListedMax). */
  rangesTruncated: z.boolean(),
});
export type StockHolding = z.infer<typeof StockHolding>;

export const StockUnit = z.object({
  unitId: EntityId,
  parentId: EntityId.nullable(),
  kind: OrgUnitKind,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  holdings: z.array(StockHolding),
});
export type StockUnit = z.infer<typeof StockUnit>;

export const StockView = z.object({
  /** The unit the caller gives cards from (a centre's level); null for an administrator, who may act for any. */
  actingUnitId: EntityId.nullable(),
  /** The units the caller may see that can hold stock, parents first, each with what it holds. */
  units: z.array(StockUnit),
  /** More units than the answer lists (LIMITS.stockUnitsListedMax). */
  unitsTruncated: z.boolean(),
});
export type StockView = z.infer<typeof StockView>;
