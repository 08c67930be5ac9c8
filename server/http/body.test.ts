import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, ApiErrorBody, ENDPOINTS } from '../contract/index.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { hasUnstorableText, jsonNestingExceeds } from './body.ts';
import { LIMITS } from '../limits.ts';

const json = { 'content-type': 'application/json' };

/** A JSON array nested `depth` deep around a number, as text (building it as a value would recurse). */
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('the body checks', () => {
  it('count nesting on the text, ignoring brackets and escaped quotes inside strings', () => {
    expect(jsonNestingExceeds(nested(LIMITS.requestJsonDepthMax), LIMITS.requestJsonDepthMax)).toBe(false);
    expect(jsonNestingExceeds(nested(LIMITS.requestJsonDepthMax + 1), LIMITS.requestJsonDepthMax)).toBe(true);
    expect(jsonNestingExceeds(`{"a":"[[[[\\"[[[[","b":[{}]}`, 3)).toBe(false);
    expect(jsonNestingExceeds(nested(100_000), LIMITS.requestJsonDepthMax)).toBe(true);
  });

  it('find NUL and unpaired surrogates in strings and keys at any depth, and let pairs and CJK through', () => {
    expect(hasUnstorableText({ a: ['ok', { b: 'x\u0000y' }] })).toBe(true);
    expect(hasUnstorableText({ a: ['ok', { b: 'x\ud800y' }] })).toBe(true);
    expect(hasUnstorableText({ a: 'x\udc00' })).toBe(true);
    expect(hasUnstorableText({ ['k\u0000']: 1 })).toBe(true);
    expect(hasUnstorableText({ ['k\ud83d']: 1 })).toBe(true);
    expect(hasUnstorableText({ name: '演示加油站 ⛽ 😀', n: 1, z: null, t: true, list: [[], {}] })).toBe(false);
    expect(hasUnstorableText(new Array(200_000).fill('a'))).toBe(false);
  });
});

describe(`requests no column can hold, refused with 400 before any route on ${testEngine()}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const expectRefused = (response: { statusCode: number; json(): unknown }, code: string): void => {
    expect(response.statusCode).toBe(400);
    expect(ApiErrorBody.parse(response.json()).error.code).toBe(code);
  };

  it('refuses a NUL in the sign-in name without credentials, and changes nothing', async () => {
    const before = await snapshot(t.db);
    expectRefused(await t.post(ENDPOINTS.login.path, { username: 'demo.admin\u0000', password: 'whatever-it-is' }, {}), 'TEXT_INVALID');
    // As the escape a client would send, and as a lone surrogate in the password.
    const escaped = await t.app.inject({
      method: 'POST',
      url: ENDPOINTS.login.path,
      headers: json,
      payload: '{"username":"a\\u0000b","password":"x\\ud800"}',
    });
    expectRefused(escaped, 'TEXT_INVALID');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('refuses a NUL or an unpaired surrogate in the names of organisation units and devices, and changes nothing', async () => {
    const city = String((await t.db.query<{ id: bigint }>("SELECT id FROM org_unit WHERE code = '3201'")).rows[0]!.id);
    const outlet = String((await t.db.query<{ id: bigint }>("SELECT id FROM org_unit WHERE code = '3201001'")).rows[0]!.id);
    const before = await snapshot(t.db);
    for (const name of ['测试\u0000县', '测试县\ud800', '\udfff']) {
      const unit = await t.post(
        ENDPOINTS.createOrgUnit.path,
        { kind: 'county', code: '320199', nameZh: name, nameEn: 'Test County', parentId: city },
        t.as.administrator,
      );
      expectRefused(unit, 'TEXT_INVALID');
      const device = await t.post(
        ENDPOINTS.registerDevice.path,
        { deviceId: 'test-kiosk-99', kind: 'kiosk', orgUnitId: outlet, terminalId: '320100000099', name },
        t.as.administrator,
      );
      expectRefused(device, 'TEXT_INVALID');
    }
    expect(await snapshot(t.db)).toBe(before);
    // A name outside the Basic Multilingual Plane (a surrogate pair) is a name like any other.
    const paired = await t.post(
      ENDPOINTS.createOrgUnit.path,
      { kind: 'county', code: '320198', nameZh: '𠀀县 ⛽', nameEn: 'Test County 😀', parentId: city },
      t.as.administrator,
    );
    expect(paired.statusCode, paired.body).toBe(200);
    expect(paired.json()).toMatchObject({ nameZh: '𠀀县 ⛽', nameEn: 'Test County 😀' });
  });

  it('refuses a sync push nested 5,000 deep, and changes nothing', async () => {
    const before = await snapshot(t.db);
    const operation = `{"id":"3f1f3e1a-2f4b-4c41-9a55-0d2f7f6b0a01","deviceId":"demo-kiosk-1","seq":1,"type":"inquiry","payload":{"cardNo":${nested(5_000)}}}`;
    const response = await t.app.inject({
      method: 'POST',
      url: ENDPOINTS.syncPush.path,
      headers: { ...json, ...t.kiosk },
      payload: `{"contractVersion":${CONTRACT_VERSION},"operations":[${operation}]}`,
    });
    expectRefused(response, 'JSON_TOO_DEEP');
    expect(await snapshot(t.db)).toBe(before);
  });

  it('refuses a NUL in a pushed payload, which would otherwise reach a jsonb column, and changes nothing', async () => {
    const before = await snapshot(t.db);
    const operations = [
      {
        id: '3f1f3e1a-2f4b-4c41-9a55-0d2f7f6b0a02',
        deviceId: 'demo-kiosk-1',
        seq: 1,
        type: 'inquiry',
        payload: { cardNo: '1000113100000000001\u0000' },
      },
    ];
    expectRefused(await t.post(ENDPOINTS.syncPush.path, { contractVersion: CONTRACT_VERSION, operations }, t.kiosk), 'TEXT_INVALID');
    expect(await snapshot(t.db)).toBe(before);
  });
});
