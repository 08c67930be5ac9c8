import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, ENDPOINTS } from '../contract/index.ts';
import { DEMO_OPERATOR_PASSWORD } from '../demo/seed.ts';
import { deviceHeader, expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';

/** A centre's own upkeep of its part of the tree (组织机构, 设备管理): the calls the centre console makes. */
describe(`a centre keeping its units and devices on ${testEngine()}`, () => {
  let t: TestApp;
  const unitId = async (code: string): Promise<string> =>
    String((await t.db.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id);
  const asCentre = (endpoint: keyof typeof ENDPOINTS, body: Record<string, unknown>) =>
    t.post(ENDPOINTS[endpoint].path, body, t.as.center_operator);
  const syncPull = (h: Headers) => t.post(ENDPOINTS.syncPull.path, { contractVersion: CONTRACT_VERSION, cardNos: [] }, h);

  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  it('creates an outlet under its city and renames it, the code and parent staying, audited', async () => {
    const city = await unitId('3201');
    const created = await asCentre('createOrgUnit', {
      kind: 'outlet',
      code: '3201077',
      nameZh: '新街口营业厅',
      nameEn: 'Xinjiekou outlet',
      parentId: city,
    });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id as string;
    const renamed = await asCentre('renameOrgUnit', { orgUnitId: id, nameZh: '新街口北营业厅', nameEn: 'Xinjiekou North outlet' });
    expect(renamed.json()).toEqual({
      id,
      kind: 'outlet',
      code: '3201077',
      nameZh: '新街口北营业厅',
      nameEn: 'Xinjiekou North outlet',
      parentId: city,
    });
    const listed = (await t.app.inject({ method: 'GET', url: ENDPOINTS.listOrgUnits.path, headers: t.as.center_operator })).json();
    expect(listed.orgUnits).toContainEqual(renamed.json());
    const audit = await t.db.query<{ subject: string; detail: unknown }>(
      "SELECT subject, detail FROM audit_log WHERE action = 'org_unit.rename'",
    );
    expect(audit.rows).toEqual([
      {
        subject: '3201077',
        detail: {
          from: { nameZh: '新街口营业厅', nameEn: 'Xinjiekou outlet' },
          to: { nameZh: '新街口北营业厅', nameEn: 'Xinjiekou North outlet' },
        },
      },
    ]);
  });

  it('refuses renaming a unit outside its subtree or one that does not exist, a move, and changes nothing', async () => {
    const before = await snapshot(t.db);
    const far = await unitId('3202001');
    expect((await asCentre('renameOrgUnit', { orgUnitId: far, nameZh: '改名', nameEn: 'Renamed' })).json().error.code).toBe('OUT_OF_SCOPE');
    expect((await asCentre('renameOrgUnit', { orgUnitId: '999999', nameZh: '改名', nameEn: 'Renamed' })).json().error.code).toBe(
      'NOT_FOUND',
    );
    const mine = await unitId('3201001');
    expect((await asCentre('renameOrgUnit', { orgUnitId: mine, nameZh: '改名', nameEn: 'x', parentId: far })).json().error.code).toBe(
      'INVALID_REQUEST',
    );
    expect((await asCentre('renameOrgUnit', { orgUnitId: mine, nameZh: ' ', nameEn: 'x' })).json().error.code).toBe('INVALID_REQUEST');
    // Nor may it create or register in another city.
    expect(
      (
        await asCentre('createOrgUnit', {
          kind: 'station',
          code: '3202099',
          nameZh: '站',
          nameEn: 'Station',
          parentId: await unitId('3202'),
        })
      ).json().error.code,
    ).toBe('OUT_OF_SCOPE');
    expect(
      (
        await asCentre('registerDevice', {
          deviceId: 'far-tablet-7',
          kind: 'tablet',
          orgUnitId: far,
          terminalId: '320200000077',
          name: '平板',
        })
      ).json().error.code,
    ).toBe('OUT_OF_SCOPE');
    // Nor a new province: that sits above every centre's part of the tree.
    expect(
      (await asCentre('createOrgUnit', { kind: 'province', code: '99', nameZh: '新省', nameEn: 'New province', parentId: null })).json()
        .error.code,
    ).toBe('OUT_OF_SCOPE');
    expect((await asCentre('disableDevice', { deviceId: 'no-such-device' })).json().error.code).toBe('NOT_FOUND');
    expect((await asCentre('enableDevice', { deviceId: 'no-such-device' })).json().error.code).toBe('NOT_FOUND');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('registers and enrols a tablet; disabling it ends the sessions on it; re-enabling needs a new enrolment', async () => {
    const outlet = await unitId('3201001');
    const registered = await asCentre('registerDevice', {
      deviceId: 'centre-tablet-1',
      kind: 'tablet',
      orgUnitId: outlet,
      terminalId: '3201000000C1',
      name: '三号平板',
    });
    expect(registered.json()).toMatchObject({ state: 'active', enrolled: false });
    const code = (await asCentre('issueEnrolment', { deviceId: 'centre-tablet-1' })).json().enrolmentCode as string;
    const secret = (await t.post(ENDPOINTS.enrol.path, { deviceId: 'centre-tablet-1', enrolmentCode: code }, {})).json().secret as string;
    const tablet = deviceHeader('centre-tablet-1', secret);
    const signedIn = await t.post(ENDPOINTS.login.path, { username: 'demo.operator', password: DEMO_OPERATOR_PASSWORD }, tablet);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const session = { authorization: `Bearer ${signedIn.json().token as string}` };
    const stock = () => t.app.inject({ method: 'GET', url: ENDPOINTS.stockQuery.path, headers: session });
    expect((await stock()).statusCode).toBe(200);

    expect((await asCentre('disableDevice', { deviceId: 'centre-tablet-1' })).json()).toMatchObject({ state: 'disabled', enrolled: true });
    const sessions = await t.db.query("SELECT 1 FROM operator_session WHERE device_id = 'centre-tablet-1'");
    expect(sessions.rows).toEqual([]);
    expect((await stock()).statusCode).toBe(401);
    expect((await syncPull(tablet)).statusCode).toBe(401);

    const enabled = await asCentre('enableDevice', { deviceId: 'centre-tablet-1' });
    expect(enabled.json()).toMatchObject({ state: 'active', enrolled: false });
    // The old secret stays dead: whoever held the tablet while it was disabled may know it.
    expect((await syncPull(tablet)).statusCode).toBe(401);
    const fresh = (await asCentre('issueEnrolment', { deviceId: 'centre-tablet-1' })).json().enrolmentCode as string;
    const again = (await t.post(ENDPOINTS.enrol.path, { deviceId: 'centre-tablet-1', enrolmentCode: fresh }, {})).json().secret as string;
    expect((await syncPull(deviceHeader('centre-tablet-1', again))).statusCode).toBe(200);
    const actions = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE subject = 'centre-tablet-1' ORDER BY chain_no",
    );
    expect(actions.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['device.register', 'device.enrolment_issued', 'device.disable', 'device.enable']),
    );
  });
});
