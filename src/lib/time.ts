/**
 * Times as a customer reads them (docs/architecture.md decision 10). Every date and time on a
 * screen or a receipt is China Standard Time (Asia/Shanghai), whatever zone the machine is set to,
 * written the way the current language writes dates (Intl.DateTimeFormat); an age is said the way
 * the language says it, "3小时前" or "3 hours ago" (Intl.RelativeTimeFormat), never with units of
 * another language. The server's stamps are UTC ISO 8601 instants and the card's are China
 * calendar fields: both become instants first, and only the formatters below turn an instant
 * into text, so no screen slices an ISO string (that shows UTC) or adds eight hours by hand.
 */
import type { Locale } from './i18n/index.ts';

/** The zone of every station, outlet and card: no daylight saving. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';

/**
 * The offset the card and the server's MAC2 write their local date and time in (China Standard
 * Time has been UTC+8 all year since 1991); used only to read those fields as an instant.
 */
const CHINA_UTC_OFFSET = '+08:00';

/** A moment: an ISO 8601 instant with its offset (the server's, "…Z"), or milliseconds since 1970. */
export type Instant = string | number;

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** An age is told in hours up to two days (so "yesterday evening" is not rounded to "1 day"), in days after. */
const AGE_IN_HOURS_UNTIL_MS = 2 * DAY_MS;

const DATE_FIELDS: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
const TIME_FIELDS: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** Formatters are costly to build and the kiosk has two languages: one of each kind per language. */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function dateTimeFormat(locale: Locale, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${kind}`;
  let format = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: CHINA_TIME_ZONE });
    formatters.set(key, format);
  }
  return format;
}

function relativeTimeFormat(locale: Locale): Intl.RelativeTimeFormat {
  const key = `${locale} relative`;
  let format = formatters.get(key) as Intl.RelativeTimeFormat | undefined;
  if (!format) {
    // "always": "0分钟前" rather than "现在" / "now", which would read as if the data were live.
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
    formatters.set(key, format);
  }
  return format;
}

function toDate(at: Instant): Date {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new Error(`assertion failed: not an instant: ${String(at)}`);
  return date;
}

/**
 * English has no unambiguous numeric date (12/07/2026 is July to one reader, December to another):
 * it names the month, day first, "7 Dec 2026". Built from the formatter's parts so the order is
 * the same on every browser; Chinese keeps its own year-first numeric date, 2026/12/07.
 */
function englishDate(parts: Intl.DateTimeFormatPart[]): string {
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${Number(part('day'))} ${part('month')} ${part('year')}`;
}

function englishTime(parts: Intl.DateTimeFormatPart[], seconds: boolean): string {
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('hour')}:${part('minute')}${seconds ? `:${part('second')}` : ''}`;
}

const ENGLISH_DATE_FIELDS: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };

/** 2026-12-07T03:39:00Z → "2026/12/07 11:39" (zh-CN), "7 Dec 2026, 11:39" (en); with seconds on receipts. */
export function formatDateTime(at: Instant, locale: Locale, options: { seconds?: boolean } = {}): string {
  const kind = options.seconds ? 'date-time-seconds' : 'date-time';
  const time = options.seconds ? { ...TIME_FIELDS, second: '2-digit' as const } : TIME_FIELDS;
  if (locale === 'en') {
    const parts = dateTimeFormat(locale, kind, { ...ENGLISH_DATE_FIELDS, ...time }).formatToParts(toDate(at));
    return `${englishDate(parts)}, ${englishTime(parts, options.seconds === true)}`;
  }
  return dateTimeFormat(locale, kind, { ...DATE_FIELDS, ...time }).format(toDate(at));
}

/** The China calendar day of an instant, as the current language writes a date: "2026/12/07", "7 Dec 2026". */
export function formatDate(at: Instant, locale: Locale): string {
  if (locale === 'en') return englishDate(dateTimeFormat(locale, 'date', ENGLISH_DATE_FIELDS).formatToParts(toDate(at)));
  return dateTimeFormat(locale, 'date', DATE_FIELDS).format(toDate(at));
}

/** How long ago, in the language's own words: "5分钟前", "5 minutes ago"; `ageMs` below 0 counts as 0. */
export function formatRelative(ageMs: number, locale: Locale): string {
  const age = Math.max(0, ageMs);
  const format = relativeTimeFormat(locale);
  if (age < MINUTE_MS) return format.format(-Math.floor(age / SECOND_MS), 'second');
  if (age < HOUR_MS) return format.format(-Math.floor(age / MINUTE_MS), 'minute');
  if (age < AGE_IN_HOURS_UNTIL_MS) return format.format(-Math.floor(age / HOUR_MS), 'hour');
  return format.format(-Math.floor(age / DAY_MS), 'day');
}

/** The China calendar day of an instant as YYYY-MM-DD, the card's own date format (for expiry checks). */
export function chinaDateIso(at: Instant): string {
  const parts = dateTimeFormat('en', 'iso-date', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(toDate(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A date (YYYY-MM-DD) and a time (HH:MM:SS) the card wrote in China time, as an instant. */
export function chinaInstant(date: string, time = '00:00:00'): number {
  const ms = Date.parse(`${date}T${time}${CHINA_UTC_OFFSET}`);
  if (Number.isNaN(ms)) throw new Error(`assertion failed: a China date and time are YYYY-MM-DD and HH:MM:SS, not ${date} ${time}`);
  return ms;
}
