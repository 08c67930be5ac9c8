import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { ApiErrorBody } from '../contract/index.ts';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: unknown): Map<string, string[]> {
  const parts = String(header)
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .filter((words) => words[0] !== '');
  return new Map(parts.map(([name = '', ...values]) => [name, values]));
}

describe(`security headers, compression and what the app folder serves, on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const distDir = mkdtempSync(join(tmpdir(), 'fuelcard-dist-'));
  const script = `console.log(${JSON.stringify('fuel card '.repeat(500))});`;

  beforeAll(async () => {
    mkdirSync(join(distDir, 'assets'));
    writeFileSync(
      join(distDir, 'index.html'),
      '<!doctype html><title>shell</title><script type="module" src="/assets/index-abc123.js"></script>',
    );
    writeFileSync(join(distDir, 'assets', 'index-abc123.js'), `${script}\n//# sourceMappingURL=index-abc123.js.map`);
    writeFileSync(join(distDir, 'assets', 'index-abc123.js.map'), '{"version":3,"sources":["../src/secret.ts"]}');
    writeFileSync(join(distDir, 'sw.js'), script);
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir, logLevel: 'silent' }, logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('sends a policy that allows only this origin and no framing, with nosniff and no referrer, on the app and the API', async () => {
    for (const url of ['/', '/kiosk', '/api/openapi.json', '/api/v1/nothing']) {
      const response = await app.inject({ method: 'GET', url });
      const csp = directives(response.headers['content-security-policy']);
      expect(csp.get('default-src'), url).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'"]);
      expect(csp.get('worker-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      // The station network is plain HTTP: upgrading would break every request of the app.
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('compresses API answers and the app’s files, and hashed assets keep their immutable caching', async () => {
    const api = await app.inject({ method: 'GET', url: '/api/openapi.json', headers: { 'accept-encoding': 'gzip' } });
    expect(api.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(api.rawPayload).toString()).openapi).toBeDefined();

    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('br');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(asset.rawPayload).toString()).toContain(script);

    const worker = await app.inject({ method: 'GET', url: '/sw.js', headers: { 'accept-encoding': 'gzip' } });
    expect(worker.headers['content-encoding']).toBe('gzip');
    expect(worker.headers['cache-control']).toBe('no-cache');

    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('does not serve source maps, even when the build left some', async () => {
    for (const url of ['/assets/index-abc123.js.map', '/assets/missing-0000.js.map']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(ApiErrorBody.parse(response.json()).error.code).toBe('NOT_FOUND');
    }
  });
});
