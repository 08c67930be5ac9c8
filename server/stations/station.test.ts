import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, StationInfo } from '../contract/index.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { setStationInfo } from './station.ts';

/** What the demo seed (server/demo/seed.ts) gives the demo kiosk's station and its province. */
const DEMO_STATION: StationInfo = {
  code: '3201S01',
  nameZh: '演示加油站',
  nameEn: 'Demo Station',
  addressZh: '南京市玄武区中山东路188号',
  addressEn: '188 Zhongshan East Road, Xuanwu District, Nanjing',
  hotline: '95504',
};

describe(`a device's station for its receipts on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const ask = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: ENDPOINTS.deviceStation.path, headers });

  it("tells a kiosk its own station, with the province's hotline, and a tablet its outlet", async () => {
    const kiosk = await ask(t.kiosk);
    expect(kiosk.statusCode, kiosk.body).toBe(200);
    expect(StationInfo.parse(kiosk.json())).toEqual(DEMO_STATION);
    const tablet = await ask(t.tablet);
    expect(tablet.json()).toMatchObject({ code: '3201001', nameZh: '演示营业网点', hotline: '95504' });
  });

  it('answers no operator and no stranger: the station is what a device prints', async () => {
    for (const headers of [t.as.outlet_operator, t.as.administrator, t.as.center_operator]) {
      const refused = await ask(headers);
      expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    }
    const unsigned = await ask({});
    expect([unsigned.statusCode, unsigned.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it("takes a station's own hotline before the province's, keeps what a change leaves out, and clears with null", async () => {
    await t.db.transaction((tx) => setStationInfo(tx, '3201S01', { hotline: '025-8888 6666' }));
    expect((await ask(t.kiosk)).json()).toEqual({ ...DEMO_STATION, hotline: '025-8888 6666' });
    await t.db.transaction((tx) => setStationInfo(tx, '3201S01', { hotline: null, addressEn: null }));
    expect((await ask(t.kiosk)).json()).toEqual({ ...DEMO_STATION, addressEn: null });
    await t.db.transaction((tx) => setStationInfo(tx, '3201S01', { addressEn: DEMO_STATION.addressEn }));
    expect((await ask(t.kiosk)).json()).toEqual(DEMO_STATION);
    const audit = await t.db.query<{ subject: string; detail: unknown }>(
      "SELECT subject, detail FROM audit_log WHERE action = 'org_unit.station_info' ORDER BY at, chain_no",
    );
    expect(audit.rows.map((r) => r.detail)).toEqual([
      { hotline: '025-8888 6666' },
      { hotline: null, addressEn: null },
      { addressEn: DEMO_STATION.addressEn },
    ]);
  });

  it('refuses an unknown unit, and the database refuses a hotline or an address no receipt can print, changing nothing', async () => {
    const before = await snapshot(t.db, ['org_unit', 'audit_log']);
    await expect(t.db.transaction((tx) => setStationInfo(tx, 'NOPE99', { hotline: '95504' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.db.transaction((tx) => setStationInfo(tx, '3201S01', { hotline: 'call us' }))).rejects.toThrow(/check/i);
    await expect(t.db.transaction((tx) => setStationInfo(tx, '3201S01', { addressZh: 'x'.repeat(201) }))).rejects.toThrow(/check/i);
    expect(await snapshot(t.db, ['org_unit', 'audit_log'])).toBe(before);
  });
});
