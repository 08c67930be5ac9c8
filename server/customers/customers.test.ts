/**
 * Customers made and edited at the outlet as queued push operations (customer.create,
 * customer.update), found by search and read with their cards and revisions; refused with their
 * codes when a detail breaks the rules, when a kiosk asks, or when another outlet edits.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, type CustomerDetail, type CustomerList } from '../contract/index.ts';
import { demoCardNo } from '../demo/money.ts';
import { deviceHeader, expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';

const CUSTOMER_TABLES = ['customer', 'customer_revision', 'audit_log'];

type Result = { status: string; replayed: boolean; result?: { customerId: string; revision: number }; error?: { code: string } };

const UNIT = {
  kind: 'unit',
  name: ' 南京顺达物流有限公司 ',
  taxId: '92320100ma1nx1234n',
  address: '南京市江宁区演示路 1 号',
  contactName: '王芳',
  contactPhone: '025-8888 0000',
  introLetterRef: 'JS-2025-017',
} as const;
const PERSON = { kind: 'personal', name: '李小龙', idType: 'resident_id', idNo: '32010219900101007x', phone: '13900000007' } as const;

describe(`customers on ${testEngine()}`, () => {
  let t: TestApp;
  let outletId: bigint;
  let otherOutlet: { headers: Headers; deviceId: string };

  beforeAll(async () => {
    t = await openTestApp();
    const outlet = await t.db.query<{ id: bigint; parent_id: bigint }>("SELECT id, parent_id FROM org_unit WHERE code = '3201001'");
    outletId = outlet.rows[0]!.id;
    // A second outlet in the same city, with its own tablet and operator: in scope, but not the customer's outlet.
    const admin = t.as.administrator;
    const unit = await t.post(
      '/api/v1/admin/org-units',
      { kind: 'outlet', code: '3201002', nameZh: '演示第二网点', nameEn: 'Demo Outlet Two', parentId: String(outlet.rows[0]!.parent_id) },
      admin,
    );
    expect(unit.statusCode).toBe(200);
    const deviceId = 'test-tablet-2';
    expect(
      (
        await t.post(
          '/api/v1/admin/devices',
          { deviceId, kind: 'tablet', orgUnitId: unit.json().id, terminalId: '320100000099', name: '第二网点平板' },
          admin,
        )
      ).statusCode,
    ).toBe(200);
    const code = (await t.post('/api/v1/admin/devices/enrolment', { deviceId }, admin)).json().enrolmentCode as string;
    const secret = (await t.post('/api/v1/devices/enrol', { deviceId, enrolmentCode: code }, {})).json().secret as string;
    const password = 'outlet-two-password';
    expect(
      (
        await t.post(
          '/api/v1/admin/operators',
          { username: 'outlet2.operator', displayName: '第二网点营业员', orgUnitId: unit.json().id, role: 'outlet_operator', password },
          admin,
        )
      ).statusCode,
    ).toBe(200);
    const session = await t.post('/api/v1/auth/login', { username: 'outlet2.operator', password }, deviceHeader(deviceId, secret));
    expect(session.statusCode).toBe(200);
    otherOutlet = { headers: { authorization: `Bearer ${session.json().token}` }, deviceId };
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const nextSeq = async (deviceId: string) =>
    Number(
      (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ?? 0n,
    ) + 1;

  /** Pushes operations as `headers` from `deviceId` (the demo tablet by default), numbered after the device's last seq. */
  const push = async (
    ops: Array<{ type: string; payload: unknown; id?: string; seq?: number }>,
    headers: Headers = t.as.outlet_operator,
    deviceId = 'demo-tablet-1',
  ): Promise<Result[]> => {
    const first = await nextSeq(deviceId);
    const operations = ops.map((op, i) => ({
      id: op.id ?? randomUUID(),
      deviceId,
      seq: op.seq ?? first + i,
      type: op.type,
      payload: op.payload,
    }));
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations }, headers);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().results as Result[];
  };
  const search = async (q: string, headers: Headers = t.as.outlet_operator, extra = '') => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/customers?q=${encodeURIComponent(q)}${extra}`, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as CustomerList;
  };
  const detail = async (id: string, headers: Headers = t.as.outlet_operator) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/customers/${id}`, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as CustomerDetail;
  };

  it('creates a unit and a person through a push, at the operator’s outlet, each as revision 1, audited', async () => {
    const [unit, person] = await push([
      { type: 'customer.create', payload: UNIT },
      { type: 'customer.create', payload: PERSON },
    ]);
    expect(unit).toMatchObject({ status: 'applied', result: { revision: 1 } });
    expect(person).toMatchObject({ status: 'applied', result: { revision: 1 } });
    const u = await detail(unit!.result!.customerId);
    expect(u.customer).toMatchObject({
      kind: 'unit',
      name: '南京顺达物流有限公司',
      taxId: '92320100MA1NX1234N',
      contactName: '王芳',
      contactPhone: '025-8888 0000',
      address: '南京市江宁区演示路 1 号',
      introLetterRef: 'JS-2025-017',
      idType: null,
      orgUnitId: String(outletId),
      revision: 1,
    });
    expect(u.revisions).toEqual([
      expect.objectContaining({
        revision: 1,
        before: null,
        deviceId: 'demo-tablet-1',
        after: expect.objectContaining({ taxId: '92320100MA1NX1234N' }),
      }),
    ]);
    const p = await detail(person!.result!.customerId);
    expect(p.customer).toMatchObject({
      kind: 'personal',
      name: '李小龙',
      idType: 'resident_id',
      idNo: '32010219900101007X',
      phone: '13900000007',
      taxId: null,
    });
    const audit = await t.db.query<{ subject: string; detail: { fields: string[] } }>(
      "SELECT subject, detail FROM audit_log WHERE action = 'customer.create' ORDER BY chain_no",
    );
    expect(audit.rows.map((r) => r.subject)).toEqual([`customer:${unit!.result!.customerId}`, `customer:${person!.result!.customerId}`]);
    // The audit log names the fields; the values (personal data) stay in the revision rows.
    expect(JSON.stringify(audit.rows)).not.toContain('32010219900101007X');
  });

  it('finds customers by part of the name, ID number, tax id, phone and card number, a page at a time', async () => {
    const names = (list: CustomerList) => list.customers.map((c) => c.name);
    expect(names(await search('顺达'))).toEqual(['南京顺达物流有限公司']);
    expect(names(await search('小龙'))).toEqual(['李小龙']);
    expect(names(await search('32010219900101007x'))).toEqual(['李小龙']);
    expect(names(await search('92320100MA1NX1234N'))).toEqual(['南京顺达物流有限公司']);
    expect(names(await search('13900000007'))).toEqual(['李小龙']);
    expect(names(await search('025-8888 0000'))).toEqual(['南京顺达物流有限公司']);
    expect(names(await search(demoCardNo(1)))).toEqual(['演示客户张伟']);
    expect(names(await search(demoCardNo(1).slice(1)))).toEqual(['演示客户张伟']);
    expect(names(await search('无此客户'))).toEqual([]);
    // One character, and pairs that are each in the name but not together, through the name's index.
    expect(names(await search('龙'))).toEqual(['李小龙']);
    expect(names(await search('李龙'))).toEqual([]);
    expect(names(await search('达物流有'))).toEqual(['南京顺达物流有限公司']);
    // LIKE's wildcards are taken literally.
    expect(names(await search('%'))).toEqual([]);
    const all = await search('演示');
    expect(all.customers.length).toBeGreaterThan(2);
    const first = await search('演示', undefined, '&limit=2');
    expect(first.customers).toHaveLength(2);
    expect(first.next).toBe(first.customers[1]!.id);
    const second = await search('演示', undefined, `&limit=2&after=${first.next}`);
    expect([...first.customers, ...second.customers].map((c) => c.id)).toEqual(all.customers.slice(0, 4).map((c) => c.id));
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/customers?q=', headers: t.as.outlet_operator });
    expect(bad.json().error.code).toBe('INVALID_REQUEST');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/customers?q=x&limit=51', headers: t.as.outlet_operator })).json().error.code,
    ).toBe('INVALID_REQUEST');
  });

  it('edits a customer as a new revision with the fields before and after; an edit that changes nothing adds none', async () => {
    const id = (await search('李小龙')).customers[0]!.id;
    const [edited] = await push([
      { type: 'customer.update', payload: { customerId: id, kind: 'personal', changes: { phone: '13900000008', name: '李小龙 ' } } },
    ]);
    expect(edited).toMatchObject({ status: 'applied', result: { customerId: id, revision: 2 } });
    const d = await detail(id);
    expect(d.customer).toMatchObject({ phone: '13900000008', revision: 2 });
    expect(d.revisions.map((r) => r.revision)).toEqual([2, 1]);
    expect(d.revisions[0]).toMatchObject({ before: { phone: '13900000007' }, after: { phone: '13900000008' }, deviceId: 'demo-tablet-1' });
    expect(d.revisions[0]!.operatorId).toMatch(/^[0-9]+$/);
    const [same] = await push([
      { type: 'customer.update', payload: { customerId: id, kind: 'personal', changes: { phone: '13900000008' } } },
    ]);
    expect(same).toMatchObject({ status: 'applied', result: { revision: 2 } });
    // Clearing an optional field, and changing the document: checked together with the stored type.
    const [cleared] = await push([
      { type: 'customer.update', payload: { customerId: id, kind: 'personal', changes: { phone: null, idNo: '11010519491231002X' } } },
    ]);
    expect(cleared).toMatchObject({ status: 'applied', result: { revision: 3 } });
    expect((await detail(id)).revisions[0]).toMatchObject({
      before: { phone: '13900000008', idNo: '32010219900101007X' },
      after: { phone: null, idNo: '11010519491231002X' },
    });
    expect((await t.db.query("SELECT 1 FROM audit_log WHERE action = 'customer.update'")).rows).toHaveLength(2);
    // The demo's customers, stored before revisions existed, get theirs from the first edit.
    const demo = (await search('演示客户张伟')).customers[0]!;
    expect(
      (await push([{ type: 'customer.update', payload: { customerId: demo.id, kind: 'personal', changes: { phone: '13800000009' } } }]))[0],
    ).toMatchObject({ status: 'applied', result: { revision: 2 } });
    expect((await detail(demo.id)).cards.map((c) => c.cardNo)).toContain(demoCardNo(1));
  });

  it('applies one operation id once: the same push twice makes one customer and answers the first result', async () => {
    const id = randomUUID();
    const seq = await nextSeq('demo-tablet-1');
    const payload = { kind: 'personal', name: 'Anna Schmidt', idType: 'passport', idNo: 'c01x00t47', phone: null };
    const [first] = await push([{ id, seq, type: 'customer.create', payload }]);
    const [again] = await push([{ id, seq, type: 'customer.create', payload }]);
    expect(first).toMatchObject({ status: 'applied', replayed: false });
    expect(again).toEqual({ ...first, replayed: true });
    expect((await search('Anna')).customers.map((c) => c.idNo)).toEqual(['C01X00T47']);
  });

  it('refuses details that break the rules with their codes, and stores nothing of them', async () => {
    const before = await snapshot(t.db, CUSTOMER_TABLES);
    const refused = await push([
      { type: 'customer.create', payload: { ...PERSON, idNo: '320102199001010071' } },
      { type: 'customer.create', payload: { ...PERSON, idNo: '320102199002300017' } },
      { type: 'customer.create', payload: { ...UNIT, taxId: '91320100MA1DEM0A5Y' } },
      { type: 'customer.create', payload: { ...UNIT, taxId: '91320100MA1DEMO001' } },
      { type: 'customer.create', payload: { ...PERSON, name: 'Иван' } },
      { type: 'customer.create', payload: { ...PERSON, idType: 'hk_macao_permit', idNo: 'X1234' } },
      { type: 'customer.create', payload: { ...PERSON, phone: 'call me' } },
      { type: 'customer.create', payload: { ...UNIT, address: ' ' } },
      { type: 'customer.create', payload: { ...UNIT, contactName: undefined } },
      {
        type: 'customer.update',
        payload: { customerId: (await search('顺达')).customers[0]!.id, kind: 'personal', changes: { phone: '13900000001' } },
      },
      {
        type: 'customer.update',
        payload: { customerId: (await search('顺达')).customers[0]!.id, kind: 'unit', changes: { taxId: '914403001922038217' } },
      },
      { type: 'customer.update', payload: { customerId: '999999', kind: 'unit', changes: { name: '无此客户' } } },
    ]);
    expect(refused.map((r) => r.error?.code)).toEqual([
      'RESIDENT_ID_INVALID',
      'RESIDENT_ID_INVALID',
      'TAX_ID_INVALID',
      'TAX_ID_INVALID',
      'CUSTOMER_NAME_INVALID',
      'ID_NUMBER_INVALID',
      'PHONE_INVALID',
      'CUSTOMER_TEXT_INVALID',
      'INVALID_REQUEST',
      'CUSTOMER_KIND_MISMATCH',
      'TAX_ID_INVALID',
      'CUSTOMER_NOT_FOUND',
    ]);
    expect(refused.every((r) => r.status === 'rejected')).toBe(true);
    expect(await snapshot(t.db, CUSTOMER_TABLES)).toBe(before);
  });

  it('never lets a kiosk, or a device with nobody signed in, create or read customers', async () => {
    const before = await snapshot(t.db, CUSTOMER_TABLES);
    const [fromKiosk] = await push([{ type: 'customer.create', payload: PERSON }], t.kiosk, 'demo-kiosk-1');
    expect(fromKiosk!.error?.code).toBe('FORBIDDEN');
    const id = (await search('顺达')).customers[0]!.id;
    for (const headers of [t.kiosk, t.tablet]) {
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/v1/customers?q=${encodeURIComponent('顺达')}`, headers })).json().error.code,
      ).toBe('FORBIDDEN');
      expect((await t.app.inject({ method: 'GET', url: `/api/v1/customers/${id}`, headers })).json().error.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(t.db, CUSTOMER_TABLES)).toBe(before);
  });

  it("refuses an edit from another outlet's operator, who may still search and read the customer", async () => {
    const id = (await search('顺达')).customers[0]!.id;
    const before = await snapshot(t.db, CUSTOMER_TABLES);
    const [edit] = await push(
      [{ type: 'customer.update', payload: { customerId: id, kind: 'unit', changes: { contactPhone: '13700000000' } } }],
      otherOutlet.headers,
      otherOutlet.deviceId,
    );
    expect(edit!.error?.code).toBe('CUSTOMER_OTHER_OUTLET');
    expect(await snapshot(t.db, CUSTOMER_TABLES)).toBe(before);
    expect((await search('顺达', otherOutlet.headers)).customers.map((c) => c.id)).toEqual([id]);
    expect((await detail(id, otherOutlet.headers)).customer.contactPhone).toBe('025-8888 0000');
    // Across the network too: another city's operator and the centre read it.
    expect((await search('92320100MA1NX1234N', t.as.other_city_operator)).customers.map((c) => c.id)).toEqual([id]);
    expect((await detail(id, t.as.center_operator)).customer.id).toBe(id);
    // What another outlet creates is its own.
    const [mine] = await push(
      [{ type: 'customer.create', payload: { ...PERSON, name: '赵敏' } }],
      otherOutlet.headers,
      otherOutlet.deviceId,
    );
    const made = await detail(mine!.result!.customerId);
    expect(made.customer.orgUnitId).not.toBe(String(outletId));
    const [theirs] = await push(
      [{ type: 'customer.update', payload: { customerId: made.customer.id, kind: 'personal', changes: { phone: '13700000001' } } }],
      otherOutlet.headers,
      otherOutlet.deviceId,
    );
    expect(theirs).toMatchObject({ status: 'applied', result: { revision: 2 } });
  });
});
