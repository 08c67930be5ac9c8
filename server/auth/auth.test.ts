import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, ENDPOINTS, type Role } from '../contract/index.ts';
import { demoCardNo } from '../demo/money.ts';
import { deviceHeader, expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { storeDemoDeviceSecrets } from '../demo/money.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { testEngine } from '../testing/db.ts';
import { OPERATOR_ONLY_OPERATIONS, OWN_OUTLET_OPERATIONS, ROLE_POLICY } from './policy.ts';
import { randomUUID } from 'node:crypto';
import {
  creditForLoad,
  initializeForLoad,
  initializeForUnload,
  openCard,
  simCard,
  KIOSK_TERMINAL_ID,
  TABLET_TERMINAL_ID,
} from '../testing/sim.ts';

const ROLES: Role[] = ['kiosk', 'tablet', 'outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator'];

describe(`authentication and authorisation on ${testEngine()}`, () => {
  let t: TestApp;
  let headers: Record<Role, Headers>;
  beforeAll(async () => {
    t = await openTestApp();
    headers = { kiosk: t.kiosk, tablet: t.tablet, ...t.as };
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const call = (name: keyof typeof ENDPOINTS, h: Headers) => {
    const ep = ENDPOINTS[name];
    const url = ep.path.replace(':cardNo', demoCardNo(1)).replace(':id', '1');
    // A versioned endpoint refuses another contract version before it looks at credentials: speak this one.
    const body = 'versioned' in ep ? { contractVersion: CONTRACT_VERSION } : {};
    return ep.method === 'GET' ? t.app.inject({ method: 'GET', url, headers: h }) : t.post(url, body, h);
  };

  it('lists every non-public endpoint in the role policy', () => {
    const guarded = Object.entries(ENDPOINTS)
      .filter(([, ep]) => !('public' in ep))
      .map(([name]) => name)
      .sort();
    expect(Object.keys(ROLE_POLICY).sort()).toEqual(guarded);
  });

  it('checks every endpoint against every role, and refuses callers without credentials', async () => {
    // Sign-out last: it ends the sessions the other calls use; they are signed in again after.
    const names = (Object.keys(ROLE_POLICY) as Array<keyof typeof ROLE_POLICY>).sort(
      (a, b) => Number(a === 'logout') - Number(b === 'logout'),
    );
    for (const name of names) {
      expect((await call(name, {})).statusCode, `${name} without credentials`).toBe(401);
      expect(
        (await call(name, { authorization: 'Device demo-kiosk-1:wrong-secret-wrong-secret' })).statusCode,
        `${name} with a wrong secret`,
      ).toBe(401);
      for (const role of ROLES) {
        const response = await call(name, headers[role]);
        const allowed = ROLE_POLICY[name].includes(role);
        if (allowed)
          expect([401, 403].includes(response.statusCode) && response.json().error.code === 'FORBIDDEN', `${name} as ${role}`).toBe(false);
        else expect(response.json().error?.code, `${name} as ${role}`).toBe('FORBIDDEN');
      }
    }
    const usernames = {
      outlet_operator: 'demo.operator',
      outlet_supervisor: 'demo.supervisor',
      center_operator: 'demo.center',
      administrator: 'demo.admin',
    } as const;
    for (const [role, username] of Object.entries(usernames)) {
      const session = await t.post(
        '/api/v1/auth/login',
        { username, password: 'demo-password-123' },
        role.startsWith('outlet') ? t.tablet : {},
      );
      headers[role as Role].authorization = `Bearer ${session.json().token}`;
    }
  });

  it('reads a card at any outlet or kiosk of the network, and a centre within its subtree only', async () => {
    const otherCityCard = demoCardNo(9);
    const inquiry = (h: Headers, cardNo: string) => t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}`, headers: h });
    expect((await inquiry(t.kiosk, demoCardNo(1))).statusCode).toBe(200);
    expect((await inquiry(t.kiosk, otherCityCard)).statusCode).toBe(200);
    expect((await inquiry(t.as.outlet_operator, otherCityCard)).statusCode).toBe(200);
    expect((await inquiry(t.as.center_operator, otherCityCard)).json().error.code).toBe('OUT_OF_SCOPE');
    expect((await inquiry(t.as.center_operator, demoCardNo(1))).statusCode).toBe(200);
    expect((await inquiry(t.as.other_city_operator, otherCityCard)).statusCode).toBe(200);
    expect((await inquiry(t.as.other_city_operator, demoCardNo(1))).statusCode).toBe(200);
    expect((await inquiry(t.as.administrator, otherCityCard)).statusCode).toBe(200);
  });

  it("applies the scope rule to every card endpoint and every role: read anywhere, a centre its subtree, an unload only at the card's own outlet", async () => {
    // A chip with money on it, as if loaded before: the unload is refused before its balance is looked at.
    const far = simCard(9, [1_000]);
    openCard(far.card, far.pin);
    const terminalOf: Partial<Record<Role, string>> = {
      kiosk: KIOSK_TERMINAL_ID,
      outlet_operator: TABLET_TERMINAL_ID,
      outlet_supervisor: TABLET_TERMINAL_ID,
    };
    const deviceOf: Partial<Record<Role, string>> = {
      kiosk: 'demo-kiosk-1',
      tablet: 'demo-tablet-1',
      outlet_operator: 'demo-tablet-1',
      outlet_supervisor: 'demo-tablet-1',
    };
    const before = await snapshot(t.db);
    for (const role of ROLES) {
      const h = headers[role];
      const refused = role === 'center_operator';
      for (const name of ['cardInquiry', 'cardHistory'] as const) {
        const r = await t.app.inject({ method: 'GET', url: ENDPOINTS[name].path.replace(':cardNo', far.cardNo), headers: h });
        expect(r.statusCode, `${name} as ${role}`).toBe(refused ? 403 : 200);
        if (refused) expect(r.json().error.code).toBe('OUT_OF_SCOPE');
      }
      const terminalId = terminalOf[role];
      if (terminalId && role !== 'kiosk') {
        const unload = await t.post(
          '/api/v1/unloads/initialise',
          {
            operationId: randomUUID(),
            cardNo: far.cardNo,
            amountFen: 1,
            destinationAccount: 'QUOTA',
            terminalId,
            card: initializeForUnload(far.card, 1, terminalId),
          },
          h,
        );
        expect(unload.json().error?.code, `unloadInitialise as ${role}`).toBe('CUSTOMER_OTHER_OUTLET');
      }
      if (deviceOf[role]) {
        const pulled = await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [far.cardNo, demoCardNo(1)] }, h);
        expect(
          pulled.json().cards.map((c: { cardNo: string }) => c.cardNo),
          `pull as ${role}`,
        ).toEqual([far.cardNo, demoCardNo(1)]);
      }
    }
    // Reads and refusals change no money, no card and no load.
    expect(await snapshot(t.db)).toBe(before);
  });

  it("loads a card of another city's customer at this city's kiosk, while a receipt for that customer here is refused", async () => {
    const far = simCard(9);
    openCard(far.card, far.pin);
    const farCustomer = String(
      (await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [far.cardNo])).rows[0]!.customer_id,
    );
    const started = await t.post(
      '/api/v1/loads/initialise',
      {
        operationId: randomUUID(),
        cardNo: far.cardNo,
        amountFen: 100,
        terminalId: KIOSK_TERMINAL_ID,
        card: initializeForLoad(far.card, 100),
      },
      t.kiosk,
    );
    expect(started.statusCode).toBe(200);
    const tac = creditForLoad(far.card, started.json());
    const completed = await t.post('/api/v1/loads/complete', { loadId: started.json().load.loadId, tac }, t.kiosk);
    expect(completed.json().load.state).toBe('posted');
    const seq =
      Number(
        (await t.db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-tablet-1'")).rows[0]?.last_seq ??
          0n,
      ) + 1;
    const receipt = {
      id: randomUUID(),
      deviceId: 'demo-tablet-1',
      seq,
      type: 'receipt.cash',
      payload: { customerId: farCustomer, amountFen: 100 },
    };
    const pushed = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [receipt] }, t.as.outlet_operator);
    expect(pushed.json().results[0].error.code).toBe('CUSTOMER_OTHER_OUTLET');
  });

  it("keeps changing a customer to the customer's own outlet, and reading customers open to the whole network", async () => {
    const far = (
      await t.db.query<{ id: bigint }>(
        "SELECT c.id FROM customer c JOIN org_unit o ON o.id = c.org_unit_id WHERE o.code = '3202001' ORDER BY c.id LIMIT 1",
      )
    ).rows[0]!.id;
    const farCustomer = String(far);
    const payloads: Record<string, unknown> = {
      'receipt.cash': { customerId: farCustomer, amountFen: 100 },
      'receipt.cheque': { customerId: farCustomer, amountFen: 100, bank: '中国银行', chequeNo: '42', chequeDate: '2026-12-01' },
      preallocation: { customerId: farCustomer, allocations: [{ cardNo: demoCardNo(9), amountFen: 100 }] },
      'customer.update': { customerId: farCustomer, kind: 'personal', changes: { phone: '13700000000' } },
    };
    expect([...OWN_OUTLET_OPERATIONS].every((type) => type in payloads && OPERATOR_ONLY_OPERATIONS.has(type))).toBe(true);
    const TABLES = ['customer', 'customer_revision', 'audit_log', 'account', 'transfer', 'cheque_receipt'];
    const before = await snapshot(t.db, TABLES);
    const devices: Partial<Record<Role, string>> = {
      kiosk: 'demo-kiosk-1',
      outlet_operator: 'demo-tablet-1',
      outlet_supervisor: 'demo-tablet-1',
    };
    for (const role of ROLES.filter((r) => ROLE_POLICY.syncPush.includes(r))) {
      const deviceId = devices[role]!;
      const seq =
        Number(
          (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ??
            0n,
        ) + 1;
      const ops = [...OWN_OUTLET_OPERATIONS].map((type, i) => ({
        id: randomUUID(),
        deviceId,
        seq: seq + i,
        type,
        payload: payloads[type],
      }));
      const pushed = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: ops }, headers[role]);
      for (const r of pushed.json().results)
        expect(r.error?.code, `push as ${role}`).toBe(role === 'kiosk' ? 'FORBIDDEN' : 'CUSTOMER_OTHER_OUTLET');
    }
    expect(await snapshot(t.db, TABLES)).toBe(before);
    for (const role of ROLE_POLICY.customerDetail) {
      const r = await t.app.inject({ method: 'GET', url: `/api/v1/customers/${farCustomer}`, headers: headers[role] });
      expect(r.statusCode, `customerDetail as ${role}`).toBe(200);
    }
  });

  it('enrols a device once with a code an administrator issued', async () => {
    const issued = await t.post('/api/v1/admin/devices/enrolment', { deviceId: 'demo-kiosk-1' }, t.as.administrator);
    expect(issued.statusCode).toBe(200);
    const code = issued.json().enrolmentCode as string;
    const enrolled = await t.post('/api/v1/devices/enrol', { deviceId: 'demo-kiosk-1', enrolmentCode: code }, {});
    expect(enrolled.statusCode).toBe(200);
    const secret = enrolled.json().secret as string;
    expect((await t.post('/api/v1/devices/enrol', { deviceId: 'demo-kiosk-1', enrolmentCode: code }, {})).json().error.code).toBe(
      'ENROLMENT_FAILED',
    );
    const fresh = deviceHeader('demo-kiosk-1', secret);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: fresh })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: t.kiosk })).statusCode).toBe(401);
    await storeDemoDeviceSecrets(t.db, DEMO_KEK_HEX);
  });

  it('locks an operator out after repeated wrong passwords and ends sessions on sign-out', async () => {
    for (let i = 0; i < 5; i++)
      expect((await t.post('/api/v1/auth/login', { username: 'demo.other', password: 'wrong' }, {})).json().error.code).toBe(
        'LOGIN_FAILED',
      );
    expect((await t.post('/api/v1/auth/login', { username: 'demo.other', password: 'demo-password-123' }, {})).json().error.code).toBe(
      'ACCOUNT_LOCKED',
    );
    expect((await t.post('/api/v1/auth/login', { username: 'nobody', password: 'x' }, {})).json().error.code).toBe('LOGIN_FAILED');
    const session = await t.post('/api/v1/auth/login', { username: 'demo.center', password: 'demo-password-123' }, {});
    const h = { authorization: `Bearer ${session.json().token}` };
    expect((await t.post('/api/v1/auth/logout', {}, h)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: h })).statusCode).toBe(401);
  });

  it('reports a sound ledger and audit chain to the centre', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/admin/ledger/check', headers: t.as.center_operator });
    expect(r.json()).toMatchObject({ ledgerSound: true, auditSound: true });
    expect(r.json().auditRowsChecked).toBeGreaterThan(0);
  });

  it('serves an OpenAPI document generated from the contract', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.json().openapi).toBe('3.1.0');
    expect(Object.keys(r.json().paths)).toContain('/api/v1/loads/initialise');
  });
});

describe(`malformed requests on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());

  const MALFORMED: unknown[] = [
    [],
    'text',
    42,
    null,
    { unexpected: true },
    { operationId: 'not-a-uuid', cardNo: '1', amountFen: -1 },
    { operations: [] },
    { cardNos: ['x'] },
    { username: 7 },
    { deviceId: 'X Y' },
    { loadId: 'nope', tac: 'GG' },
  ];

  it('answers every malformed body on every endpoint with a 4xx and a code, and changes nothing', async () => {
    const headers: Record<string, Headers> = { kiosk: t.kiosk, outlet: t.as.outlet_operator, admin: t.as.administrator };
    const before = await snapshot(t.db);
    for (const [name, ep] of Object.entries(ENDPOINTS)) {
      if (!('body' in ep)) continue;
      const role =
        name in ROLE_POLICY
          ? ROLE_POLICY[name as keyof typeof ROLE_POLICY].includes('kiosk')
            ? 'kiosk'
            : ROLE_POLICY[name as keyof typeof ROLE_POLICY].includes('outlet_operator')
              ? 'outlet'
              : 'admin'
          : 'kiosk';
      for (const body of MALFORMED) {
        const r = await t.app.inject({
          method: 'POST',
          url: ep.path,
          payload: JSON.stringify(body),
          headers: { ...headers[role], 'content-type': 'application/json' },
        });
        expect(r.statusCode, `${name} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, `${name} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(r.json().error.code).toMatch(/^[A-Z_]+$/);
      }
      const broken = await t.app.inject({
        method: 'POST',
        url: ep.path,
        payload: '{"a":',
        headers: { ...headers[role], 'content-type': 'application/json' },
      });
      expect(broken.json().error.code, name).toBe('INVALID_JSON');
    }
    const badParam = await t.app.inject({ method: 'GET', url: '/api/v1/cards/123', headers: t.kiosk });
    expect(badParam.json().error.code).toBe('INVALID_REQUEST');
    expect(await snapshot(t.db)).toBe(before);
  });
});
