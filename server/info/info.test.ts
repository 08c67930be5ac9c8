import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { deviceHeader, expectSound, openTestApp, type TestApp } from '../testing/app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { LIMITS } from '../limits.ts';
import { DemoKiosk, EnrolResponse, ENDPOINTS, ServerInfo } from '../contract/index.ts';
import { createDemoKiosk } from '../demo/kiosks.ts';
import { DEMO_OPERATOR_PASSWORD } from '../demo/seed.ts';
import { createDemoCard, type DemoCardId } from '../../ccid/sim/demo/cards.ts';
import { decodeEf15 } from '../../ccid/fuelcard/files.ts';

/** The cards a demo kiosk's virtual reader holds (src/lib/demo/demo-list.ts). */
const READER_CARDS: readonly DemoCardId[] = ['named', 'subCard', 'anonymous', 'grey', 'pinBlocked', 'expired'];

describe(`server info without demo data on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX }, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('says it is not a demo, and makes no demo kiosk for anyone', async () => {
    expect(ServerInfo.parse((await app.inject({ method: 'GET', url: '/api/v1/info' })).json())).toEqual({
      demo: false,
      contractVersion: 7,
    });
    const asked = await app.inject({ method: 'POST', url: ENDPOINTS.createDemoKiosk.path, payload: {} });
    expect([asked.statusCode, asked.json().error.code]).toEqual([404, 'NOT_FOUND']);
    const tablet = await app.inject({ method: 'POST', url: ENDPOINTS.createDemoTablet.path, payload: {} });
    expect([tablet.statusCode, tablet.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await db.query('SELECT id FROM device')).rows).toEqual([]);
  });
});

describe(`a demo kiosk for each browser on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());

  type Browser = { kiosk: DemoKiosk; secret: string; terminalId: string };
  /** What a browser opening the demo does: asks for a kiosk, then enrols it with the code. */
  const openDemo = async (): Promise<Browser> => {
    const asked = await t.post(ENDPOINTS.createDemoKiosk.path, {}, {});
    expect(asked.statusCode, asked.body).toBe(200);
    const kiosk = DemoKiosk.parse(asked.json());
    const enrolled = EnrolResponse.parse(
      (await t.post(ENDPOINTS.enrol.path, { deviceId: kiosk.deviceId, enrolmentCode: kiosk.enrolmentCode }, {})).json(),
    );
    return { kiosk, secret: enrolled.secret, terminalId: enrolled.terminalId };
  };
  const cardNoOf = (b: Browser, id: DemoCardId) =>
    decodeEf15(createDemoCard(id, undefined, { serialBase: b.kiosk.cardSerialBase }).card.inspect().ef15).asn;
  /** Each reader card as the browser's kiosk sees it on the server. */
  const cardsOf = async (b: Browser) => {
    const seen: Record<string, unknown> = {};
    for (const id of READER_CARDS) {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/v1/cards/${cardNoOf(b, id)}`,
        headers: deviceHeader(b.kiosk.deviceId, b.secret),
      });
      expect(r.statusCode, `${id}: ${r.body}`).toBe(200);
      seen[id] = r.json();
    }
    return seen;
  };

  it('says it is a demo, and gives out no enrolment code with it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/info' })).json()).toEqual({ demo: true, contractVersion: 7 });
  });

  it('gives two browsers two kiosks with their own devices, terminals and cards, matching their virtual readers', async () => {
    const a = await openDemo();
    const b = await openDemo();
    expect(a.kiosk.deviceId).toMatch(/^demo-visitor-\d+$/);
    expect(new Set([a.kiosk.deviceId, b.kiosk.deviceId, 'demo-kiosk-1']).size).toBe(3);
    expect(new Set([a.terminalId, b.terminalId, '320100000001']).size).toBe(3);
    expect(a.kiosk.cardSerialBase).not.toBe(b.kiosk.cardSerialBase);
    for (const browser of [a, b]) {
      const cards = await cardsOf(browser);
      for (const id of READER_CARDS) {
        const chip = createDemoCard(id, undefined, { serialBase: browser.kiosk.cardSerialBase }).card.inspect();
        const summary = cards[id] as { cardNo: string; onlineTtcSeen: number; accounts: Array<{ code: string; balanceFen: number }> };
        // The server's purse mirror and counter are the chip's, as for the seeded demo cards.
        expect(summary.onlineTtcSeen, id).toBe(chip.purse.onlineTtc);
        expect(summary.accounts.find((acc) => acc.code === 'PURSE')?.balanceFen, id).toBe(chip.purse.edBalanceFen);
      }
    }
  });

  it("never changes one browser's secret or cards when another opens the demo", async () => {
    const a = await openDemo();
    const before = await cardsOf(a);
    const b = await openDemo();
    // A's secret still signs (the old demo replaced the one shared kiosk's secret here), and its cards are as they were.
    expect(await cardsOf(a)).toEqual(before);
    // B's code does not open A's kiosk, nor does A's secret sign as B.
    const other = await t.post(ENDPOINTS.enrol.path, { deviceId: a.kiosk.deviceId, enrolmentCode: b.kiosk.enrolmentCode }, {});
    expect(other.json().error.code).toBe('ENROLMENT_FAILED');
    expect(await cardsOf(a)).toEqual(before);
    const crossed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cards/${cardNoOf(a, 'named')}`,
      headers: deviceHeader(b.kiosk.deviceId, a.secret),
    });
    expect(crossed.statusCode, "A's secret does not sign as B").toBe(401);
  });

  it('keeps at most the bound of demo kiosks active, retiring the oldest, whose browser then gets a fresh one', async () => {
    const kept = 2;
    const made: DemoKiosk[] = [];
    for (let i = 0; i < 3; i++) made.push(await t.db.transaction((tx) => createDemoKiosk(tx, new Date(), { kiosksMax: kept })));
    const active = await t.db.query<{ device_id: string }>('SELECT device_id FROM demo_kiosk WHERE retired_at IS NULL ORDER BY number');
    expect(active.rows.map((r) => r.device_id)).toEqual(made.slice(1).map((k) => k.deviceId));
    const oldest = await t.db.query<{ state: string; signing_key_sealed: string | null; enrolment_code_hash: string | null }>(
      'SELECT state, signing_key_sealed, enrolment_code_hash FROM device WHERE id = $1',
      [made[0]!.deviceId],
    );
    expect(oldest.rows[0]).toEqual({ state: 'disabled', signing_key_sealed: null, enrolment_code_hash: null });
    expect(
      (await t.post(ENDPOINTS.enrol.path, { deviceId: made[0]!.deviceId, enrolmentCode: made[0]!.enrolmentCode }, {})).json().error.code,
    ).toBe('ENROLMENT_FAILED');
    expect(
      (await t.post(ENDPOINTS.enrol.path, { deviceId: made[2]!.deviceId, enrolmentCode: made[2]!.enrolmentCode }, {})).statusCode,
    ).toBe(200);
  });

  it('gives a browser an outlet tablet of its own, on which the outlet operator signs in and sees its cards', async () => {
    const asked = await t.post(ENDPOINTS.createDemoTablet.path, {}, {});
    expect(asked.statusCode, asked.body).toBe(200);
    const tablet = DemoKiosk.parse(asked.json());
    const enrolled = EnrolResponse.parse(
      (await t.post(ENDPOINTS.enrol.path, { deviceId: tablet.deviceId, enrolmentCode: tablet.enrolmentCode }, {})).json(),
    );
    const device = await t.db.query<{ kind: string; code: string }>(
      'SELECT d.kind, u.code FROM device d JOIN org_unit u ON u.id = d.org_unit_id WHERE d.id = $1',
      [tablet.deviceId],
    );
    expect(device.rows).toEqual([{ kind: 'tablet', code: '3201001' }]);
    const login = await t.app.inject({
      method: 'POST',
      url: ENDPOINTS.login.path,
      payload: { username: 'demo.operator', password: DEMO_OPERATOR_PASSWORD },
      headers: deviceHeader(tablet.deviceId, enrolled.secret),
    });
    expect(login.statusCode, login.body).toBe(200);
    const browser = { kiosk: tablet, secret: enrolled.secret, terminalId: enrolled.terminalId };
    const card = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cards/${cardNoOf(browser, 'named')}`,
      headers: { authorization: `Bearer ${login.json().token}` },
    });
    expect(card.statusCode, card.body).toBe(200);
    // Replaying the one-time code enrols nothing more.
    const again = await t.post(ENDPOINTS.enrol.path, { deviceId: tablet.deviceId, enrolmentCode: tablet.enrolmentCode }, {});
    expect(again.statusCode).not.toBe(200);
    expect(
      (await t.app.inject({ method: 'POST', url: ENDPOINTS.createDemoTablet.path, payload: { kind: 'kiosk' } })).statusCode,
      'a malformed request',
    ).toBe(400);
  });

  it('leaves the ledger and the audit chains sound after making kiosks', async () => {
    await expectSound(t.db);
  });

  it('limits how many demo kiosks one address may ask for', async () => {
    const answers = [];
    for (let i = 0; i < LIMITS.demoKioskRequestCountPerAddressMax + 1; i++)
      answers.push(await t.app.inject({ method: 'POST', url: ENDPOINTS.createDemoKiosk.path, payload: {}, remoteAddress: '192.0.2.44' }));
    expect(answers.slice(0, -1).every((r) => r.statusCode === 200)).toBe(true);
    const refused = answers.at(-1)!;
    expect([refused.statusCode, refused.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      (await t.app.inject({ method: 'POST', url: ENDPOINTS.createDemoKiosk.path, payload: {}, remoteAddress: '192.0.2.45' })).statusCode,
      'another address',
    ).toBe(200);
  });

  it('takes the per-address limit from the configuration, for kiosks and tablets together', async () => {
    const small = await openTestApp({ config: { demoDevicesPerAddressMax: 2 } });
    try {
      const ask = (path: string) => small.app.inject({ method: 'POST', url: path, payload: {}, remoteAddress: '192.0.2.46' });
      const codes = [
        await ask(ENDPOINTS.createDemoKiosk.path),
        await ask(ENDPOINTS.createDemoTablet.path),
        await ask(ENDPOINTS.createDemoTablet.path),
      ];
      expect(codes.map((r) => r.statusCode)).toEqual([200, 200, 429]);
    } finally {
      await small.close();
    }
  });
});
