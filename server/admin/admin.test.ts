import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, ENDPOINTS } from '../contract/index.ts';
import { deviceHeader, expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { PARENT_KINDS, parentAllowed } from './org-tree.ts';

describe(`setting up organisation units and devices on ${testEngine()}`, () => {
  let t: TestApp;
  const unitId = async (code: string): Promise<string> =>
    String((await t.db.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id);
  const get = (url: string, h: Headers) => t.app.inject({ method: 'GET', url, headers: h });
  const createUnit = (body: Record<string, unknown>, h: Headers = t.as.administrator) => t.post(ENDPOINTS.createOrgUnit.path, body, h);
  const register = (body: Record<string, unknown>) => t.post(ENDPOINTS.registerDevice.path, body, t.as.administrator);
  const auditOf = async (action: string) =>
    (
      await t.db.query<{ subject: string; operator_id: bigint | null }>(
        'SELECT subject, operator_id FROM audit_log WHERE action = $1 ORDER BY at, chain_no',
        [action],
      )
    ).rows.map((r) => ({ subject: r.subject, byOperator: r.operator_id !== null }));

  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  it('allows each kind of unit only under the kinds of parent the organisation has', () => {
    expect(parentAllowed('province', null)).toBe(true);
    expect(parentAllowed('city', null)).toBe(false);
    expect(parentAllowed('station', 'outlet')).toBe(true);
    expect(parentAllowed('station', 'province')).toBe(false);
    expect(parentAllowed('outlet', 'station')).toBe(false);
    for (const [kind, parents] of Object.entries(PARENT_KINDS)) expect(parents.includes(kind as never), kind).toBe(false);
  });

  it('creates a county, an outlet under it and a station under that, audited, and lists them within each caller’s scope', async () => {
    const city = await unitId('3201');
    const county = await createUnit({
      kind: 'county',
      code: '320101',
      nameZh: '测试县分公司',
      nameEn: 'Test County Branch',
      parentId: city,
    });
    expect(county.statusCode, county.body).toBe(200);
    expect(county.json()).toMatchObject({ kind: 'county', code: '320101', nameZh: '测试县分公司', parentId: city });
    const outlet = await createUnit({
      kind: 'outlet',
      code: '320101001',
      nameZh: '测试网点',
      nameEn: 'Test Outlet',
      parentId: county.json().id,
    });
    const station = await createUnit({
      kind: 'station',
      code: '320101S01',
      nameZh: '测试加油站',
      nameEn: 'Test Station',
      parentId: outlet.json().id,
    });
    expect(station.json()).toMatchObject({ kind: 'station', parentId: outlet.json().id });
    expect(await auditOf('org_unit.create')).toEqual(
      ['320101', '320101001', '320101S01'].map((subject) => ({ subject, byOperator: true })),
    );

    const asAdmin = (await get(ENDPOINTS.listOrgUnits.path, t.as.administrator)).json();
    expect(asAdmin.truncated).toBe(false);
    const codes = asAdmin.orgUnits.map((u: { code: string }) => u.code);
    expect(codes[0]).toBe('32');
    expect(codes).toEqual(expect.arrayContaining(['3201', '3202', '3202001', '320101', '320101001', '320101S01']));
    // Parents come before their children.
    expect(codes.indexOf('320101')).toBeLessThan(codes.indexOf('320101001'));
    expect(codes.indexOf('320101001')).toBeLessThan(codes.indexOf('320101S01'));
    // The centre of city 3201 sees its city and nothing of the province or the other city.
    const asCentre = (await get(ENDPOINTS.listOrgUnits.path, t.as.center_operator)).json().orgUnits.map((u: { code: string }) => u.code);
    expect(asCentre[0]).toBe('3201');
    expect(asCentre).toEqual(expect.arrayContaining(['3201C', '3201001', '3201S01', '320101S01']));
    expect(asCentre).not.toContain('32');
    expect(asCentre).not.toContain('3202');
  });

  it('refuses a unit under the wrong parent, a second root, a taken code or a missing parent, and changes nothing', async () => {
    const before = await snapshot(t.db);
    const province = await unitId('32');
    const station = await unitId('3201S01');
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'station', code: '32S99', nameZh: '站', nameEn: 'S', parentId: province }, 'ORG_UNIT_PARENT_INVALID'],
      [{ kind: 'outlet', code: '3201999', nameZh: '网点', nameEn: 'O', parentId: station }, 'ORG_UNIT_PARENT_INVALID'],
      [{ kind: 'city', code: '3299', nameZh: '市', nameEn: 'C', parentId: null }, 'ORG_UNIT_PARENT_INVALID'],
      [{ kind: 'province', code: '34', nameZh: '省', nameEn: 'P', parentId: province }, 'ORG_UNIT_PARENT_INVALID'],
      [{ kind: 'city', code: '3201', nameZh: '重复', nameEn: 'Duplicate', parentId: province }, 'ALREADY_EXISTS'],
      [{ kind: 'city', code: '3298', nameZh: '市', nameEn: 'C', parentId: '999999' }, 'NOT_FOUND'],
      [{ kind: 'city', code: 'lower', nameZh: '市', nameEn: 'C', parentId: province }, 'INVALID_REQUEST'],
      [{ kind: 'city', code: '3297', nameZh: '   ', nameEn: 'C', parentId: province }, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of refusals) expect((await createUnit(body)).json().error?.code, JSON.stringify(body)).toBe(code);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('registers a kiosk that then enrols with an administrator’s code, and disabling it stops its secret at once', async () => {
    const station = await unitId('3201S01');
    const registered = await register({
      deviceId: 'station-kiosk-2',
      kind: 'kiosk',
      orgUnitId: station,
      terminalId: '3201000000A2',
      name: '二号自助终端',
    });
    expect(registered.statusCode, registered.body).toBe(200);
    expect(registered.json()).toEqual({
      deviceId: 'station-kiosk-2',
      kind: 'kiosk',
      orgUnitId: station,
      terminalId: '3201000000A2',
      name: '二号自助终端',
      state: 'active',
      enrolled: false,
    });

    const code = (await t.post(ENDPOINTS.issueEnrolment.path, { deviceId: 'station-kiosk-2' }, t.as.administrator)).json()
      .enrolmentCode as string;
    const enrolled = await t.post(ENDPOINTS.enrol.path, { deviceId: 'station-kiosk-2', enrolmentCode: code }, {});
    expect(enrolled.json()).toMatchObject({ deviceId: 'station-kiosk-2', terminalId: '3201000000A2' });
    const device = deviceHeader('station-kiosk-2', enrolled.json().secret as string);
    expect((await t.post(ENDPOINTS.syncPull.path, { contractVersion: CONTRACT_VERSION, cardNos: [] }, device)).statusCode).toBe(200);
    const listed = (await get(ENDPOINTS.listDevices.path, t.as.center_operator)).json().devices;
    expect(listed.find((d: { deviceId: string }) => d.deviceId === 'station-kiosk-2')).toMatchObject({ state: 'active', enrolled: true });

    const disabled = await t.post(ENDPOINTS.disableDevice.path, { deviceId: 'station-kiosk-2' }, t.as.administrator);
    expect(disabled.json()).toMatchObject({ deviceId: 'station-kiosk-2', state: 'disabled', enrolled: true });
    expect((await t.post(ENDPOINTS.syncPull.path, { contractVersion: CONTRACT_VERSION, cardNos: [] }, device)).statusCode).toBe(401);
    // A code issued after disabling does not bring it back; disabling twice answers the same state.
    const again = (await t.post(ENDPOINTS.issueEnrolment.path, { deviceId: 'station-kiosk-2' }, t.as.administrator)).json()
      .enrolmentCode as string;
    expect((await t.post(ENDPOINTS.enrol.path, { deviceId: 'station-kiosk-2', enrolmentCode: again }, {})).json().error.code).toBe(
      'ENROLMENT_FAILED',
    );
    expect((await t.post(ENDPOINTS.disableDevice.path, { deviceId: 'station-kiosk-2' }, t.as.administrator)).json().state).toBe('disabled');
    expect(await auditOf('device.register')).toEqual([{ subject: 'station-kiosk-2', byOperator: true }]);
    expect(await auditOf('device.disable')).toEqual([{ subject: 'station-kiosk-2', byOperator: true }]);
  });

  it('refuses a device outside an outlet or station, a taken device or terminal id, or an unknown unit, and changes nothing', async () => {
    const before = await snapshot(t.db);
    const outlet = await unitId('3201001');
    const device = { deviceId: 'outlet-tablet-9', kind: 'tablet', orgUnitId: outlet, terminalId: '3201000000B9', name: '平板' };
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ ...device, orgUnitId: await unitId('3201') }, 'DEVICE_UNIT_INVALID'],
      [{ ...device, orgUnitId: await unitId('3201C') }, 'DEVICE_UNIT_INVALID'],
      [{ ...device, deviceId: 'demo-kiosk-1' }, 'ALREADY_EXISTS'],
      [{ ...device, terminalId: '320100000001' }, 'ALREADY_EXISTS'],
      [{ ...device, orgUnitId: '999999' }, 'NOT_FOUND'],
      [{ ...device, terminalId: '3201000000b9' }, 'INVALID_REQUEST'],
      [{ ...device, kind: 'pump' }, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of refusals) expect((await register(body)).json().error?.code, JSON.stringify(body)).toBe(code);
    expect((await t.post(ENDPOINTS.disableDevice.path, { deviceId: 'no-such-device' }, t.as.administrator)).json().error.code).toBe(
      'NOT_FOUND',
    );
    expect(await snapshot(t.db)).toBe(before);
  });

  it('shows a centre only the devices of its part of the organisation', async () => {
    const otherOutlet = await unitId('3202001');
    expect(
      (await register({ deviceId: 'far-tablet-1', kind: 'tablet', orgUnitId: otherOutlet, terminalId: '320200000001', name: 'Far tablet' }))
        .statusCode,
    ).toBe(200);
    const ids = (list: { devices: Array<{ deviceId: string }> }) => list.devices.map((d) => d.deviceId);
    expect(ids((await get(ENDPOINTS.listDevices.path, t.as.center_operator)).json())).toEqual(
      expect.arrayContaining(['demo-kiosk-1', 'demo-tablet-1']),
    );
    expect(ids((await get(ENDPOINTS.listDevices.path, t.as.center_operator)).json())).not.toContain('far-tablet-1');
    expect(ids((await get(ENDPOINTS.listDevices.path, t.as.administrator)).json())).toContain('far-tablet-1');
  });

  it('lists the new calls in the OpenAPI document', async () => {
    const paths = (await get('/api/openapi.json', {})).json().paths;
    expect(Object.keys(paths['/api/v1/admin/org-units'])).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/v1/admin/devices'])).toEqual(['get', 'post']);
    expect(paths['/api/v1/admin/devices/disable'].post.operationId).toBe('disableDevice');
  });
});
