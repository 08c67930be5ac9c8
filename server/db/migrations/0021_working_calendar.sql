-- The working-day calendar (server/calendar/): the days that break the weekly rule (Monday to
-- Friday working, Saturday and Sunday not). A 'holiday' is a listed non-working day (法定节假日 and
-- the days taken with it, 放假调休); a 'workday' is a Saturday or Sunday worked in exchange (调休上班).
-- Every "after N working days" rule (a loss report's effect, the grey-unlock windows) counts with it,
-- in China time (Asia/Shanghai). A centre operator keeps it (calendar.set_day): a day's row is
-- replaced or, set back to the weekly rule, deleted; who changed it last and when stay on the row,
-- every change is audited.
CREATE TABLE calendar_day (
  day date PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  -- The occasion as the notice names it (春节, 国庆节, ...): shown on the centre's screen.
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  -- Where the day comes from: the notice's title and date for the shipped ones, the operator's note otherwise.
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  updated_by bigint REFERENCES operator (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- A holiday on a weekday or a weekend, but a make-up working day only on a Saturday or Sunday.
  CHECK (kind = 'holiday' OR extract(isodow FROM day) IN (6, 7))
);

-- 2026: 国务院办公厅关于2026年部分节假日安排的通知, 国务院办公厅, 2025年11月4日 (published by
-- Xinhua the same day). The notice's ranges, each day of them, and its make-up working days.
-- 2027's notice was not found when this was written: 2027 follows the weekly rule until a centre
-- operator enters it from the notice.
INSERT INTO calendar_day (day, kind, name, source)
SELECT d::date, 'holiday', h.name, '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)'
  FROM (VALUES
    ('元旦', DATE '2026-01-01', DATE '2026-01-03'),
    ('春节', DATE '2026-02-15', DATE '2026-02-23'),
    ('清明节', DATE '2026-04-04', DATE '2026-04-06'),
    ('劳动节', DATE '2026-05-01', DATE '2026-05-05'),
    ('端午节', DATE '2026-06-19', DATE '2026-06-21'),
    ('中秋节', DATE '2026-09-25', DATE '2026-09-27'),
    ('国庆节', DATE '2026-10-01', DATE '2026-10-07')
  ) AS h (name, first_day, last_day),
  generate_series(h.first_day, h.last_day, INTERVAL '1 day') AS d;

INSERT INTO calendar_day (day, kind, name, source)
SELECT w.day, 'workday', w.name, '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)'
  FROM (VALUES
    (DATE '2026-01-04', '元旦'),
    (DATE '2026-02-14', '春节'),
    (DATE '2026-02-28', '春节'),
    (DATE '2026-05-09', '劳动节'),
    (DATE '2026-09-20', '国庆节'),
    (DATE '2026-10-10', '国庆节')
  ) AS w (day, name);
