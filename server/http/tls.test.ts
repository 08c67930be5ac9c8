/**
 * HTTPS and the reverse proxy: the server listens with HTTPS when given a certificate and its key
 * (a self-signed pair made here with openssl), refuses a half or broken TLS configuration at start
 * naming the variables, and believes X-Forwarded-For only from the proxies FUELCARD_TRUST_PROXY
 * names, since the sign-in limits count per client address.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { ConfigError, DEMO_KEK_HEX, loadConfig } from '../config.ts';
import { DEMO_DEVICE_SECRETS, seedDemo } from '../demo/seed.ts';
import { demoCardNo } from '../demo/money.ts';
import { ENDPOINTS } from '../contract/index.ts';
import { LIMITS } from '../limits.ts';
import { signAsDevice } from '../testing/device-signing.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function get(url: string, options: { ca?: Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      { ...(options.ca ? { ca: options.ca } : {}), headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error('timed out')));
    request.end();
  });
}

/** A self-signed certificate for 127.0.0.1 and localhost, and its key, in a folder of the test's own. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

describe('the TLS configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fuelcard-tls-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the certificate and key when both are set, and plain HTTP when neither is', () => {
    const pair = selfSigned(dir, 'good');
    expect(loadConfig({ FUELCARD_TLS_CERT: pair.cert, FUELCARD_TLS_KEY: pair.key }).tls).toMatchObject({
      cert: expect.any(Buffer),
      key: expect.any(Buffer),
    });
    expect(loadConfig({}).tls).toBeUndefined();
  });

  it('refuses one without the other, an unreadable file, and a key that is not the certificate’s, naming the variables', () => {
    const pair = selfSigned(dir, 'one');
    const other = selfSigned(dir, 'two');
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ FUELCARD_TLS_CERT: pair.cert })).toMatch(/FUELCARD_TLS_KEY: must be set with FUELCARD_TLS_CERT/);
    expect(refusal({ FUELCARD_TLS_KEY: pair.key })).toMatch(/FUELCARD_TLS_CERT: must be set with FUELCARD_TLS_KEY/);
    expect(refusal({ FUELCARD_TLS_CERT: join(dir, 'missing.pem'), FUELCARD_TLS_KEY: pair.key })).toMatch(
      /FUELCARD_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/,
    );
    expect(refusal({ FUELCARD_TLS_CERT: pair.cert, FUELCARD_TLS_KEY: dir })).toMatch(/FUELCARD_TLS_KEY: cannot read/);
    expect(refusal({ FUELCARD_TLS_CERT: pair.cert, FUELCARD_TLS_KEY: other.key })).toMatch(
      /FUELCARD_TLS_CERT, FUELCARD_TLS_KEY: not a PEM certificate and its private key/,
    );
    expect(refusal({ FUELCARD_TLS_CERT: garbage, FUELCARD_TLS_KEY: pair.key })).toMatch(/not a PEM certificate/);
  });

  it('trusts X-Forwarded-For only from named proxies, never from everyone', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ FUELCARD_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    for (const bad of ['true', '*', '1', '10.0.0.0/33', 'proxy.example'])
      expect(() => loadConfig({ FUELCARD_TRUST_PROXY: bad }), bad).toThrow(/FUELCARD_TRUST_PROXY/);
  });
});

describe(`the server over HTTPS on ${testEngine()}`, () => {
  let dir: string;
  let db: TestDatabase;
  let app: FastifyInstance;
  let ca: Buffer;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuelcard-tls-'));
    const pair = selfSigned(dir, 'server');
    const config = loadConfig({ FUELCARD_TLS_CERT: pair.cert, FUELCARD_TLS_KEY: pair.key });
    ca = config.tls!.cert;
    db = await openTestDatabase();
    await seedDemo(db);
    app = await buildApp({
      db,
      config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX, tls: config.tls },
      logger: false,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS with HSTS, and a kiosk’s signed request goes through', async () => {
    const health = await get(`https://127.0.0.1:${port}/healthz`, { ca });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    const url = `/api/v1/cards/${demoCardNo(1)}`;
    const authorization = signAsDevice({
      deviceId: 'demo-kiosk-1',
      secret: DEMO_DEVICE_SECRETS['demo-kiosk-1'],
      method: 'GET',
      url,
      body: '',
      timestampMs: Date.now(),
    });
    const inquiry = await get(`https://127.0.0.1:${port}${url}`, { ca, headers: { authorization } });
    expect(inquiry.status, inquiry.body).toBe(200);
  });

  it('is not reachable over plain HTTP on its port, nor over HTTPS by a client that does not trust its certificate', async () => {
    await expect(get(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(get(`https://127.0.0.1:${port}/healthz`)).rejects.toThrow(/self-signed|certificate/);
  });
});

describe(`the client address behind a reverse proxy on ${testEngine()}`, () => {
  let db: TestDatabase;
  let trusting: FastifyInstance;
  let plain: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDatabase();
    const config = { distDir: '/nonexistent', logLevel: 'silent' as const, kekHex: DEMO_KEK_HEX };
    trusting = await buildApp({
      db,
      config: { ...config, trustProxy: loadConfig({ FUELCARD_TRUST_PROXY: '127.0.0.1' }).trustProxy },
      logger: false,
    });
    plain = await buildApp({ db, config, logger: false });
  });
  afterAll(async () => {
    await trusting?.close();
    await plain?.close();
    await db?.close();
  });

  /** Sign-in requests (refused as malformed, after the per-address count) from `remoteAddress` claiming `forwardedFor`. */
  const signIns = async (app: FastifyInstance, count: number, remoteAddress: string, forwardedFor: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = await app.inject({
        method: 'POST',
        url: ENDPOINTS.login.path,
        payload: {},
        remoteAddress,
        headers: { 'x-forwarded-for': forwardedFor },
      });
      statuses.push(r.statusCode);
    }
    return statuses;
  };
  const max = LIMITS.loginRequestCountPerAddressMax;

  it('counts sign-ins per forwarded client when the request comes from the trusted proxy', async () => {
    expect(await signIns(trusting, max, '127.0.0.1', '198.51.100.1')).toEqual(Array(max).fill(400));
    expect(await signIns(trusting, 1, '127.0.0.1', '198.51.100.1')).toEqual([429]);
    expect(await signIns(trusting, 1, '127.0.0.1', '198.51.100.2'), 'another client behind the proxy').toEqual([400]);
  });

  it('ignores X-Forwarded-For from anyone else, so a client cannot pick its own address', async () => {
    expect(await signIns(trusting, max, '203.0.113.7', '198.51.100.10')).toEqual(Array(max).fill(400));
    expect(await signIns(trusting, 1, '203.0.113.7', '198.51.100.11'), 'a new forwarded address changes nothing').toEqual([429]);
    expect(await signIns(plain, max, '127.0.0.1', '198.51.100.20')).toEqual(Array(max).fill(400));
    expect(await signIns(plain, 1, '127.0.0.1', '198.51.100.21'), 'no proxy trusted: one address').toEqual([429]);
  });
});
