/**
 * Money as people read and type it (DESIGN.md decision 2): the app holds integer fen; yuan
 * appear only here, through decimal.js, so no floating point ever touches an amount.
 */
import Decimal from 'decimal.js';

/** 12345 → "123.45" (two decimals, thousands separated). */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  const yuan = new Decimal(fen).dividedBy(100).toFixed(2);
  const [whole, cents] = yuan.split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** "¥123.45" */
export function formatMoney(fen: number): string {
  return fen < 0 ? `-¥${formatYuan(-fen)}` : `¥${formatYuan(fen)}`;
}

/** What a person typed, in yuan, to fen: "100", "100.5", "100.50"; null when it is not an amount. */
export function parseYuan(text: string): number | null {
  const clean = text.trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(clean)) return null;
  const fen = new Decimal(clean).times(100);
  return fen.isInteger() ? fen.toNumber() : null;
}
