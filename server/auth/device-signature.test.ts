import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { DEMO_DEVICE_SECRETS } from '../demo/seed.ts';
import { demoCardNo } from '../demo/money.ts';
import { LIMITS } from '../limits.ts';
import { CONTRACT_VERSION, ENDPOINTS } from '../contract/index.ts';
import { openTestApp, signAsDevice, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { deleteExpiredNonces } from './device-signature.ts';
import { openDeviceKey, sealDeviceKey } from './device-keys.ts';

const KIOSK = 'demo-kiosk-1';
const SECRET = DEMO_DEVICE_SECRETS[KIOSK];
const INQUIRY = `/api/v1/cards/${demoCardNo(1)}`;
const START_MS = Date.parse('2031-05-06T07:08:09.000Z');

describe(`signed device requests on ${testEngine()}`, () => {
  let t: TestApp;
  let nowMs = START_MS;
  beforeAll(async () => {
    t = await openTestApp({ now: () => new Date(nowMs) });
  });
  afterAll(async () => t?.close());

  /** A request as a kiosk sends it, with its Authorization header made here (the app's inject passes it on untouched). */
  const signed = (r: {
    method?: 'GET' | 'POST';
    url?: string;
    body?: string;
    secret?: string;
    timestampMs?: number;
    deviceId?: string;
  }): InjectOptions => {
    const method = r.method ?? 'GET';
    const url = r.url ?? INQUIRY;
    const body = r.body ?? '';
    const authorization = signAsDevice({
      deviceId: r.deviceId ?? KIOSK,
      secret: r.secret ?? SECRET,
      method,
      url,
      body,
      timestampMs: r.timestampMs ?? nowMs,
    });
    return {
      method,
      url,
      headers: { authorization, ...(body === '' ? {} : { 'content-type': 'application/json' }) },
      ...(body === '' ? {} : { payload: body }),
    };
  };
  const codeOf = (response: { json(): { error?: { code: string } } }) => response.json().error?.code;
  const nonceCount = async () =>
    Number((await t.db.query<{ n: bigint }>('SELECT count(*)::bigint AS n FROM device_request_nonce')).rows[0]!.n);

  it('accepts a request signed with the device secret, and the kiosk acts as itself', async () => {
    const inquiry = await t.app.inject(signed({}));
    expect(inquiry.statusCode, inquiry.body).toBe(200);
    const pull = await t.app.inject(
      signed({
        method: 'POST',
        url: ENDPOINTS.syncPull.path,
        body: JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [demoCardNo(1)] }),
      }),
    );
    expect(pull.statusCode, pull.body).toBe(200);
    expect(pull.json().cards.map((c: { cardNo: string }) => c.cardNo)).toEqual([demoCardNo(1)]);
  });

  it('refuses a captured request sent again, as NONCE_REUSED, even with its answer unchanged in between', async () => {
    const captured = signed({
      method: 'POST',
      url: ENDPOINTS.syncPull.path,
      body: JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [] }),
    });
    expect((await t.app.inject(captured)).statusCode).toBe(200);
    const replayed = await t.app.inject(captured);
    expect([replayed.statusCode, codeOf(replayed)]).toEqual([401, 'NONCE_REUSED']);
    nowMs += 60_000;
    expect(codeOf(await t.app.inject(captured)), 'a minute later, still inside the window').toBe('NONCE_REUSED');
  });

  it('refuses a captured signature on a changed body, path or method, and records nothing for it', async () => {
    const captured = signed({
      method: 'POST',
      url: ENDPOINTS.syncPull.path,
      body: JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [demoCardNo(1)] }),
    });
    const before = await nonceCount();
    const changedBody = await t.app.inject({
      ...captured,
      payload: JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [demoCardNo(2)] }),
    });
    const changedPath = await t.app.inject({ ...captured, url: `${ENDPOINTS.syncPull.path}?x=1` });
    const signedForPost = signAsDevice({ deviceId: KIOSK, secret: SECRET, method: 'POST', url: INQUIRY, body: '', timestampMs: nowMs });
    const changedMethod = await t.app.inject({ method: 'GET', url: INQUIRY, headers: { authorization: signedForPost } });
    const sameBodyOtherPath = signed({ url: INQUIRY });
    const otherCard = await t.app.inject({ ...sameBodyOtherPath, url: `/api/v1/cards/${demoCardNo(2)}` });
    for (const [what, response] of Object.entries({ changedBody, changedPath, changedMethod, otherCard })) {
      expect([response.statusCode, codeOf(response)], what).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(await nonceCount()).toBe(before);
    expect((await t.app.inject(captured)).statusCode, 'the untouched request still goes through once').toBe(200);
  });

  it('refuses an old or a future timestamp with the server time, which a device signs with again', async () => {
    const window = LIMITS.deviceRequestClockSkewMaxMs;
    for (const offsetMs of [-window - 1_000, window + 1_000, -24 * 60 * 60 * 1000]) {
      const refused = await t.app.inject(signed({ timestampMs: nowMs + offsetMs }));
      expect([refused.statusCode, codeOf(refused)], `${offsetMs} ms off`).toEqual([401, 'DEVICE_CLOCK_SKEW']);
      expect(refused.json().error.serverTime).toBe(new Date(nowMs).toISOString());
    }
    expect((await t.app.inject(signed({ timestampMs: nowMs - window + 1_000 }))).statusCode, 'just inside the window').toBe(200);
    const serverTime = Date.parse((await t.app.inject(signed({ timestampMs: nowMs - 3_600_000 }))).json().error.serverTime);
    expect((await t.app.inject(signed({ timestampMs: serverTime }))).statusCode, 'signed again with the server time').toBe(200);
  });

  it('refuses a wrong secret, another device’s name, the old secret-in-the-header scheme and a disabled device', async () => {
    const before = await nonceCount();
    const wrongSecret = await t.app.inject(signed({ secret: 'not-the-secret-of-this-kiosk-at-all' }));
    const otherDevice = await t.app.inject(signed({ deviceId: 'demo-tablet-1' }));
    const unknown = await t.app.inject(signed({ deviceId: 'no-such-kiosk' }));
    const oldScheme = await t.app.inject({ method: 'GET', url: INQUIRY, headers: { authorization: `Device ${KIOSK}:${SECRET}` } });
    for (const [what, response] of Object.entries({ wrongSecret, otherDevice, unknown, oldScheme }))
      expect([response.statusCode, codeOf(response)], what).toEqual([401, 'UNAUTHENTICATED']);
    expect(await nonceCount()).toBe(before);
    await t.db.query("UPDATE device SET state = 'disabled' WHERE id = 'demo-tablet-1'");
    try {
      expect(codeOf(await t.app.inject(signed({ deviceId: 'demo-tablet-1', secret: DEMO_DEVICE_SECRETS['demo-tablet-1'] })))).toBe(
        'UNAUTHENTICATED',
      );
    } finally {
      await t.db.query("UPDATE device SET state = 'active' WHERE id = 'demo-tablet-1'");
    }
  });

  it('keeps the secret sealed under the key-encryption key, bound to its device', async () => {
    const row = (await t.db.query<{ signing_key_sealed: string }>('SELECT signing_key_sealed FROM device WHERE id = $1', [KIOSK])).rows[0]!;
    expect(row.signing_key_sealed).not.toContain(Buffer.from(SECRET).toString('hex'));
    expect(openDeviceKey(DEMO_KEK_HEX, KIOSK, row.signing_key_sealed).toString()).toBe(SECRET);
    expect(() => openDeviceKey('ab'.repeat(32), KIOSK, row.signing_key_sealed)).toThrow(
      expect.objectContaining({ code: 'DEVICE_KEYS_UNAVAILABLE' }),
    );
    expect(() => openDeviceKey(DEMO_KEK_HEX, 'demo-tablet-1', row.signing_key_sealed), 'copied onto another device').toThrow(
      expect.objectContaining({ code: 'DEVICE_KEYS_UNAVAILABLE' }),
    );
    expect(sealDeviceKey(DEMO_KEK_HEX, KIOSK, SECRET)).not.toBe(sealDeviceKey(DEMO_KEK_HEX, KIOSK, SECRET));
  });

  it('forgets a nonce only a window after its request could no longer be accepted', async () => {
    const captured = signed({});
    expect((await t.app.inject(captured)).statusCode).toBe(200);
    const window = LIMITS.deviceRequestClockSkewMaxMs;
    nowMs += window + 1_000;
    await deleteExpiredNonces(t.db, new Date(nowMs));
    expect(await nonceCount()).toBeGreaterThan(0);
    expect(codeOf(await t.app.inject(captured)), 'too old by now, whatever the nonce table holds').toBe('DEVICE_CLOCK_SKEW');
    nowMs += window;
    await deleteExpiredNonces(t.db, new Date(nowMs));
    expect(await nonceCount()).toBe(0);
    expect(codeOf(await t.app.inject(captured))).toBe('DEVICE_CLOCK_SKEW');
  });

  it('accepts a captured request once when two server processes on one database receive it at the same moment', async () => {
    const second = await buildApp({
      db: t.db,
      config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX },
      logger: false,
      now: () => new Date(nowMs),
    });
    try {
      for (let round = 0; round < 5; round++) {
        const captured = signed({
          method: 'POST',
          url: ENDPOINTS.syncPull.path,
          body: JSON.stringify({ contractVersion: CONTRACT_VERSION, cardNos: [] }),
        });
        const answers = await Promise.all([
          t.app.inject(captured),
          second.inject(captured),
          t.app.inject(captured),
          second.inject(captured),
        ]);
        expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401, 401]);
        expect(answers.filter((a) => a.statusCode === 401).map(codeOf)).toEqual(['NONCE_REUSED', 'NONCE_REUSED', 'NONCE_REUSED']);
      }
    } finally {
      await second.close();
    }
  });
});

describe(`a server without a key-encryption key on ${testEngine()}`, () => {
  let t: TestApp;
  let bare: FastifyInstance;
  beforeAll(async () => {
    t = await openTestApp();
    bare = await buildApp({ db: t.db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false });
  });
  afterAll(async () => {
    await bare?.close();
    await t?.close();
  });

  it('says it cannot check devices or enrol them (503 DEVICE_KEYS_UNAVAILABLE), rather than calling the device unknown', async () => {
    const authorization = signAsDevice({ deviceId: KIOSK, secret: SECRET, method: 'GET', url: INQUIRY, body: '', timestampMs: Date.now() });
    const inquiry = await bare.inject({ method: 'GET', url: INQUIRY, headers: { authorization } });
    expect([inquiry.statusCode, inquiry.json().error.code]).toEqual([503, 'DEVICE_KEYS_UNAVAILABLE']);
    const code = (await t.post(ENDPOINTS.issueEnrolment.path, { deviceId: KIOSK }, t.as.administrator)).json().enrolmentCode as string;
    const enrol = await bare.inject({ method: 'POST', url: ENDPOINTS.enrol.path, payload: { deviceId: KIOSK, enrolmentCode: code } });
    expect([enrol.statusCode, enrol.json().error.code]).toEqual([503, 'DEVICE_KEYS_UNAVAILABLE']);
  });
});
