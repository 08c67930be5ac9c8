/**
 * Working days in China time (Asia/Shanghai, UTC+8 all year: no daylight saving), counted with the
 * province's calendar (0021_working_calendar.sql): Monday to Friday work, Saturday and Sunday do
 * not, unless the calendar lists the day as a holiday (放假) or a make-up working day (调休上班).
 * Every "after N working days" rule of the seed counts here: a loss report's effect
 * (server/cards/loss-report.ts), the grey-unlock windows.
 *
 * Dates are calendar dates written YYYY-MM-DD; an instant (a Date) is first read as China's date.
 */
import type { Sql } from '../db/index.ts';

export type CalendarDayKind = 'holiday' | 'workday';

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date in China of an instant. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant China's day `date` begins (00:00 Asia/Shanghai). */
export function chinaMidnight(date: string): Date {
  return new Date(utcDay(date) - CHINA_OFFSET_MS);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(utcDay(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `date` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(date: string): boolean {
  const m = DATE.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}

function utcDay(date: string): number {
  if (!isCalendarDate(date)) throw new Error(`not a calendar date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`);
}

function isWeekend(date: string): boolean {
  const weekday = new Date(utcDay(date)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/**
 * The calendar's exceptions over a window of dates [from, through]: asking about a date outside it
 * is a programming error (the answer would silently ignore holidays), so it throws.
 */
export class WorkingCalendar {
  constructor(
    private readonly days: ReadonlyMap<string, CalendarDayKind>,
    readonly from: string,
    readonly through: string,
  ) {}

  isWorkingDay(date: string | Date): boolean {
    const day = typeof date === 'string' ? date : chinaDate(date);
    if (day < this.from || day > this.through) throw new Error(`${day} is outside the calendar read (${this.from}..${this.through})`);
    const kind = this.days.get(day);
    if (kind === 'holiday') return false;
    if (kind === 'workday') return true;
    return !isWeekend(day);
  }

  /**
   * The `n`-th working day after `date` (n ≥ 1; the day itself never counts, whatever it is):
   * reported on Friday, 2 working days later is Tuesday, unless the weekend holds a make-up day.
   */
  addWorkingDays(date: string | Date, n: number): string {
    if (!Number.isInteger(n) || n < 1) throw new Error(`addWorkingDays counts 1 or more working days, not ${n}`);
    let day = typeof date === 'string' ? date : chinaDate(date);
    for (let left = n; left > 0;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) left--;
    }
    return day;
  }
}

/**
 * The longest run of days without a working day the calendar can hold and still be counted
 * through: the longest official break is 9 days (Spring Festival 2026); a month leaves room for an
 * operator's longer entry.
 */
const LONGEST_BREAK_DAYS = 31;

/** The calendar read from the database for [from, through]. */
export async function readWorkingCalendar(sql: Sql, from: string, through: string): Promise<WorkingCalendar> {
  const found = await sql.query<{ day: string; kind: CalendarDayKind }>(
    "SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_day WHERE day BETWEEN $1::date AND $2::date",
    [from, through],
  );
  return new WorkingCalendar(new Map(found.rows.map((r) => [r.day, r.kind])), from, through);
}

/** The calendar read far enough past `date` to count `n` working days from it. */
export async function calendarFor(sql: Sql, date: string | Date, n: number): Promise<WorkingCalendar> {
  const from = typeof date === 'string' ? date : chinaDate(date);
  return readWorkingCalendar(sql, from, addDays(from, (n + 1) * LONGEST_BREAK_DAYS));
}

/** `addWorkingDays` over the database's calendar: the `n`-th working day after `date`, in China time. */
export async function addWorkingDays(sql: Sql, date: string | Date, n: number): Promise<string> {
  return (await calendarFor(sql, date, n)).addWorkingDays(date, n);
}

/** `isWorkingDay` over the database's calendar, in China time. */
export async function isWorkingDay(sql: Sql, date: string | Date): Promise<boolean> {
  const day = typeof date === 'string' ? date : chinaDate(date);
  return (await readWorkingCalendar(sql, day, day)).isWorkingDay(day);
}
