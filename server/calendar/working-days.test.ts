/**
 * The working-day calendar as shipped (0021_working_calendar.sql: the State Council's notice for
 * 2026) and as a centre keeps it: the 2-working-day rules counted across weekends, holidays and
 * make-up working days, in China time whatever the instant's UTC date. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, expectSound, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { addWorkingDays, chinaDate, chinaMidnight, isWorkingDay, readWorkingCalendar } from './working-days.ts';
import { lossEffectiveAt } from '../cards/loss-report.ts';

describe(`the working-day calendar, on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  // [from, n, the n-th working day after it, why]
  const COUNTS: Array<[string, number, string, string]> = [
    ['2026-03-06', 1, '2026-03-09', 'an ordinary weekend: Friday to Monday'],
    ['2026-03-06', 2, '2026-03-10', 'an ordinary weekend: Friday, 2 working days, Tuesday'],
    ['2026-03-07', 2, '2026-03-10', 'from a Saturday, the Monday is the first'],
    ['2026-03-04', 2, '2026-03-06', 'within a week'],
    ['2025-12-31', 1, '2026-01-04', "New Year's Day 1–3 January, Sunday 4 January worked"],
    ['2025-12-31', 2, '2026-01-05', "after New Year's make-up Sunday"],
    ['2026-02-12', 1, '2026-02-13', 'the Friday before Spring Festival'],
    ['2026-02-12', 2, '2026-02-14', 'Saturday 14 February is worked (调休)'],
    ['2026-02-13', 2, '2026-02-24', 'Saturday 14 February, then Spring Festival 15–23 February'],
    ['2026-02-14', 1, '2026-02-24', 'from the make-up Saturday across the whole festival'],
    ['2026-02-20', 2, '2026-02-25', 'reported during the festival (a Friday off)'],
    ['2026-02-23', 1, '2026-02-24', 'the festival ends on Monday 23 February'],
    ['2026-02-27', 1, '2026-02-28', 'Saturday 28 February is worked'],
    ['2026-02-27', 2, '2026-03-02', 'then Sunday off'],
    ['2026-04-03', 1, '2026-04-07', 'Qingming 4–6 April takes the Monday'],
    ['2026-04-30', 1, '2026-05-06', 'Labour Day 1–5 May'],
    ['2026-04-30', 4, '2026-05-09', 'Saturday 9 May is worked'],
    ['2026-06-18', 1, '2026-06-22', 'Dragon Boat 19–21 June'],
    ['2026-09-18', 1, '2026-09-20', 'Sunday 20 September is worked before National Day'],
    ['2026-09-18', 2, '2026-09-21', 'then Monday'],
    ['2026-09-23', 2, '2026-09-28', 'Mid-Autumn 25–27 September'],
    ['2026-09-30', 1, '2026-10-08', 'National Day 1–7 October'],
    ['2026-09-30', 2, '2026-10-09', 'the Friday after National Day'],
    ['2026-09-30', 3, '2026-10-10', 'Saturday 10 October is worked'],
    ['2026-09-30', 4, '2026-10-12', 'then Sunday off'],
    ['2026-12-31', 1, '2027-01-01', 'no 2027 notice shipped: 2027 follows the weekly rule until a centre enters it'],
  ];

  it.each(COUNTS)('%s + %i working days is %s (%s)', async (from, n, expected) => {
    expect(await addWorkingDays(t.db, from, n)).toBe(expected);
  });

  // [date, working?]
  const DAYS: Array<[string, boolean]> = [
    ['2026-01-01', false],
    ['2026-01-04', true],
    ['2026-02-14', true],
    ['2026-02-15', false],
    ['2026-02-23', false],
    ['2026-02-24', true],
    ['2026-02-28', true],
    ['2026-03-01', false],
    ['2026-03-07', false],
    ['2026-03-09', true],
    ['2026-05-09', true],
    ['2026-09-20', true],
    ['2026-10-07', false],
    ['2026-10-10', true],
    ['2026-10-11', false],
  ];

  it.each(DAYS)('%s is a working day: %s', async (date, working) => {
    expect(await isWorkingDay(t.db, date)).toBe(working);
  });

  it("reads an instant as China's date: 01:00 on Friday in Shanghai is still Thursday in UTC", async () => {
    const instant = new Date('2026-03-05T17:00:00Z');
    expect(chinaDate(instant)).toBe('2026-03-06');
    expect(await addWorkingDays(t.db, instant, 2)).toBe('2026-03-10');
    expect(chinaMidnight('2026-03-11').toISOString()).toBe('2026-03-10T16:00:00.000Z');
    expect(await isWorkingDay(t.db, new Date('2026-02-14T15:59:59Z'))).toBe(true); // 23:59:59 on the make-up Saturday
    expect(await isWorkingDay(t.db, new Date('2026-02-14T16:00:00Z'))).toBe(false); // midnight: Spring Festival
  });

  it('refuses to answer outside the window it read, rather than forget a holiday', async () => {
    const calendar = await readWorkingCalendar(t.db, '2026-02-01', '2026-02-10');
    expect(() => calendar.isWorkingDay('2026-02-15')).toThrow(/outside/);
    expect(() => calendar.addWorkingDays('2026-02-06', 5)).toThrow(/outside/);
  });

  // [reported at (UTC instant), effective at (UTC instant)]: the start of the day after the 2nd working day, China time.
  const LOSSES: Array<[string, string, string]> = [
    ['2026-03-04T02:00:00Z', '2026-03-06T16:00:00.000Z', 'Wednesday: effective Saturday 00:00, after Thursday and Friday'],
    ['2026-03-05T17:00:00Z', '2026-03-10T16:00:00.000Z', 'Friday 01:00 in China: Monday and Tuesday'],
    ['2026-02-12T02:00:00Z', '2026-02-14T16:00:00.000Z', 'Thursday before Spring Festival: Friday and the make-up Saturday'],
    ['2026-02-13T02:00:00Z', '2026-02-24T16:00:00.000Z', 'Friday before Spring Festival: the make-up Saturday and Tuesday 24'],
    ['2026-09-30T02:00:00Z', '2026-10-09T16:00:00.000Z', 'the eve of National Day: 8 and 9 October'],
  ];

  it.each(LOSSES)('a loss reported at %s takes effect at %s (%s)', async (reported, effective) => {
    expect((await lossEffectiveAt(t.db, new Date(reported))).toISOString()).toBe(effective);
  });

  it('is kept by a centre operator: a day set, replayed, put back, audited; a make-up working day only at a weekend', async () => {
    const get = async (year: number, who = t.as.outlet_operator) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/calendar?year=${year}`, headers: who })).json();
    const y2026 = await get(2026);
    expect(y2026.days).toHaveLength(33 + 6); // the notice: 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, 6 make-up working days;
    expect(y2026.days.find((d: { date: string }) => d.date === '2026-02-14')).toMatchObject({
      kind: 'workday',
      name: '春节',
      source: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
      updatedBy: null,
    });

    const body = { operationId: randomUUID(), date: '2026-12-31', kind: 'holiday', name: '省内调整', source: '省政府通知' };
    expect((await t.post('/api/v1/calendar/days', body, t.as.outlet_operator)).json().error.code).toBe('FORBIDDEN');
    const set = await t.post('/api/v1/calendar/days', body, t.as.center_operator);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().days.at(-1)).toMatchObject({ date: '2026-12-31', kind: 'holiday', updatedBy: expect.any(String) });
    expect(await addWorkingDays(t.db, '2026-12-30', 1)).toBe('2027-01-01');
    expect(await isWorkingDay(t.db, '2026-12-31')).toBe(false);
    const replay = await t.post('/api/v1/calendar/days', body, t.as.center_operator);
    expect(replay.json()).toEqual(set.json());
    const conflict = await t.post('/api/v1/calendar/days', { ...body, name: '另一个' }, t.as.center_operator);
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');

    const before = await snapshot(t.db, ['calendar_day']);
    const weekday = { operationId: randomUUID(), date: '2026-12-30', kind: 'workday', name: '调休', source: '省政府通知' };
    const refused = await t.post('/api/v1/calendar/days', weekday, t.as.center_operator);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('CALENDAR_DAY_INVALID');
    expect(await snapshot(t.db, ['calendar_day'])).toBe(before);

    const back = await t.post(
      '/api/v1/calendar/days',
      { operationId: randomUUID(), date: '2026-12-31', kind: 'normal' },
      t.as.center_operator,
    );
    expect(back.statusCode, back.body).toBe(200);
    expect(await isWorkingDay(t.db, '2026-12-31')).toBe(true);
    const audit = await t.db.query<{ detail: { before: unknown; after: unknown } }>(
      "SELECT detail FROM audit_log WHERE action = 'calendar.set_day' AND subject = '2026-12-31' ORDER BY at",
    );
    expect(audit.rows.map((r) => r.detail)).toEqual([
      { before: null, after: { kind: 'holiday', name: '省内调整', source: '省政府通知' } },
      { before: { kind: 'holiday', name: '省内调整', source: '省政府通知' }, after: null },
    ]);
    expect((await get(2027)).days).toEqual([]);
  });
});
