/**
 * A test server: a migrated database with the demo data, the app built on it, credentials for every
 * demo role, and simulated cards with the demo keys to produce genuine MAC1s and TACs.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp, type AppOptions } from '../app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { seedDemo, DEMO_DEVICE_SECRETS, DEMO_OPERATOR_PASSWORD } from '../demo/seed.ts';
import { checkLedger } from '../ledger/check.ts';
import { verifyAudit } from '../audit/log.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';

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

export const deviceHeader = (deviceId: keyof typeof DEMO_DEVICE_SECRETS): Headers => ({ authorization: `Device ${deviceId}:${DEMO_DEVICE_SECRETS[deviceId]}` });

export async function openTestApp(options: { now?: () => Date; config?: Partial<AppOptions['config']> } = {}): Promise<TestApp> {
  const db = await openTestDatabase();
  await seedDemo(db);
  const app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX, ...options.config }, logger: false, ...(options.now ? { now: options.now } : {}) });
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
  const tables = only ?? ['account', 'transfer', 'card_load', 'operation', 'device_sync', 'card', 'card_alarm', 'audit_log', 'operator', 'device', 'org_unit'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await db.query(`SELECT * FROM ${table} ORDER BY 1`);
    parts.push(JSON.stringify(rows.rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
  return parts.join('\n');
}
