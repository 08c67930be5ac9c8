/**
 * The working-day calendar (server/calendar/, 0021_working_calendar.sql): the days that break the
 * weekly rule (Monday to Friday working), as the State Council's yearly notice sets them — holidays
 * (放假) and make-up working days (调休上班). Every "after N working days" rule counts with it, in
 * China time. A centre operator keeps it.
 */
import { z } from 'zod';
import { OperationId } from './common.ts';
import { CalendarDate } from './stock.ts';

/** The years the calendar may be kept for. */
export const CALENDAR_YEAR_MIN = 2000;
export const CALENDAR_YEAR_MAX = 2099;

export const CalendarQuery = z.strictObject({
  year: z.coerce.number().int().min(CALENDAR_YEAR_MIN).max(CALENDAR_YEAR_MAX),
});
export type CalendarQuery = z.infer<typeof CalendarQuery>;

export const CalendarDayKind = z.enum(['holiday', 'workday']);
export type CalendarDayKind = z.infer<typeof CalendarDayKind>;

export const CalendarDay = z.object({
  date: CalendarDate,
  /** holiday: not worked though a weekday or weekend; workday: a Saturday or Sunday worked (调休上班). */
  kind: CalendarDayKind,
  /** The occasion, as the notice names it (春节, 国庆节). */
  name: z.string(),
  /** The notice's title and date for the shipped days, the operator's note for the others. */
  source: z.string(),
  /** Who entered or changed it last; null for the shipped days. */
  updatedBy: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export type CalendarDay = z.infer<typeof CalendarDay>;

export const CalendarYear = z.object({
  year: z.number().int(),
  /** The year's exceptions in date order; every other day follows the weekly rule. */
  days: z.array(CalendarDay),
});
export type CalendarYear = z.infer<typeof CalendarYear>;

/**
 * Set one day: a holiday or a make-up working day (a Saturday or Sunday only), or `normal` to put
 * it back to the weekly rule. Loss reports already made keep the effective time they were given.
 */
export const CalendarSetDayRequest = z.discriminatedUnion('kind', [
  z.strictObject({
    operationId: OperationId,
    date: CalendarDate,
    kind: CalendarDayKind,
    name: z.string().trim().min(1).max(40),
    /** Where the day comes from (the notice), kept with it. */
    source: z.string().trim().min(1).max(200),
  }),
  z.strictObject({ operationId: OperationId, date: CalendarDate, kind: z.literal('normal') }),
]);
export type CalendarSetDayRequest = z.infer<typeof CalendarSetDayRequest>;
