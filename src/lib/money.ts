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

const CAPITAL_DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/** The places inside a group of four digits, from the right. */
const CAPITAL_PLACES = ['', '拾', '佰', '仟'];
/** The groups of four digits, from the right: 万 and 亿, then 万亿 as cheques write it. */
const CAPITAL_GROUPS = ['', '万', '亿', '万亿'];

/** One group of four digits (1–9999): a 零 for each run of zeros between digits, none at the end. */
function capitalGroup(group: number): string {
  let text = '';
  let zeroPending = false;
  for (let place = 3; place >= 0; place--) {
    const digit = Math.floor(group / 10 ** place) % 10;
    if (digit === 0) {
      if (text !== '') zeroPending = true;
      continue;
    }
    if (zeroPending) text += '零';
    zeroPending = false;
    text += CAPITAL_DIGITS[digit]! + CAPITAL_PLACES[place]!;
  }
  return text;
}

/**
 * An amount in Chinese capital numerals (大写金额) as a slip or a receipt writes it, so a figure
 * cannot be altered: 12345 fen → 壹佰贰拾叁元肆角伍分; 0 → 零元整; 1000000 → 壹万元整; 100005 →
 * 壹仟元零伍分; 10 → 壹角整 (an amount that ends at 元 or 角 ends with 整); 5 → 伍分. A 零 stands
 * for every run of zero places between two written digits (壹万零伍元, 壹仟零伍拾元), and once
 * more between 元 and a fen without jiao.
 */
export function moneyInCapitals(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a whole, non-negative number of fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  let whole = '';
  let zeroPending = false;
  const groups: number[] = [];
  for (let rest = yuan; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!;
    if (group === 0) {
      if (whole !== '') zeroPending = true;
      continue;
    }
    // Zeros before this group's first digit (a group under 1000 that is not the first one written).
    if (whole !== '' && (zeroPending || group < 1000)) whole += '零';
    zeroPending = false;
    whole += capitalGroup(group) + CAPITAL_GROUPS[i]!;
  }
  if (whole === '' && jiao === 0 && cents === 0) return '零元整';
  let text = whole === '' ? '' : `${whole}元`;
  if (jiao > 0) text += `${CAPITAL_DIGITS[jiao]}角`;
  else if (cents > 0 && whole !== '') text += '零';
  if (cents > 0) text += `${CAPITAL_DIGITS[cents]}分`;
  else text += '整';
  return text;
}
