import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { ApiErrorBody, ENDPOINTS } from '../contract/index.ts';

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(answer) : reject(error)));
    socket.write(request);
  });
}

/** The status and error body of a raw HTTP answer. */
function parseRaw(answer: string): { status: number; contentType: string | undefined; body: ApiErrorBody } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /^content-type: (.*)$/im.exec(head)?.[1];
  return { status, contentType, body: ApiErrorBody.parse(JSON.parse(body)) };
}

describe(`fastify's and node's own refusals, in the error shape, on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const expectError = (response: { statusCode: number; body: string }, status: number, code: string): void => {
    expect(response.statusCode).toBe(status);
    expect(ApiErrorBody.parse(JSON.parse(response.body)).error.code).toBe(code);
  };

  it('answers a malformed URL with 400 URL_INVALID without repeating it', async () => {
    for (const url of ['/%', '/api/v1/cards/%zz-marker']) {
      const response = await app.inject({ method: 'GET', url });
      expectError(response, 400, 'URL_INVALID');
      expect(response.body).not.toContain('marker');
    }
  });

  it('answers an over-long URL with 414 URL_TOO_LONG without repeating it', async () => {
    const long = 'x'.repeat(9_000);
    for (const url of [`/api/v1/cards/${long}`, `/api/v1/${long}`, `/api/v1/info?q=${long}`]) {
      const response = await app.inject({ method: 'GET', url });
      expectError(response, 414, 'URL_TOO_LONG');
      expect(response.body.length).toBeLessThan(200);
    }
  });

  it('answers headers past node’s limit with 431 HEADERS_TOO_LARGE in the error shape', async () => {
    const answer = parseRaw(await rawExchange(port, `GET /api/v1/info HTTP/1.1\r\nHost: x\r\nX-Pad: ${'y'.repeat(20_000)}\r\n\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers bytes that are not HTTP with 400 HTTP_MALFORMED in the error shape', async () => {
    const answer = parseRaw(await rawExchange(port, 'HELLO there\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('HTTP_MALFORMED');
  });

  it('answers an unknown API route with 404 NOT_FOUND, and a known path with another method with 405 and Allow', async () => {
    expectError(await app.inject({ method: 'POST', url: '/api/v1/nothing' }), 404, 'NOT_FOUND');
    expectError(await app.inject({ method: 'GET', url: '/api/v2/cards/12345678901234567890' }), 404, 'NOT_FOUND');
    const wrongMethod = await app.inject({ method: 'DELETE', url: ENDPOINTS.login.path });
    expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('POST');
    const onCard = await app.inject({ method: 'PUT', url: '/api/v1/cards/12345678901234567890' });
    expectError(onCard, 405, 'METHOD_NOT_ALLOWED');
    expect(String(onCard.headers.allow).split(', ')).toEqual(expect.arrayContaining(['GET', 'HEAD']));
    expectError(await app.inject({ method: 'GET', url: ENDPOINTS.syncPush.path }), 405, 'METHOD_NOT_ALLOWED');
  });

  it('names unknown fields by their number, never by the keys sent', async () => {
    const response = await app.inject({
      method: 'POST',
      url: ENDPOINTS.login.path,
      payload: { username: 'someone', password: 'something', 'secret-key-marker': 1, other: 2 },
    });
    expectError(response, 400, 'INVALID_REQUEST');
    expect(response.body).not.toContain('marker');
    expect(ApiErrorBody.parse(response.json()).error.message).toBe('body: 2 unknown field(s)');
  });
});
