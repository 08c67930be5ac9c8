/**
 * Card stock: a centre stocks a batch in at the province, requisitions move ranges one level down,
 * the stock query shows each unit's counts and ranges. Exactly once by operation id; every refusal
 * (wrong role, wrong unit, numbers that disagree, cards not held, replayed ids with another
 * request, malformed bodies) changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StockView } from '../contract/index.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { ApiError } from '../errors.ts';
import { stockInAsOperator } from './console.ts';

const TABLES = ['card', 'stock_batch', 'stock_movement', 'operation', 'audit_log'];
/** User cards, key version 1, province 32 (the demo's keys), serials far from the demo's cards. */
const no = (serial: number, type = '01', kv = '1') => `0100${type}${kv}3200${String(serial).padStart(9, '0')}`;
const FUTURE = '2031-12-31';

describe(`card stock on ${testEngine()}`, () => {
  let t: TestApp;
  let unit: Record<'province' | 'city' | 'otherCity' | 'outlet' | 'station' | 'center', string>;
  let province: Headers;

  beforeAll(async () => {
    t = await openTestApp();
    const ids = await t.db.query<{ code: string; id: bigint }>('SELECT code, id FROM org_unit');
    const by = new Map(ids.rows.map((r) => [r.code, String(r.id)]));
    unit = {
      province: by.get('32')!,
      city: by.get('3201')!,
      otherCity: by.get('3202')!,
      outlet: by.get('3201001')!,
      station: by.get('3201S01')!,
      center: by.get('3201C')!,
    };
    province = t.as.administrator;
  });
  afterEach(async () => expectSound(t.db));
  afterAll(async () => t.close());

  const stockIn = (body: Record<string, unknown>, headers: Headers = province) =>
    t.post('/api/v1/stock/batches', { operationId: randomUUID(), cardType: 'user', keyVersion: 1, expiresOn: FUTURE, ...body }, headers);
  const requisition = (body: Record<string, unknown>, headers: Headers) =>
    t.post('/api/v1/stock/requisitions', { operationId: randomUUID(), ...body }, headers);
  const query = async (q: string, headers: Headers): Promise<StockView> => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/stock${q}`, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const held = (view: StockView, unitId: string) => view.units.find((u) => u.unitId === unitId)?.holdings ?? [];
  /** This test's ranges of a unit (the demo's own stock, demo/seed.ts, lies on serials below 500,000,000). */
  const mine = (view: StockView, unitId: string) =>
    held(view, unitId).flatMap((h) =>
      h.ranges.filter((r) => r.firstCardNo.slice(11) >= '500000000').map((r) => ({ cardType: h.cardType, ...r })),
    );

  it('stocks a batch in at the province, set-wise, with its movement and audit entry; a replay answers the first answer', async () => {
    const body = { operationId: randomUUID(), firstCardNo: no(500_000_001), lastCardNo: no(500_000_100) };
    const first = await stockIn(body);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ unitId: unit.province, cardType: 'user', keyVersion: 1, cardCount: 100, expiresOn: FUTURE });
    const before = await snapshot(t.db, TABLES);
    const again = await stockIn(body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await snapshot(t.db, TABLES)).toBe(before);
    const conflict = await stockIn({ ...body, lastCardNo: no(500_000_099) });
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const cards = await t.db.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM card WHERE state = 'stock' AND stock_unit_id = $1 AND expires_on = $2 AND stock_batch_id = $3",
      [unit.province, FUTURE, first.json().batchId],
    );
    expect(cards.rows[0]!.n).toBe(100);
    const audit = await t.db.query("SELECT 1 FROM audit_log WHERE action = 'stock.in' AND subject = $1", [
      `stock_batch:${first.json().batchId}`,
    ]);
    expect(audit.rows).toHaveLength(1);
  });

  it('refuses stock-ins that disagree, overlap, expire, land below the province or come from the wrong role, changing nothing', async () => {
    const before = await snapshot(t.db, TABLES);
    const refusals: Array<[Record<string, unknown>, Headers, string]> = [
      [{ firstCardNo: no(500_000_200, '04'), lastCardNo: no(500_000_210, '04') }, province, 'STOCK_RANGE_INVALID'], // declared user, numbers say employee
      [{ firstCardNo: no(500_000_200, '01', '2'), lastCardNo: no(500_000_210, '01', '2') }, province, 'STOCK_RANGE_INVALID'], // key version 2
      [{ firstCardNo: no(500_000_210), lastCardNo: no(500_000_200) }, province, 'STOCK_RANGE_INVALID'], // backwards
      [{ firstCardNo: no(500_000_001), lastCardNo: no(500_010_001) }, province, 'STOCK_RANGE_INVALID'], // over the limit
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210, '04') }, province, 'STOCK_RANGE_INVALID'], // two types
      [{ firstCardNo: '01000113990000000001', lastCardNo: '01000113990000000002' }, province, 'STOCK_RANGE_INVALID'], // not 00 after province
      [{ firstCardNo: no(500_000_090), lastCardNo: no(500_000_110) }, province, 'STOCK_CARDS_EXIST'], // overlaps the first batch
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210), expiresOn: '2020-01-01' }, province, 'STOCK_EXPIRY_INVALID'],
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210), unitId: '999999' }, province, 'STOCK_UNIT_INVALID'],
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210) }, t.as.center_operator, 'STOCK_UNIT_INVALID'], // the city centre acts for the city, not a province
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210) }, t.as.outlet_operator, 'FORBIDDEN'],
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210) }, t.kiosk, 'FORBIDDEN'],
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210), extra: 1 }, province, 'INVALID_REQUEST'],
      [{ firstCardNo: '123', lastCardNo: no(500_000_210) }, province, 'INVALID_REQUEST'],
      [{ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210), keyVersion: 10 }, province, 'INVALID_REQUEST'],
    ];
    for (const [body, headers, code] of refusals) {
      const r = await stockIn(body, headers);
      expect(r.json().error?.code, JSON.stringify(body)).toBe(code);
    }
    const city = await stockIn({ firstCardNo: no(500_000_200), lastCardNo: no(500_000_210), unitId: unit.city });
    expect(city.json().error.code).toBe('STOCK_UNIT_INVALID');
    expect(await snapshot(t.db, TABLES)).toBe(before);
  });

  it('moves ranges one level down by the giving centre, and the query shows counts and ranges per unit', async () => {
    const down = await requisition({ toUnitId: unit.city, firstCardNo: no(500_000_011), lastCardNo: no(500_000_060) }, province);
    expect(down.statusCode, down.body).toBe(200);
    expect(down.json()).toMatchObject({ fromUnitId: unit.province, toUnitId: unit.city, cardCount: 50 });
    // The city's centre (demo.center) gives to the outlet under the city.
    const toOutlet = await requisition(
      { toUnitId: unit.outlet, firstCardNo: no(500_000_021), lastCardNo: no(500_000_030) },
      t.as.center_operator,
    );
    expect(toOutlet.statusCode, toOutlet.body).toBe(200);

    const all = await query('', province);
    expect(mine(all, unit.province)).toEqual([
      { cardType: 'user', firstCardNo: no(500_000_001), lastCardNo: no(500_000_010), count: 10 },
      { cardType: 'user', firstCardNo: no(500_000_061), lastCardNo: no(500_000_100), count: 40 },
    ]);
    expect(mine(all, unit.city)).toEqual([
      { cardType: 'user', firstCardNo: no(500_000_011), lastCardNo: no(500_000_020), count: 10 },
      { cardType: 'user', firstCardNo: no(500_000_031), lastCardNo: no(500_000_060), count: 30 },
    ]);
    expect(mine(all, unit.outlet)).toEqual([{ cardType: 'user', firstCardNo: no(500_000_021), lastCardNo: no(500_000_030), count: 10 }]);
    // Counts are whole: the demo's 50 stock cards at the outlet and these 10.
    expect(held(all, unit.outlet)).toMatchObject([{ cardType: 'user', count: 60 }]);
    expect(all.actingUnitId).toBeNull();

    // The city centre sees its city's subtree only; outlet staff their outlet only.
    const centre = await query('', t.as.center_operator);
    expect(centre.actingUnitId).toBe(unit.city);
    expect(centre.units.map((u) => u.unitId)).toContain(unit.outlet);
    expect(centre.units.map((u) => u.unitId)).not.toContain(unit.province);
    expect(centre.units.map((u) => u.unitId)).not.toContain(unit.otherCity);
    const outlet = await query('', t.as.outlet_operator);
    expect(outlet.units.map((u) => u.unitId)).toEqual([unit.outlet]);
    expect((await query(`?unit=${unit.outlet}&cardType=user`, t.as.center_operator)).units).toHaveLength(1);
    expect((await query(`?cardType=manage`, province)).units.every((u) => u.holdings.length === 0)).toBe(true);
    const otherCity = await t.app.inject({ method: 'GET', url: `/api/v1/stock?unit=${unit.otherCity}`, headers: t.as.center_operator });
    expect(otherCity.json().error.code).toBe('OUT_OF_SCOPE');
    const otherOutlet = await t.app.inject({ method: 'GET', url: `/api/v1/stock?unit=${unit.city}`, headers: t.as.outlet_operator });
    expect(otherOutlet.json().error.code).toBe('OUT_OF_SCOPE');
    const kiosk = await t.app.inject({ method: 'GET', url: '/api/v1/stock', headers: t.kiosk });
    expect(kiosk.json().error.code).toBe('FORBIDDEN');
  });

  it('refuses moves from the wrong place, skipping levels, to the wrong kind of unit, or by the wrong centre, changing nothing', async () => {
    // Non-user cards for the outlet test.
    const employee = await stockIn({ firstCardNo: no(500_000_001, '04'), lastCardNo: no(500_000_005, '04'), cardType: 'employee' });
    expect(employee.statusCode, employee.body).toBe(200);
    expect(
      (await requisition({ toUnitId: unit.city, firstCardNo: no(500_000_001, '04'), lastCardNo: no(500_000_005, '04') }, province))
        .statusCode,
    ).toBe(200);
    const before = await snapshot(t.db, TABLES);
    const refusals: Array<[Record<string, unknown>, Headers, string]> = [
      [{ toUnitId: unit.city, firstCardNo: no(500_000_021), lastCardNo: no(500_000_030) }, province, 'STOCK_NOT_HELD'], // already at the outlet
      [{ toUnitId: unit.city, firstCardNo: no(500_000_001), lastCardNo: no(500_000_011) }, province, 'STOCK_NOT_HELD'], // 011 is the city's
      [{ toUnitId: unit.city, firstCardNo: no(500_000_095), lastCardNo: no(500_000_105) }, province, 'STOCK_NOT_HELD'], // runs past the batch
      [{ toUnitId: unit.city, firstCardNo: no(1), lastCardNo: no(1) }, province, 'STOCK_NOT_HELD'], // an issued demo card
      [{ toUnitId: unit.outlet, firstCardNo: no(500_000_001), lastCardNo: no(500_000_002) }, province, 'STOCK_NOT_HELD'], // skipping the city: the giver is the city
      [
        { toUnitId: unit.outlet, firstCardNo: no(500_000_001, '04'), lastCardNo: no(500_000_002, '04') },
        t.as.center_operator,
        'STOCK_OUTLET_USER_CARDS_ONLY',
      ],
      [{ toUnitId: unit.station, firstCardNo: no(500_000_031), lastCardNo: no(500_000_031) }, t.as.center_operator, 'STOCK_UNIT_INVALID'],
      [{ toUnitId: unit.center, firstCardNo: no(500_000_031), lastCardNo: no(500_000_031) }, t.as.center_operator, 'STOCK_UNIT_INVALID'],
      [{ toUnitId: unit.province, firstCardNo: no(500_000_031), lastCardNo: no(500_000_031) }, t.as.center_operator, 'STOCK_UNIT_INVALID'],
      [{ toUnitId: '999999', firstCardNo: no(500_000_031), lastCardNo: no(500_000_031) }, t.as.center_operator, 'STOCK_UNIT_INVALID'],
      [{ toUnitId: unit.otherCity, firstCardNo: no(500_000_001), lastCardNo: no(500_000_002) }, t.as.center_operator, 'OUT_OF_SCOPE'], // the province's to give
      [{ toUnitId: unit.outlet, firstCardNo: no(500_000_031), lastCardNo: no(500_000_031) }, t.as.outlet_supervisor, 'FORBIDDEN'],
      [
        { toUnitId: unit.outlet, firstCardNo: no(500_000_031), lastCardNo: no(500_000_031), note: 'x' },
        t.as.center_operator,
        'INVALID_REQUEST',
      ],
    ];
    for (const [body, headers, code] of refusals) {
      const r = await requisition(body, headers);
      expect(r.json().error?.code, JSON.stringify(body)).toBe(code);
    }
    expect(await snapshot(t.db, TABLES)).toBe(before);
  });

  it('answers a replayed requisition as the first time even after the cards moved on, and refuses another operator reusing its id', async () => {
    const body = { operationId: randomUUID(), toUnitId: unit.outlet, firstCardNo: no(500_000_031), lastCardNo: no(500_000_035) };
    const first = await t.post('/api/v1/stock/requisitions', body, t.as.center_operator);
    expect(first.statusCode, first.body).toBe(200);
    const [a, b] = await Promise.all([
      t.post('/api/v1/stock/requisitions', body, t.as.center_operator),
      t.post('/api/v1/stock/requisitions', body, t.as.center_operator),
    ]);
    expect(a.json()).toEqual(first.json());
    expect(b.json()).toEqual(first.json());
    const stolen = await t.post('/api/v1/stock/requisitions', body, t.as.administrator);
    expect(stolen.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const moves = await t.db.query('SELECT 1 FROM stock_movement WHERE operation_id = $1', [body.operationId]);
    expect(moves.rows).toHaveLength(1);
  });

  it('stocks in from the console under the operator named, and refuses a name that is no centre operator or administrator', async () => {
    const batch = {
      firstCardNo: no(500_100_001),
      lastCardNo: no(500_100_010),
      cardType: 'user' as const,
      keyVersion: 1,
      expiresOn: FUTURE,
    };
    const done = await stockInAsOperator(t.db, 'demo.admin', { ...batch, unitCode: '32' }, new Date());
    expect(done).toMatchObject({ unitId: unit.province, cardCount: 10 });
    const before = await snapshot(t.db, TABLES);
    const refused = async (username: string, extra: Record<string, string> = {}) =>
      stockInAsOperator(t.db, username, { ...batch, firstCardNo: no(500_100_011), lastCardNo: no(500_100_020), ...extra }, new Date()).then(
        () => 'applied',
        (error: unknown) => (error instanceof ApiError ? error.code : 'crashed'),
      );
    expect(await refused('demo.operator')).toBe('FORBIDDEN');
    expect(await refused('nobody.here')).toBe('NOT_FOUND');
    expect(await refused('demo.admin', { unitCode: '3201' })).toBe('STOCK_UNIT_INVALID');
    expect(await refused('demo.admin', { unitCode: 'NOPE' })).toBe('STOCK_UNIT_INVALID');
    expect(await snapshot(t.db, TABLES)).toBe(before);
  });

  it('keeps batches and movements append-only', async () => {
    await expect(t.db.query('DELETE FROM stock_movement')).rejects.toThrow(/append-only/);
    await expect(t.db.query('UPDATE stock_batch SET card_count = 1')).rejects.toThrow(/append-only/);
  });
});
