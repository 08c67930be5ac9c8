import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from './testing/db.ts';
import { HealthResponse, ApiErrorBody } from './contract/index.ts';

describe(`the HTTP app on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  const distDir = mkdtempSync(join(tmpdir(), 'fuelcard-dist-'));

  beforeAll(async () => {
    writeFileSync(join(distDir, 'index.html'), '<!doctype html><title>shell</title>');
    db = await openTestDatabase();
    const echo = (a: FastifyInstance): void => {
      a.post('/api/test/echo', async (request) => ({ received: request.body }));
    };
    app = await buildApp({ db, config: { distDir, logLevel: 'silent' }, logger: false, routes: [echo] });
    bare = await buildApp({ db, config: { distDir: join(distDir, 'missing'), logLevel: 'silent' }, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await bare.close();
    await db.close();
  });

  it('answers /healthz with the database engine in use', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(HealthResponse.parse(response.json())).toEqual({ status: 'ok', database: testEngine() });
  });

  it('serves the app shell for client-side routes and revalidates it', async () => {
    const response = await app.inject({ method: 'GET', url: '/staff/cards' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>shell</title>');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers unknown API routes with a JSON 404 in the error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expect(response.statusCode).toBe(404);
    expect(ApiErrorBody.parse(response.json()).error.code).toBe('NOT_FOUND');
  });

  it('refuses invalid JSON with a clear error code', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"amount": 1',
    });
    expect(response.statusCode).toBe(400);
    expect(ApiErrorBody.parse(response.json()).error.code).toBe('INVALID_JSON');
  });

  it('refuses a body that is not JSON and one that is too large', async () => {
    const text = await app.inject({ method: 'POST', url: '/api/test/echo', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(ApiErrorBody.parse(text.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(2_000_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(ApiErrorBody.parse(big.json()).error.code).toBe('BODY_TOO_LARGE');
  });

  it('says the app is not built rather than failing when dist is missing', async () => {
    const response = await bare.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(ApiErrorBody.parse(response.json()).error.code).toBe('APP_NOT_BUILT');
  });
});
