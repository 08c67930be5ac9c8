import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, type AuditPage, type AuditVerification } from '../contract/index.ts';
import { expectSound, openTestApp, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { appendAudit } from './log.ts';
import { AuditCheckpointWriter } from './checkpoints.ts';
import { demoCardNo } from '../demo/money.ts';
import { DEMO_STOCK_SERIALS } from '../stock/demo.ts';

describe(`the audit log at the centre on ${testEngine()}`, () => {
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'fuelcard-audit-search-'));
  const key = randomBytes(32);
  const unitId = async (code: string): Promise<bigint> =>
    (await t.db.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id;
  const search = async (h: Headers, query = ''): Promise<AuditPage> => {
    const r = await t.app.inject({ method: 'GET', url: `${ENDPOINTS.auditSearch.path}${query}`, headers: h });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  const verify = async (h: Headers): Promise<AuditVerification> => {
    const r = await t.app.inject({ method: 'GET', url: ENDPOINTS.auditVerify.path, headers: h });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };
  // Tampering needs the owner to switch the append-only trigger off (as in log.test.ts).
  const tamper = async (sql: string) => {
    await t.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_append_only');
    try {
      await t.db.exec(sql);
    } finally {
      await t.db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_append_only');
    }
  };
  const OWN_CARD = '10001100000000099001';
  const FAR_CARD = '10001100000000099002';

  beforeAll(async () => {
    t = await openTestApp({ config: { auditDir: dir, auditKeyHex: key.toString('hex') } });
    const own = await unitId('3201001');
    const far = await unitId('3202001');
    const operatorId = (await t.db.query<{ id: bigint }>("SELECT id FROM operator WHERE username = 'demo.operator'")).rows[0]!.id;
    await t.db.transaction(async (tx) => {
      await appendAudit(
        tx,
        { deviceId: 'demo-tablet-1', operatorId, orgUnitId: own },
        {
          action: 'card.test_state',
          subject: OWN_CARD,
          detail: { before: { state: 'stock' }, after: { state: 'issued' } },
        },
      );
      await appendAudit(
        tx,
        { deviceId: null, operatorId: null, orgUnitId: far },
        {
          action: 'card.test_state',
          subject: FAR_CARD,
          detail: { before: { state: 'issued' }, after: { state: 'lost' } },
        },
      );
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => expectSound(t.db));

  it("shows a city centre its own subtree's entries and never another city's; the administrator sees both", async () => {
    const centre = await search(t.as.center_operator, '?action=card.test_state');
    expect(centre.entries.map((e) => e.subject)).toEqual([OWN_CARD]);
    expect(centre.entries[0]).toMatchObject({
      operatorUsername: 'demo.operator',
      deviceId: 'demo-tablet-1',
      orgUnitNameZh: '演示营业网点',
      detail: { before: { state: 'stock' }, after: { state: 'issued' } },
    });
    expect((await search(t.as.center_operator, `?cardNo=${FAR_CARD}`)).total).toBe(0);
    const admin = await search(t.as.administrator, '?action=card.test_state');
    expect(admin.entries.map((e) => e.subject).sort()).toEqual([OWN_CARD, FAR_CARD]);
    // Outlet staff have no audit log to read.
    const refused = await t.app.inject({ method: 'GET', url: ENDPOINTS.auditSearch.path, headers: t.as.outlet_supervisor });
    expect(refused.json().error.code).toBe('FORBIDDEN');
  });

  it('finds by card, operator, device, action prefix and time range, a page at a time', async () => {
    const c = t.as.center_operator;
    expect((await search(c, `?cardNo=${OWN_CARD}`)).entries.map((e) => e.action)).toEqual(['card.test_state']);
    expect((await search(c, '?operator=demo.operator&action=card.')).entries.map((e) => e.subject)).toContain(OWN_CARD);
    expect((await search(c, '?operator=demo.nobody')).total).toBe(0);
    expect((await search(c, '?deviceId=demo-tablet-1&action=card.test_state')).total).toBe(1);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await search(c, `?from=${future}`)).total).toBe(0);
    expect((await search(c, `?to=${future}&cardNo=${OWN_CARD}`)).total).toBe(1);
    const all = await search(c);
    expect(all.total).toBeGreaterThan(0);
    expect(all.actions).toContain('card.test_state');
    const pages = await search(c, `?page=${all.pageCount + 5}`);
    expect(pages.page).toBe(all.pageCount);
    const bad = await t.app.inject({ method: 'GET', url: `${ENDPOINTS.auditSearch.path}?cardNo=12`, headers: c });
    expect(bad.statusCode).toBe(400);
  });

  it('verifies the chains up to the newest entry against the last signed checkpoint', async () => {
    const before = await verify(t.as.center_operator);
    expect(before).toMatchObject({ sound: true, checkpointLines: 0, lastCheckpointAt: null, broken: null });
    const writer = new AuditCheckpointWriter(t.db, { dir, key });
    await writer.checkpoint();
    await writer.close();
    const after = await verify(t.as.center_operator);
    const newest = (await t.db.query<{ at: Date }>('SELECT max(at) AS at FROM audit_log')).rows[0]!.at;
    expect(after).toMatchObject({ sound: true, rowsUnanchored: 0, broken: null, verifiedUpTo: newest.toISOString() });
    expect(after.rowsChecked).toBe(Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n));
    expect(after.checkpointLines).toBeGreaterThan(0);
    expect(after.lastCheckpointAt).not.toBeNull();
  });

  it('names the row where a tampered chain breaks, with its time and action, and is sound again once it is put back', async () => {
    const row = (
      await t.db.query<{ chain_key: string; chain_no: bigint; at: Date }>(
        'SELECT chain_key, chain_no, at FROM audit_log WHERE subject = $1',
        [OWN_CARD],
      )
    ).rows[0]!;
    const where = `chain_key = '${row.chain_key}' AND chain_no = ${row.chain_no}`;
    await tamper(`UPDATE audit_log SET detail = '{"before": {"state": "stock"}, "after": {"state": "closed"}}'::jsonb WHERE ${where}`);
    try {
      expect(await verify(t.as.center_operator)).toMatchObject({
        sound: false,
        broken: { kind: 'row', chain: row.chain_key, rowNo: String(row.chain_no), at: row.at.toISOString(), action: 'card.test_state' },
      });
    } finally {
      await tamper(`UPDATE audit_log SET detail = '{"before": {"state": "stock"}, "after": {"state": "issued"}}'::jsonb WHERE ${where}`);
    }
    expect((await verify(t.as.administrator)).sound).toBe(true);
  });

  it("tells a card's states over time with who and where, within the caller's part: stock movements and audit entries", async () => {
    const states = (h: Headers, cardNo: string) =>
      t.app.inject({ method: 'GET', url: `${ENDPOINTS.cardStates.path}?cardNo=${cardNo}`, headers: h });
    // The demo's stock: in at the province, 100 to the city, 50 of those on to the outlet (server/stock/demo.ts).
    const atOutlet = demoCardNo(DEMO_STOCK_SERIALS.first);
    const centre = await states(t.as.center_operator, atOutlet);
    expect(centre.statusCode, centre.body).toBe(200);
    expect(centre.json()).toMatchObject({ cardNo: atOutlet, state: 'stock', cardType: 'user' });
    expect(
      centre
        .json()
        .events.map((e: { kind: string; unitNameZh: string; fromUnitNameZh: string }) => [e.kind, e.fromUnitNameZh, e.unitNameZh]),
    ).toEqual([
      ['requisition', '演示省公司', '演示市分公司'],
      ['requisition', '演示市分公司', '演示营业网点'],
    ]);
    const admin = (await states(t.as.administrator, atOutlet)).json();
    expect(admin.events.map((e: { kind: string }) => e.kind)).toEqual(['stock_in', 'requisition', 'requisition']);
    expect(admin.events[0].operatorUsername).not.toBeNull();
    // Still at the province: nothing of it in the city's part, so the city's centre is told there is no such card.
    const atProvince = demoCardNo(DEMO_STOCK_SERIALS.last);
    expect((await states(t.as.center_operator, atProvince)).json().error.code).toBe('NOT_FOUND');
    expect((await states(t.as.administrator, atProvince)).json().events).toHaveLength(1);
    // Audit entries about a card: the city's own, never another city's.
    expect((await states(t.as.center_operator, OWN_CARD)).json()).toMatchObject({
      state: null,
      events: [{ kind: 'card.test_state', operatorUsername: 'demo.operator', deviceId: 'demo-tablet-1', unitNameZh: '演示营业网点' }],
    });
    expect((await states(t.as.center_operator, FAR_CARD)).json().error.code).toBe('NOT_FOUND');
    const refused = await states(t.as.outlet_supervisor, OWN_CARD);
    expect(refused.json().error.code).toBe('FORBIDDEN');
  });
});
