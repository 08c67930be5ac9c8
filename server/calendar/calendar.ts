/**
 * Keeping the working-day calendar (0021_working_calendar.sql, contract/calendar.ts): a year's
 * exceptions read, one day set by a centre operator — exactly once by the operation id, audited
 * with the day as it was and as it became. Counting with it is working-days.ts.
 */
import type { Sql } from '../db/index.ts';
import type { CalendarDay, CalendarSetDayRequest, CalendarYear } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../http/services.ts';
import { appendAudit } from '../audit/log.ts';
import { exactlyOnce } from '../sync/exactly-once.ts';
import { isCalendarDate } from './working-days.ts';

type DayRow = { date: string; kind: CalendarDay['kind']; name: string; source: string; updated_by: string | null; updated_at: Date };

const DAY_SELECT = `SELECT to_char(d.day, 'YYYY-MM-DD') AS date, d.kind, d.name, d.source, o.display_name AS updated_by, d.updated_at
  FROM calendar_day d LEFT JOIN operator o ON o.id = d.updated_by`;

function viewOf(r: DayRow): CalendarDay {
  return { date: r.date, kind: r.kind, name: r.name, source: r.source, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString() };
}

/** A year's holidays and make-up working days, in date order. */
export async function calendarYear(sql: Sql, year: number): Promise<CalendarYear> {
  const found = await sql.query<DayRow>(`${DAY_SELECT} WHERE d.day BETWEEN make_date($1, 1, 1) AND make_date($1, 12, 31) ORDER BY d.day`, [
    year,
  ]);
  return { year, days: found.rows.map(viewOf) };
}

/** Whether `date` (a calendar date) is a Saturday or a Sunday. */
function isWeekendDate(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/**
 * One day set: a holiday, a make-up working day (a Saturday or Sunday only, else
 * CALENDAR_DAY_INVALID), or back to the weekly rule (its row deleted). Answers the day's year.
 */
export function setCalendarDay(services: Services, principal: Principal, r: CalendarSetDayRequest): Promise<CalendarYear> {
  // The contract's pattern admits 2026-02-30; the calendar does not.
  if (!isCalendarDate(r.date)) throw new ApiError('INVALID_REQUEST');
  if (r.kind === 'workday' && !isWeekendDate(r.date)) throw new ApiError('CALENDAR_DAY_INVALID');
  return exactlyOnce(services, principal, 'calendar.set_day', r.operationId, r, async (tx) => {
    const before = (await tx.query<DayRow>(`${DAY_SELECT} WHERE d.day = $1::date FOR UPDATE OF d`, [r.date])).rows[0];
    if (r.kind === 'normal') {
      await tx.query('DELETE FROM calendar_day WHERE day = $1::date', [r.date]);
    } else {
      await tx.query(
        `INSERT INTO calendar_day (day, kind, name, source, updated_by, updated_at) VALUES ($1::date, $2, $3, $4, $5, $6)
          ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, source = EXCLUDED.source,
            updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
        [r.date, r.kind, r.name, r.source, principal.operatorId, services.now()],
      );
    }
    await appendAudit(tx, principal, {
      action: 'calendar.set_day',
      subject: r.date,
      detail: {
        before: before ? { kind: before.kind, name: before.name, source: before.source } : null,
        after: r.kind === 'normal' ? null : { kind: r.kind, name: r.name, source: r.source },
      },
    });
    return calendarYear(tx, Number(r.date.slice(0, 4)));
  });
}
