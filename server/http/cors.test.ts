import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';

const IWA = 'isolated-app://pyaz3wvfxb2t6tllqop3rp32ti2tyihvkvx7nofqqj75otqdudyaaaic';

describe(`API access from the kiosk Isolated Web App on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', iwaOrigins: [IWA] }, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('answers the preflight of a configured IWA origin, allowing the device credentials', async () => {
    const r = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/sync/push',
      headers: { origin: IWA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe(IWA);
    expect(r.headers['access-control-allow-headers']).toContain('authorization');
  });

  it('marks answers to that origin as readable by it', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/info', headers: { origin: IWA } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(IWA);
  });

  it('gives any other origin no CORS headers, so the browser keeps its pages out', async () => {
    for (const origin of ['https://evil.example', 'isolated-app://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/info', headers: { origin } });
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('takes the allowed origins from configuration and refuses a malformed one', () => {
    expect(loadConfig({ FUELCARD_IWA_ORIGINS: `${IWA}/, ${IWA}` }).iwaOrigins).toHaveLength(2);
    expect(() => loadConfig({ FUELCARD_IWA_ORIGINS: 'https://kiosk.example' })).toThrow(/FUELCARD_IWA_ORIGINS/);
  });
});
