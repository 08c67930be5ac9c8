/**
 * A test server: a migrated database with the demo data, the app built on it, credentials for every
 * demo role, and simulated cards with the demo keys to produce genuine MAC1s and TACs.
 *
 * Devices sign each request (server/contract/device-auth.ts), so a device's credentials cannot be
 * a fixed header. deviceHeader() gives instead a marker that the test app's inject() turns into a
 * fresh signature over that very request (withDeviceSigning), and tests pass it around as they
 * would any headers. A marker that reaches the server unsigned names nobody (401).
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type AppOptions } from '../app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { seedDemo, DEMO_DEVICE_SECRETS, DEMO_OPERATOR_PASSWORD } from '../demo/seed.ts';
import { checkLedger } from '../ledger/check.ts';
import { verifyAudit } from '../audit/log.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';
import { signAsDevice } from './device-signing.ts';

export { signAsDevice };

export type Headers = Record<string, string>;

export type TestApp = {
  db: TestDatabase;
  app: FastifyInstance;
  kiosk: Headers;
  tablet: Headers;
  /** Operators signed in on the demo tablet (administrator and centre operator without a device). */
  as: Record<'outlet_operator' | 'outlet_supervisor' | 'center_operator' | 'administrator' | 'other_city_operator', Headers>;
  post(url: string, body: unknown, headers: Headers): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

const SIGN_AS_DEVICE = 'x-test-sign-as-device';
const SIGN_WITH_SECRET = 'x-test-sign-with-secret';

/** Credentials of a demo device (or any device, given its secret), signed by withDeviceSigning's inject. */
export function deviceHeader(deviceId: keyof typeof DEMO_DEVICE_SECRETS): Headers;
export function deviceHeader(deviceId: string, secret: string): Headers;
export function deviceHeader(deviceId: string, secret?: string): Headers {
  return { [SIGN_AS_DEVICE]: deviceId, [SIGN_WITH_SECRET]: secret ?? DEMO_DEVICE_SECRETS[deviceId as keyof typeof DEMO_DEVICE_SECRETS] };
}

/**
 * The body text inject() will send, and options that send exactly that text: an object payload is
 * serialised here (as light-my-request would) so that the signature covers the same bytes.
 */
function bodyText(options: InjectOptions): { text: string; options: InjectOptions } {
  const payload = options.payload ?? options.body;
  if (payload === undefined) return { text: '', options };
  if (typeof payload === 'string') return { text: payload, options };
  if (Buffer.isBuffer(payload)) return { text: payload.toString('utf8'), options };
  const text = JSON.stringify(payload);
  const headers = { 'content-type': 'application/json', ...(options.headers as Headers | undefined) };
  return { text, options: { ...options, body: undefined, payload: text, headers } };
}

/**
 * The app, whose inject() signs every request carrying deviceHeader()'s marker as that device
 * would, stamped with `nowMs` (the test's clock, when the app runs on one).
 */
export function withDeviceSigning(app: FastifyInstance, nowMs: () => number = Date.now): FastifyInstance {
  const inject = (options: InjectOptions | string) => {
    if (typeof options === 'string') return app.inject(options);
    const headers = { ...(options.headers as Headers | undefined) };
    const deviceId = headers[SIGN_AS_DEVICE];
    const secret = headers[SIGN_WITH_SECRET];
    if (deviceId === undefined || secret === undefined) return app.inject(options);
    delete headers[SIGN_AS_DEVICE];
    delete headers[SIGN_WITH_SECRET];
    if (typeof options.url !== 'string' || options.query !== undefined)
      throw new Error('withDeviceSigning signs string URLs only (put the query in the URL)');
    const { text, options: sent } = bodyText({ ...options, headers });
    const authorization = signAsDevice({
      deviceId,
      secret,
      method: (options.method ?? 'GET').toUpperCase(),
      url: options.url,
      body: text,
      timestampMs: nowMs(),
    });
    return app.inject({ ...sent, headers: { ...(sent.headers as Headers), authorization } });
  };
  return new Proxy(app, {
    get: (target, property, receiver) => (property === 'inject' ? inject : Reflect.get(target, property, receiver)),
  });
}

export async function openTestApp(options: { now?: () => Date; config?: Partial<AppOptions['config']> } = {}): Promise<TestApp> {
  const db = await openTestDatabase();
  await seedDemo(db);
  const built = await buildApp({
    db,
    config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX, ...options.config },
    logger: false,
    ...(options.now ? { now: options.now } : {}),
  });
  const now = options.now;
  const app = withDeviceSigning(built, now ? () => now().getTime() : Date.now);
  const post = (url: string, body: unknown, headers: Headers) => app.inject({ method: 'POST', url, payload: body as object, headers });
  const login = async (username: string, device?: Headers): Promise<Headers> => {
    const response = await post('/api/v1/auth/login', { username, password: DEMO_OPERATOR_PASSWORD }, device ?? {});
    expect(response.statusCode).toBe(200);
    return { authorization: `Bearer ${response.json().token}` };
  };
  const tablet = deviceHeader('demo-tablet-1');
  return {
    db,
    app,
    kiosk: deviceHeader('demo-kiosk-1'),
    tablet,
    as: {
      outlet_operator: await login('demo.operator', tablet),
      outlet_supervisor: await login('demo.supervisor', tablet),
      center_operator: await login('demo.center'),
      administrator: await login('demo.admin'),
      other_city_operator: await login('demo.other'),
    },
    post,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** The ledger's invariants and the audit chains, asserted (tests call it after every test). */
export async function expectSound(db: TestDatabase): Promise<void> {
  expect(await checkLedger(db)).toEqual([]);
  expect((await verifyAudit(db)).sound).toBe(true);
}

/** Rows of the tables a request may change, to show that a refused request changed nothing. */
export async function snapshot(db: TestDatabase, only?: readonly string[]): Promise<string> {
  const tables = only ?? [
    'account',
    'transfer',
    'card_load',
    'operation',
    'device_sync',
    'card',
    'card_alarm',
    'audit_log',
    'operator',
    'device',
    'org_unit',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await db.query(`SELECT * FROM ${table} ORDER BY 1`);
    parts.push(JSON.stringify(rows.rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
  return parts.join('\n');
}
