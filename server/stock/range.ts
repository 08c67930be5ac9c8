/**
 * A range of card numbers as stock moves it (docs/domain.md § Card stock). The ASN is
 * `0100` ‖ card type (2) ‖ key version (1) ‖ province (2) ‖ `00` ‖ serial (9) (docs/card-protocol.md
 * §5.1, ccid/fuelcard/files.ts asnDetails): a range is first..last with the same first 11 digits,
 * so every number in it carries the same card type, key version and province, and the serials run
 * from the first's to the last's. Pure code: the database writes the range set-wise from it.
 */
import { CARD_TYPE_ASN_CODES, type StockCardType } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

const ASN_SHAPE = /^0100([0-9]{2})([0-9])([0-9]{2})00([0-9]{9})$/;
const PREFIX_DIGITS = 11;

export type CardRange = {
  /** The 11 digits every number of the range starts with. */
  prefix: string;
  firstSerial: number;
  lastSerial: number;
  count: number;
  cardType: StockCardType;
  keyVersion: number;
  firstCardNo: string;
  lastCardNo: string;
};

const TYPE_OF_CODE = new Map(Object.entries(CARD_TYPE_ASN_CODES).map(([type, code]) => [code, type as StockCardType]));

/** The range first..last, or STOCK_RANGE_INVALID when it is not one run of well-formed numbers within the limit. */
export function cardRange(firstCardNo: string, lastCardNo: string): CardRange {
  const first = ASN_SHAPE.exec(firstCardNo);
  const last = ASN_SHAPE.exec(lastCardNo);
  if (!first || !last)
    throw new ApiError('STOCK_RANGE_INVALID', 'a card number is 0100, type, key version, province, 00 and a 9-digit serial');
  const cardType = TYPE_OF_CODE.get(first[1]!);
  if (cardType === undefined) throw new ApiError('STOCK_RANGE_INVALID', 'the card type digits name no card type');
  if (firstCardNo.slice(0, PREFIX_DIGITS) !== lastCardNo.slice(0, PREFIX_DIGITS))
    throw new ApiError('STOCK_RANGE_INVALID', 'the first and last numbers differ in card type, key version or province');
  const firstSerial = Number(first[4]);
  const lastSerial = Number(last[4]);
  if (firstSerial > lastSerial) throw new ApiError('STOCK_RANGE_INVALID', 'the first number is after the last');
  const count = lastSerial - firstSerial + 1;
  if (count > LIMITS.stockRangeCardsMax)
    throw new ApiError('STOCK_RANGE_INVALID', `at most ${LIMITS.stockRangeCardsMax} cards in one range`);
  return {
    prefix: firstCardNo.slice(0, PREFIX_DIGITS),
    firstSerial,
    lastSerial,
    count,
    cardType,
    keyVersion: Number(first[2]),
    firstCardNo,
    lastCardNo,
  };
}
