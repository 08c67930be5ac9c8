/**
 * Money as people read and type it (docs/architecture.md decision 2): the app holds integer fen;
 * yuan appear only here. Both directions are exact work on decimal digit strings and whole numbers,
 * so no floating point ever touches an amount. decimal.js is the oracle in money.test.ts rather
 * than a dependency here: for a division and a multiplication by 100 it cost the start screen 12 KB
 * of gzipped JavaScript (issue 6's kiosk.js_gzip_kb).
 */

/** 12345 → "123.45" (two decimals, thousands separated). */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  // A safe integer's String() is its exact decimal digits (no exponent below 1e21).
  const digits = String(Math.abs(fen)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0 ? '-' : ''}${whole}.${digits.slice(-2)}`;
}

/** "¥123.45" */
export function formatMoney(fen: number): string {
  return fen < 0 ? `-¥${formatYuan(-fen)}` : `¥${formatYuan(fen)}`;
}

/** What a person typed, in yuan, to fen: "100", "100.5", "100.50"; null when it is not an amount. */
export function parseYuan(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  // At most 999,999,999 yuan and 99 fen: whole-number arithmetic far inside 2^53.
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
