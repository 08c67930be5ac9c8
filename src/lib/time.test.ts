import { describe, expect, it } from 'vitest';
import { LOCALES } from './i18n/index.ts';
import { chinaDateIso, chinaInstant, formatDate, formatDateTime, formatRelative } from './time.ts';

// 11:39 in Beijing, 03:39 in UTC: a formatter that shows UTC, or the machine's own zone, shows 03:39.
const MORNING_IN_BEIJING = '2026-12-07T03:39:00Z';
// 23:30 UTC is already the next day in Beijing.
const LATE_UTC_EVENING = '2026-12-06T23:30:00Z';

describe('times as a customer reads them', () => {
  it('shows a server time in Beijing time in both languages, whatever the machine’s zone', () => {
    for (const locale of LOCALES) {
      const text = formatDateTime(MORNING_IN_BEIJING, locale);
      expect(text, locale).toContain('11:39');
      expect(text, locale).not.toContain('03:39');
      expect(text, locale).toContain('2026');
    }
    expect(formatDateTime(MORNING_IN_BEIJING, 'zh-CN')).toBe('2026/12/07 11:39');
    expect(formatDateTime(MORNING_IN_BEIJING, 'en')).toBe('7 Dec 2026, 11:39');
  });

  it('names the month in English, day first, so no reader takes 7 December for 12 July', () => {
    expect(formatDate(MORNING_IN_BEIJING, 'en')).toBe('7 Dec 2026');
    expect(formatDate('2026-07-12T01:00:00Z', 'en')).toBe('12 Jul 2026');
    expect(formatDateTime('2026-09-01T16:05:09Z', 'en', { seconds: true })).toBe('2 Sep 2026, 00:05:09');
    for (const at of [MORNING_IN_BEIJING, LATE_UTC_EVENING, '2026-01-31T12:00:00Z'])
      expect(formatDateTime(at, 'en')).not.toMatch(/\d{1,2}\/\d{1,2}\/\d{4}/);
  });

  it('takes milliseconds as well as ISO strings, and adds seconds when asked', () => {
    const ms = Date.parse(MORNING_IN_BEIJING) + 5_000;
    expect(formatDateTime(ms, 'zh-CN', { seconds: true })).toBe('2026/12/07 11:39:05');
    expect(formatDateTime(ms, 'en', { seconds: true })).toBe('7 Dec 2026, 11:39:05');
  });

  it('moves a late UTC evening to the next Beijing day', () => {
    expect(formatDateTime(LATE_UTC_EVENING, 'zh-CN')).toBe('2026/12/07 07:30');
    expect(formatDate(LATE_UTC_EVENING, 'zh-CN')).toBe('2026/12/07');
    expect(chinaDateIso(LATE_UTC_EVENING)).toBe('2026-12-07');
  });

  it('reads the card’s own China date and time as the same instant the server would stamp', () => {
    expect(chinaInstant('2026-12-07', '11:39:00')).toBe(Date.parse(MORNING_IN_BEIJING));
    expect(formatDateTime(chinaInstant('2026-12-07', '11:39:00'), 'en')).toBe('7 Dec 2026, 11:39');
    // A card's calendar date (its expiry) stays the same day when shown.
    expect(formatDate(chinaInstant('2034-12-31'), 'zh-CN')).toBe('2034/12/31');
    expect(formatDate(chinaInstant('2034-12-31'), 'en')).toBe('31 Dec 2034');
    expect(() => chinaInstant('20261207', '113900')).toThrow(/assertion failed/);
  });

  it('says an age in the language’s own words, with no units of the other language', () => {
    expect(formatRelative(0, 'zh-CN')).toBe('0秒钟前');
    expect(formatRelative(0, 'en')).toBe('0 seconds ago');
    expect(formatRelative(5 * 60_000 + 10_000, 'zh-CN')).toBe('5分钟前');
    expect(formatRelative(5 * 60_000, 'en')).toBe('5 minutes ago');
    expect(formatRelative(3 * 3_600_000, 'zh-CN')).toBe('3小时前');
    expect(formatRelative(30 * 3_600_000, 'en')).toBe('30 hours ago');
    expect(formatRelative(3 * 86_400_000, 'zh-CN')).toBe('3天前');
    expect(formatRelative(-5_000, 'en')).toBe('0 seconds ago');
    for (const ms of [0, 90_000, 7_200_000, 400_000_000]) expect(formatRelative(ms, 'zh-CN')).not.toMatch(/[a-z]/i);
  });

  it('refuses what is not an instant, rather than printing "Invalid Date"', () => {
    expect(() => formatDateTime('not a time', 'en')).toThrow(/assertion failed/);
  });
});
