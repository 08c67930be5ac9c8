/**
 * Demo data for a new installation: an organisation tree, an outlet with a kiosk and a tablet,
 * customers and their cards, all marked as demo (app_meta.demo = 'true', names prefixed 演示/Demo).
 * Runs only on an empty database (no org_unit rows) and only when config.demo is on, in one
 * transaction, so a second start reuses what is there (giving the demo devices their published
 * secrets again).
 */
import type { Database, Sql } from '../db/index.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { seedDemoStock } from '../stock/demo.ts';
import { seedDemoMoney, prepareDemoSecrets, storeDemoDeviceSecrets, DEMO_OPERATOR_PASSWORD, DEMO_DEVICE_SECRETS } from './money.ts';

export { DEMO_OPERATOR_PASSWORD, DEMO_DEVICE_SECRETS };

export type SeedResult = { seeded: boolean };

async function insertUnit(tx: Sql, unit: { parentId: bigint | null; kind: string; code: string; zh: string; en: string }): Promise<bigint> {
  const result = await tx.query<{ id: bigint }>(
    'INSERT INTO org_unit (parent_id, kind, code, name_zh, name_en) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [unit.parentId, unit.kind, unit.code, unit.zh, unit.en],
  );
  return result.rows[0]!.id;
}

export type DemoUnits = { provinceId: bigint; centerId: bigint; outletId: bigint; stationId: bigint; otherCityOutletId: bigint };

async function seedOrganisation(tx: Sql): Promise<DemoUnits> {
  const provinceId = await insertUnit(tx, { parentId: null, kind: 'province', code: '32', zh: '演示省公司', en: 'Demo Province Co.' });
  const city = await insertUnit(tx, { parentId: provinceId, kind: 'city', code: '3201', zh: '演示市分公司', en: 'Demo City Branch' });
  const centerId = await insertUnit(tx, { parentId: city, kind: 'center', code: '3201C', zh: '演示卡管理中心', en: 'Demo Card Centre' });
  const outletId = await insertUnit(tx, { parentId: city, kind: 'outlet', code: '3201001', zh: '演示营业网点', en: 'Demo Outlet' });
  const stationId = await insertUnit(tx, { parentId: city, kind: 'station', code: '3201S01', zh: '演示加油站', en: 'Demo Station' });
  // A second city, so that "out of scope" has somewhere to be.
  const otherCity = await insertUnit(tx, {
    parentId: provinceId,
    kind: 'city',
    code: '3202',
    zh: '演示另一市分公司',
    en: 'Demo Other City Branch',
  });
  const otherCityOutletId = await insertUnit(tx, {
    parentId: otherCity,
    kind: 'outlet',
    code: '3202001',
    zh: '演示另一市网点',
    en: 'Demo Other City Outlet',
  });
  await seedReceiptDetails(tx, { provinceId, outletId, stationId });
  return { provinceId, centerId, outletId, stationId, otherCityOutletId };
}

/**
 * What the demo's receipts print (server/stations/station.ts): the company's service hotline set
 * once on the province, an address on the station and the outlet, as an installer sets them with
 * `npm run admin -- station-info`.
 */
async function seedReceiptDetails(tx: Sql, units: { provinceId: bigint; outletId: bigint; stationId: bigint }): Promise<void> {
  await tx.query("UPDATE org_unit SET hotline = '95504' WHERE id = $1", [units.provinceId]);
  const address = 'UPDATE org_unit SET address_zh = $2, address_en = $3 WHERE id = $1';
  await tx.query(address, [units.stationId, '南京市玄武区中山东路188号', '188 Zhongshan East Road, Xuanwu District, Nanjing']);
  await tx.query(address, [units.outletId, '南京市鼓楼区北京西路66号', '66 Beijing West Road, Gulou District, Nanjing']);
}

async function seedDevices(tx: Sql, units: DemoUnits): Promise<void> {
  await tx.query('INSERT INTO device (id, kind, org_unit_id, name, terminal_id) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)', [
    'demo-kiosk-1',
    'kiosk',
    units.stationId,
    '演示自助终端 1',
    '320100000001',
    'demo-tablet-1',
    'tablet',
    units.outletId,
    '演示网点平板 1',
    '320100000002',
  ]);
}

/** The demo's identity numbers carry valid check characters (server/contract/customer-rules.ts). */
async function seedCustomers(tx: Sql, outletId: bigint): Promise<void> {
  await tx.query(
    `INSERT INTO customer (kind, name, id_doc_type, id_doc_no, phone, tax_id, contact_name, contact_phone, org_unit_id) VALUES
      ('personal', '演示客户张伟', 'resident_id', '320102199001011232', '13800000001', NULL, NULL, NULL, $1),
      ('unit', '演示物流有限公司', NULL, NULL, NULL, '91320100MA1DEM0A5X', '演示联系人李娜', '02500000001', $1)`,
    [outletId],
  );
}

/** `kekHex`: the key-encryption key the demo's issuer master keys are sealed under (default: the DEMO one). */
export async function seedDemo(db: Database, options: { kekHex?: string | undefined } = {}): Promise<SeedResult> {
  // Hashing passwords is slow (scrypt): done before the transaction, not inside it.
  const prepared = await prepareDemoSecrets();
  return db.transaction(async (tx) => {
    const existing = await tx.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM org_unit');
    if (existing.rows[0]!.n > 0n) {
      // A demo database from before devices signed their requests: its demo devices get keys.
      const demo = await tx.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'demo'");
      if (demo.rows[0]?.value === 'true') await storeDemoDeviceSecrets(tx, options.kekHex ?? DEMO_KEK_HEX);
      return { seeded: false };
    }
    const units = await seedOrganisation(tx);
    await seedDevices(tx, units);
    await seedCustomers(tx, units.outletId);
    await seedDemoMoney(tx, units, { kekHex: options.kekHex ?? DEMO_KEK_HEX, prepared });
    const city = await tx.query<{ parent_id: bigint }>('SELECT parent_id FROM org_unit WHERE id = $1', [units.outletId]);
    await seedDemoStock(tx, { provinceId: units.provinceId, cityId: city.rows[0]!.parent_id, outletId: units.outletId }, new Date());
    await tx.query("INSERT INTO app_meta (key, value) VALUES ('demo', 'true')");
    return { seeded: true };
  });
}
