import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, type OperatorView } from '../contract/index.ts';
import { expectSound, openTestApp, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { LIMITS } from '../limits.ts';
import { OPERATOR_PAGE_SIZE } from './operators.ts';

const PASSWORD = 'demo-password-123';

describe(`operator maintenance on ${testEngine()}`, () => {
  let t: TestApp;
  const unitId = async (code: string): Promise<string> =>
    String((await t.db.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id);
  const operatorId = async (username: string): Promise<string> =>
    String((await t.db.query<{ id: bigint }>('SELECT id FROM operator WHERE username = $1', [username])).rows[0]!.id);
  const list = (h: Headers, query = '') => t.app.inject({ method: 'GET', url: `${ENDPOINTS.listOperators.path}${query}`, headers: h });
  const create = (body: Record<string, unknown>, h: Headers) => t.post(ENDPOINTS.createOperator.path, body, h);
  const update = (body: Record<string, unknown>, h: Headers) => t.post(ENDPOINTS.updateOperator.path, body, h);
  const setState = (id: string, state: string, h: Headers) => t.post(ENDPOINTS.setOperatorState.path, { operatorId: id, state }, h);
  const reset = (body: Record<string, unknown>, h: Headers) => t.post(ENDPOINTS.resetOperatorPassword.path, body, h);
  const unlock = (id: string, h: Headers) => t.post(ENDPOINTS.unlockOperator.path, { operatorId: id }, h);
  const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
  const codeOf = (r: { json: () => { error?: { code: string } } }) => r.json().error?.code;
  const audit = async (action: string, subject: string) =>
    (
      await t.db.query<{ operator_id: bigint | null; detail: Record<string, unknown> }>(
        'SELECT operator_id, detail FROM audit_log WHERE action = $1 AND subject = $2 ORDER BY at, chain_no',
        [action, subject],
      )
    ).rows;
  let outlet: string;
  let otherOutlet: string;
  let centre: string;
  let city: string;

  beforeAll(async () => {
    t = await openTestApp();
    outlet = await unitId('3201001');
    otherOutlet = await unitId('3202001');
    centre = await unitId('3201C');
    city = await unitId('3201');
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  it('creates an outlet operator with a password made up and answered once, who signs in with it; audited under the centre', async () => {
    const made = await create(
      { username: 'op.made', displayName: '新营业员', orgUnitId: outlet, role: 'outlet_operator' },
      t.as.center_operator,
    );
    expect(made.statusCode, made.body).toBe(200);
    const password = made.json().password as string;
    expect(password).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect((await login('op.made', password)).statusCode).toBe(200);
    const stored = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM operator WHERE username = $1', ['op.made']);
    expect(stored.rows[0]!.password_hash).not.toContain(password);
    const entries = await audit('operator.create', 'op.made');
    expect(entries).toHaveLength(1);
    expect(String(entries[0]!.operator_id)).toBe(await operatorId('demo.center'));
    expect(JSON.stringify(entries[0]!.detail)).not.toContain(password);

    // A password given is not answered back.
    const given = await create(
      { username: 'op.given', displayName: '给定密码', orgUnitId: outlet, role: 'outlet_supervisor', password: 'a-long-password-1' },
      t.as.center_operator,
    );
    expect(given.json()).toEqual({ operatorId: await operatorId('op.given') });
    expect((await login('op.given', 'a-long-password-1')).statusCode).toBe(200);
    expect(
      codeOf(await create({ username: 'op.given', displayName: 'x', orgUnitId: outlet, role: 'outlet_operator' }, t.as.center_operator)),
    ).toBe('ALREADY_EXISTS');
  });

  it('refuses a role above one’s own, a unit outside the subtree and a role that does not fit its unit, creating nothing', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM operator')).rows[0]!.n;
    const c = t.as.center_operator;
    expect(codeOf(await create({ username: 'op.admin', displayName: 'x', orgUnitId: centre, role: 'administrator' }, c))).toBe(
      'OPERATOR_ROLE_ABOVE_OWN',
    );
    expect(codeOf(await create({ username: 'op.far', displayName: 'x', orgUnitId: otherOutlet, role: 'outlet_operator' }, c))).toBe(
      'OUT_OF_SCOPE',
    );
    expect(codeOf(await create({ username: 'op.misfit', displayName: 'x', orgUnitId: city, role: 'outlet_operator' }, c))).toBe(
      'OPERATOR_ROLE_UNIT_INVALID',
    );
    expect(codeOf(await create({ username: 'op.misfit2', displayName: 'x', orgUnitId: outlet, role: 'center_operator' }, c))).toBe(
      'OPERATOR_ROLE_UNIT_INVALID',
    );
    expect(codeOf(await create({ username: 'op.none', displayName: 'x', orgUnitId: '999999', role: 'outlet_operator' }, c))).toBe(
      'NOT_FOUND',
    );
    expect(
      codeOf(await create({ username: 'op.short', displayName: 'x', orgUnitId: outlet, role: 'outlet_operator', password: 'short' }, c)),
    ).toBe('INVALID_REQUEST');
    // Outlet staff and devices never reach these calls.
    expect(
      codeOf(await create({ username: 'op.byop', displayName: 'x', orgUnitId: outlet, role: 'outlet_operator' }, t.as.outlet_supervisor)),
    ).toBe('FORBIDDEN');
    expect((await t.db.query<{ n: number }>('SELECT count(*)::integer AS n FROM operator')).rows[0]!.n).toBe(before);
    // A centre operator may make another centre operator (its own role), the administrator anything.
    expect((await create({ username: 'op.peer', displayName: '同级', orgUnitId: centre, role: 'center_operator' }, c)).statusCode).toBe(
      200,
    );
    expect(
      (await create({ username: 'op.admin2', displayName: 'x', orgUnitId: city, role: 'administrator' }, t.as.administrator)).statusCode,
    ).toBe(200);
  });

  it('lists the operators of the caller’s subtree only, a page at a time, searched by user name or name', async () => {
    const mine = (await list(t.as.center_operator, '?search=demo')).json();
    const names = mine.operators.map((o: OperatorView) => o.username);
    expect(names).toEqual(expect.arrayContaining(['demo.operator', 'demo.supervisor', 'demo.center']));
    expect(names).not.toContain('demo.other');
    expect(names).not.toContain('demo.admin');
    expect(mine.operators.find((o: OperatorView) => o.username === 'demo.center').self).toBe(true);
    expect(mine.operators.find((o: OperatorView) => o.username === 'demo.operator')).toMatchObject({
      role: 'outlet_operator',
      orgUnitId: outlet,
      state: 'active',
      locked: false,
      self: false,
    });
    expect((await list(t.as.administrator, '?search=demo')).json().operators.map((o: OperatorView) => o.username)).toContain('demo.other');
    // By the name too, and LIKE's own characters match only themselves.
    expect(
      (await list(t.as.center_operator, `?search=${encodeURIComponent('网点主管')}`)).json().operators.map((o: OperatorView) => o.username),
    ).toEqual(['demo.supervisor']);
    expect((await list(t.as.center_operator, '?search=%25')).json().total).toBe(0);

    for (let i = 0; i < OPERATOR_PAGE_SIZE + 2; i += 1)
      await create(
        {
          username: `page.${String(i).padStart(2, '0')}`,
          displayName: `翻页${i}`,
          orgUnitId: outlet,
          role: 'outlet_operator',
          password: PASSWORD,
        },
        t.as.administrator,
      );
    const first = (await list(t.as.center_operator, '?search=page.')).json();
    expect(first).toMatchObject({ page: 1, pageCount: 2, total: OPERATOR_PAGE_SIZE + 2 });
    expect(first.operators).toHaveLength(OPERATOR_PAGE_SIZE);
    const second = (await list(t.as.center_operator, '?search=page.&page=2')).json();
    expect(second.operators.map((o: OperatorView) => o.username)).toEqual([`page.${OPERATOR_PAGE_SIZE}`, `page.${OPERATOR_PAGE_SIZE + 1}`]);
    // A page past the last answers the last.
    expect((await list(t.as.center_operator, '?search=page.&page=9')).json().page).toBe(2);
    expect(codeOf(await list(t.as.center_operator, '?page=0'))).toBe('INVALID_REQUEST');
  });

  it('changes a role and unit within the subtree, audited with what it was, and refuses raising above one’s own', async () => {
    await create(
      { username: 'op.move', displayName: '调动', orgUnitId: outlet, role: 'outlet_operator', password: PASSWORD },
      t.as.center_operator,
    );
    const id = await operatorId('op.move');
    const station = await unitId('3201S01');
    const moved = await update(
      { operatorId: id, displayName: '调动后', role: 'outlet_supervisor', orgUnitId: station },
      t.as.center_operator,
    );
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ displayName: '调动后', role: 'outlet_supervisor', orgUnitId: station });
    const entries = await audit('operator.update', 'op.move');
    expect(entries.at(-1)!.detail).toEqual({
      before: { displayName: '调动', role: 'outlet_operator', orgUnitId: outlet },
      after: { displayName: '调动后', role: 'outlet_supervisor', orgUnitId: station },
    });
    const c = t.as.center_operator;
    expect(codeOf(await update({ operatorId: id, displayName: 'x', role: 'administrator', orgUnitId: centre }, c))).toBe(
      'OPERATOR_ROLE_ABOVE_OWN',
    );
    expect(codeOf(await update({ operatorId: id, displayName: 'x', role: 'outlet_operator', orgUnitId: otherOutlet }, c))).toBe(
      'OUT_OF_SCOPE',
    );
    expect(codeOf(await update({ operatorId: id, displayName: 'x', role: 'center_operator', orgUnitId: station }, c))).toBe(
      'OPERATOR_ROLE_UNIT_INVALID',
    );
    // Someone outside the subtree, or above the caller, cannot be touched at all.
    const other = await operatorId('demo.other');
    expect(codeOf(await update({ operatorId: other, displayName: 'x', role: 'outlet_operator', orgUnitId: outlet }, c))).toBe(
      'OUT_OF_SCOPE',
    );
    const admin2 = await operatorId('op.admin2');
    expect(codeOf(await update({ operatorId: admin2, displayName: 'x', role: 'outlet_operator', orgUnitId: outlet }, c))).toBe(
      'OPERATOR_ROLE_ABOVE_OWN',
    );
    expect(codeOf(await setState(admin2, 'disabled', c))).toBe('OPERATOR_ROLE_ABOVE_OWN');
    expect(codeOf(await reset({ operatorId: admin2 }, c))).toBe('OPERATOR_ROLE_ABOVE_OWN');
    expect(codeOf(await update({ operatorId: '999999', displayName: 'x', role: 'outlet_operator', orgUnitId: outlet }, c))).toBe(
      'NOT_FOUND',
    );
    expect((await audit('operator.update', 'op.move')).length).toBe(entries.length);
  });

  it('refuses anyone changing their own role, unit or state; their own name may change', async () => {
    const self = await operatorId('demo.center');
    const c = t.as.center_operator;
    expect(codeOf(await update({ operatorId: self, displayName: '演示中心操作员', role: 'administrator', orgUnitId: centre }, c))).toBe(
      'OPERATOR_SELF_CHANGE',
    );
    expect(codeOf(await update({ operatorId: self, displayName: '演示中心操作员', role: 'center_operator', orgUnitId: city }, c))).toBe(
      'OPERATOR_SELF_CHANGE',
    );
    expect(codeOf(await setState(self, 'disabled', c))).toBe('OPERATOR_SELF_CHANGE');
    const admin = await operatorId('demo.admin');
    expect(codeOf(await setState(admin, 'disabled', t.as.administrator))).toBe('OPERATOR_SELF_CHANGE');
    const row = await t.db.query<{ role: string; state: string }>('SELECT role, state FROM operator WHERE id = $1', [self]);
    expect(row.rows[0]).toEqual({ role: 'center_operator', state: 'active' });
    const renamed = await update({ operatorId: self, displayName: '演示中心操作员', role: 'center_operator', orgUnitId: centre }, c);
    expect(renamed.statusCode).toBe(200);
  });

  it('disables an operator: their sessions end at once and sign-in is refused; enabling lets them back in; both audited', async () => {
    await create(
      { username: 'op.off', displayName: '停用', orgUnitId: outlet, role: 'outlet_operator', password: PASSWORD },
      t.as.center_operator,
    );
    const id = await operatorId('op.off');
    const session = { authorization: `Bearer ${(await login('op.off', PASSWORD)).json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stock', headers: session })).statusCode).toBe(200);
    const off = await setState(id, 'disabled', t.as.center_operator);
    expect(off.json()).toMatchObject({ state: 'disabled' });
    expect(codeOf(await t.app.inject({ method: 'GET', url: '/api/v1/stock', headers: session }))).toBe('UNAUTHENTICATED');
    expect((await t.db.query('SELECT 1 FROM operator_session WHERE operator_id = $1', [id])).rows).toHaveLength(0);
    expect(codeOf(await login('op.off', PASSWORD))).toBe('LOGIN_FAILED');
    // Disabling again changes nothing and records nothing.
    expect((await setState(id, 'disabled', t.as.center_operator)).json().state).toBe('disabled');
    expect(await audit('operator.disable', 'op.off')).toHaveLength(1);
    expect((await setState(id, 'active', t.as.center_operator)).json().state).toBe('active');
    expect((await login('op.off', PASSWORD)).statusCode).toBe(200);
    expect(await audit('operator.enable', 'op.off')).toHaveLength(1);
  });

  it('resets a password: the old one stops working, the sessions end, the new one is answered once', async () => {
    await create(
      { username: 'op.forgot', displayName: '忘记密码', orgUnitId: outlet, role: 'outlet_operator', password: PASSWORD },
      t.as.center_operator,
    );
    const id = await operatorId('op.forgot');
    const session = { authorization: `Bearer ${(await login('op.forgot', PASSWORD)).json().token}` };
    const made = await reset({ operatorId: id }, t.as.center_operator);
    expect(made.statusCode, made.body).toBe(200);
    const password = made.json().password as string;
    expect(codeOf(await t.app.inject({ method: 'GET', url: '/api/v1/stock', headers: session }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login('op.forgot', PASSWORD))).toBe('LOGIN_FAILED');
    expect((await login('op.forgot', password)).statusCode).toBe(200);
    const given = await reset({ operatorId: id, password: 'another-password-2' }, t.as.center_operator);
    expect(given.json().password).toBeUndefined();
    expect((await login('op.forgot', 'another-password-2')).statusCode).toBe(200);
    const entries = await audit('operator.password_reset', 'op.forgot');
    expect(entries.map((e) => e.detail.passwordGenerated)).toEqual([true, false]);
    expect(JSON.stringify(entries.map((e) => e.detail))).not.toContain(password);
  });

  it('shows a lockout and lifts it from every address', async () => {
    await create(
      { username: 'op.locked', displayName: '锁定', orgUnitId: outlet, role: 'outlet_operator', password: PASSWORD },
      t.as.center_operator,
    );
    const id = await operatorId('op.locked');
    for (let i = 0; i < LIMITS.loginFailureCountMax; i += 1) await login('op.locked', 'wrong-password', '10.9.9.9');
    expect(codeOf(await login('op.locked', PASSWORD, '10.9.9.9'))).toBe('ACCOUNT_LOCKED');
    const seen = (await list(t.as.center_operator, '?search=op.locked')).json().operators[0];
    expect(seen.locked).toBe(true);
    const lifted = await unlock(id, t.as.center_operator);
    expect(lifted.json()).toMatchObject({ locked: false });
    expect((await login('op.locked', PASSWORD, '10.9.9.9')).statusCode).toBe(200);
    expect((await audit('operator.unlock', 'op.locked')).map((e) => e.detail.wasLocked)).toEqual([true]);
    expect(codeOf(await unlock(await operatorId('demo.other'), t.as.center_operator))).toBe('OUT_OF_SCOPE');
  });
});
