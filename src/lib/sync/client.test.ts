/**
 * The HTTP client against a mocked server (msw intercepts fetch in Node): requests are shaped by
 * the contract, answers are checked against it, and every failure is a BackendError with a code.
 * Device requests are signed (the signature is checked here as the server checks it, with
 * node:crypto), re-signed once with the server's time when the device clock is off, and never
 * sent over plain HTTP to another machine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createHash, createHmac } from 'node:crypto';
import { ApiClient } from './client.ts';
import { BackendError } from '../net/backend-error.ts';
import { deviceSigningText, parseDeviceAuthorization } from '../../../server/contract/device-auth.ts';
import { CONTRACT_VERSION } from '../../../server/contract/version.ts';

const BASE = 'https://kiosk-test.invalid';
const SECRET = 's'.repeat(43);

/** The server's check of a signed request, short of the clock and the nonce. */
function signedBy(
  request: { method: string; url: string; authorization: string | null; body: string },
  secret: string,
): { deviceId: string; timestampMs: number; nonce: string } | null {
  const parsed = request.authorization === null ? null : parseDeviceAuthorization(request.authorization);
  if (!parsed) return null;
  const url = new URL(request.url);
  const text = deviceSigningText({
    ...parsed,
    method: request.method,
    pathWithQuery: url.pathname + url.search,
    bodySha256Hex: createHash('sha256').update(request.body).digest('hex'),
  });
  return createHmac('sha256', secret).update(text).digest('base64url') === parsed.signature ? parsed : null;
}
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = (credentials = { deviceId: 'demo-kiosk-1', secret: SECRET }, baseUrl = BASE) =>
  new ApiClient({ baseUrl, credentials: () => credentials, timeoutMs: 500 });
const LOAD_BODY = {
  operationId: '01890000-0000-7000-8000-000000000000',
  cardNo: '01000113200000000001',
  amountFen: 100,
  sourceAccount: 'QUOTA' as const,
  terminalId: '320100000001',
  card: { balanceFen: 0, onlineTtc: 1, keyVersion: 1, algId: 2, random: '00112233', mac1: '44556677' },
};
const CARD_NO = '01000113200000000001';

describe('the API client', () => {
  it("puts an endpoint's query in the URL, checked by the contract and covered by the signature", async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    server.use(
      http.get(`${BASE}/api/v1/customers`, ({ request }) => {
        seen.push({ url: request.url, auth: request.headers.get('authorization') });
        return HttpResponse.json({ customers: [], next: null });
      }),
    );
    const api = client();
    expect(await api.call('searchCustomers', { query: { q: ' 张伟 ', limit: 5 } })).toEqual({ customers: [], next: null });
    const url = new URL(seen[0]!.url);
    expect([url.searchParams.get('q'), url.searchParams.get('limit'), url.searchParams.has('after')]).toEqual(['张伟', '5', false]);
    expect(signedBy({ method: 'GET', url: seen[0]!.url, authorization: seen[0]!.auth, body: '' }, SECRET)).toMatchObject({
      deviceId: 'demo-kiosk-1',
    });
    await expect(api.call('searchCustomers', { query: { q: '' } })).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });

  it('signs each request with the device secret, fills the path from the contract, and never sends the secret', async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    server.use(
      http.get(`${BASE}/api/v1/cards/:cardNo`, ({ request }) => {
        seen.push({ url: request.url, auth: request.headers.get('authorization') });
        return HttpResponse.json({
          cardNo: CARD_NO,
          state: 'active',
          grey: false,
          named: true,
          role: 'single',
          onlineTtcSeen: 2,
          purseLimitFen: 500_000,
          accounts: [],
        });
      }),
    );
    const api = client();
    const card = await api.call('cardInquiry', { params: { cardNo: CARD_NO } });
    await api.call('cardInquiry', { params: { cardNo: CARD_NO } });
    expect(card.state).toBe('active');
    expect(seen.map((s) => s.url)).toEqual([`${BASE}/api/v1/cards/${CARD_NO}`, `${BASE}/api/v1/cards/${CARD_NO}`]);
    const signed = seen.map((s) => signedBy({ method: 'GET', url: s.url, authorization: s.auth, body: '' }, SECRET));
    expect(signed[0]).toMatchObject({ deviceId: 'demo-kiosk-1' });
    expect(Math.abs(signed[0]!.timestampMs - Date.now())).toBeLessThan(5_000);
    expect(signed[1]!.nonce, 'a fresh nonce per request').not.toBe(signed[0]!.nonce);
    expect(seen.some((s) => s.auth?.includes(SECRET))).toBe(false);
    expect(
      signedBy({ method: 'GET', url: seen[0]!.url, authorization: seen[0]!.auth, body: '' }, 't'.repeat(43)),
      'under another secret',
    ).toBeNull();
  });

  it('signs the body exactly as sent', async () => {
    let signed: ReturnType<typeof signedBy> = null;
    server.use(
      http.post(`${BASE}/api/v1/loads/initialise`, async ({ request }) => {
        signed = signedBy(
          { method: 'POST', url: request.url, authorization: request.headers.get('authorization'), body: await request.text() },
          SECRET,
        );
        return HttpResponse.json({ error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough' } }, { status: 409 });
      }),
    );
    await client()
      .call('loadInitialise', { body: LOAD_BODY })
      .catch(() => {});
    expect(signed).toMatchObject({ deviceId: 'demo-kiosk-1' });
  });

  it('signs again once with the server time when the server finds the device clock off, and keeps the correction', async () => {
    const serverNowMs = Date.now() + 3 * 60 * 60 * 1000;
    const stamps: number[] = [];
    server.use(
      http.get(`${BASE}/api/v1/cards/:cardNo`, ({ request }) => {
        const signed = signedBy(
          { method: 'GET', url: request.url, authorization: request.headers.get('authorization'), body: '' },
          SECRET,
        )!;
        stamps.push(signed.timestampMs);
        if (Math.abs(signed.timestampMs - serverNowMs) > 60_000) {
          return HttpResponse.json(
            { error: { code: 'DEVICE_CLOCK_SKEW', message: 'clock', serverTime: new Date(serverNowMs).toISOString() } },
            { status: 401 },
          );
        }
        return HttpResponse.json({
          cardNo: CARD_NO,
          state: 'active',
          grey: false,
          named: true,
          role: 'single',
          onlineTtcSeen: 2,
          purseLimitFen: 500_000,
          accounts: [],
        });
      }),
    );
    const api = client();
    expect((await api.call('cardInquiry', { params: { cardNo: CARD_NO } })).state).toBe('active');
    expect((await api.call('cardInquiry', { params: { cardNo: CARD_NO } })).state).toBe('active');
    expect(stamps.length, 'one refusal, then two requests on the corrected clock').toBe(3);
    expect(Math.abs(stamps[1]! - serverNowMs)).toBeLessThan(5_000);
  });

  it('gives up with DEVICE_CLOCK_SKEW when the corrected signature is refused too', async () => {
    const skew = () =>
      HttpResponse.json({ error: { code: 'DEVICE_CLOCK_SKEW', message: 'clock', serverTime: new Date(0).toISOString() } }, { status: 401 });
    let calls = 0;
    server.use(http.get(`${BASE}/api/v1/cards/:cardNo`, () => (calls++, skew())));
    await expect(client().call('cardInquiry', { params: { cardNo: CARD_NO } })).rejects.toMatchObject({ code: 'DEVICE_CLOCK_SKEW' });
    expect(calls).toBe(2);
  });

  it('refuses to send device credentials over plain HTTP to another machine, and allows this machine', async () => {
    let reached = 0;
    server.use(http.get('http://192.0.2.7:8080/api/v1/cards/:cardNo', () => (reached++, HttpResponse.json({}))));
    await expect(client(undefined, 'http://192.0.2.7:8080').call('cardInquiry', { params: { cardNo: CARD_NO } })).rejects.toMatchObject({
      code: 'INSECURE_SERVER',
    });
    expect(reached).toBe(0);
    server.use(http.get('http://127.0.0.1:9/api/v1/info', () => HttpResponse.json({ demo: false, contractVersion: 7, demoDevice: null })));
    await expect(client(undefined, 'http://127.0.0.1:9').call('info')).resolves.toMatchObject({ demo: false });
  });

  it('refuses to send a request that does not match the contract', async () => {
    await expect(client().call('cardInquiry', { params: { cardNo: '12' } })).rejects.toThrow();
  });

  it('turns the server error body into a BackendError with its code', async () => {
    server.use(
      http.post(`${BASE}/api/v1/loads/initialise`, () =>
        HttpResponse.json({ error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough' } }, { status: 409 }),
      ),
    );
    const error = await client()
      .call('loadInitialise', { body: LOAD_BODY })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', offline: false });
  });

  it('reports an unreachable server as NETWORK', async () => {
    server.use(http.get(`${BASE}/api/v1/info`, () => HttpResponse.error()));
    await expect(client().call('info')).rejects.toMatchObject({ code: 'NETWORK', offline: true });
  });

  it('reports a server that takes too long as NETWORK', async () => {
    server.use(
      http.get(`${BASE}/api/v1/info`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return HttpResponse.json({ demo: false, contractVersion: 3, demoDevice: null });
      }),
    );
    await expect(client().call('info')).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('refuses an answer that does not match the contract', async () => {
    server.use(http.get(`${BASE}/api/v1/info`, () => HttpResponse.json({ demo: 'yes' })));
    await expect(client().call('info')).rejects.toMatchObject({ code: 'RESPONSE_INVALID' });
  });

  it('names an error answer without a JSON body by its HTTP status', async () => {
    server.use(http.get(`${BASE}/api/v1/info`, () => new HttpResponse('bad gateway', { status: 502 })));
    await expect(client().call('info')).rejects.toMatchObject({ code: 'HTTP_502' });
  });

  it('names an error whose code this app does not know by its HTTP status, never by the unknown code', async () => {
    server.use(
      http.get(`${BASE}/api/v1/info`, () =>
        HttpResponse.json({ error: { code: 'SOMETHING_NEW', message: 'from a newer server' } }, { status: 422 }),
      ),
    );
    await expect(client().call('info')).rejects.toMatchObject({ code: 'HTTP_422' });
  });
});

describe("the API client's contract version", () => {
  const PULLED = {
    serverTime: '2026-11-26T04:00:00.000Z',
    deviceId: 'demo-kiosk-1',
    lastSeq: 0,
    cards: [],
    pendingLoads: [],
    lists: { blacklistVersion: '0', greylistVersion: '0' },
  };

  it("fills this app's version into the versioned endpoints, which callers never name", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${BASE}/api/v1/sync/pull`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ ...PULLED, contractVersion: CONTRACT_VERSION });
      }),
      http.post(`${BASE}/api/v1/sync/push`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ contractVersion: CONTRACT_VERSION, lastSeq: 0, results: [], stopped: null });
      }),
      http.post(`${BASE}/api/v1/loads/initialise`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough' } }, { status: 422 });
      }),
    );
    const api = client();
    await api.call('syncPull', { body: { cardNos: [] } });
    await api.call('syncPush', {
      body: {
        operations: [
          { id: '01890000-0000-7000-8000-000000000001', deviceId: 'demo-kiosk-1', seq: 1, type: 'inquiry', payload: { cardNo: CARD_NO } },
        ],
      },
    });
    await api.call('loadInitialise', { body: LOAD_BODY }).catch(() => undefined);
    expect(bodies.map((b) => (b as { contractVersion?: number }).contractVersion)).toEqual([CONTRACT_VERSION, CONTRACT_VERSION, undefined]);
  });

  it('refuses an answer made under another version before its shape, and tells the listeners', async () => {
    // A newer server's answer, of a shape this app does not know: the version is what it hears of.
    server.use(
      http.post(`${BASE}/api/v1/sync/pull`, () => HttpResponse.json({ contractVersion: CONTRACT_VERSION + 1, somethingElse: true })),
    );
    const api = client();
    const heard: unknown[] = [];
    api.onContractMismatch((mismatch) => heard.push(mismatch));
    await expect(api.call('syncPull', { body: { cardNos: [] } })).rejects.toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH' });
    expect(heard).toEqual([{ appVersion: CONTRACT_VERSION, serverVersion: CONTRACT_VERSION + 1 }]);
  });

  it('refuses an answer of a versioned endpoint that names no version', async () => {
    server.use(http.post(`${BASE}/api/v1/sync/pull`, () => HttpResponse.json(PULLED)));
    await expect(client().call('syncPull', { body: { cardNos: [] } })).rejects.toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH' });
  });

  it("passes the server's refusal of this app's version on as such, with the listeners told the server's version", async () => {
    server.use(
      http.post(`${BASE}/api/v1/sync/push`, () =>
        HttpResponse.json(
          { error: { code: 'CONTRACT_VERSION_MISMATCH', message: 'update first', contractVersion: CONTRACT_VERSION + 1 } },
          { status: 409 },
        ),
      ),
    );
    const api = client();
    const heard: unknown[] = [];
    api.onContractMismatch((mismatch) => heard.push(mismatch));
    const error = await api
      .call('syncPush', {
        body: {
          operations: [
            { id: '01890000-0000-7000-8000-000000000001', deviceId: 'demo-kiosk-1', seq: 1, type: 'inquiry', payload: { cardNo: CARD_NO } },
          ],
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH', offline: false });
    expect(heard).toEqual([{ appVersion: CONTRACT_VERSION, serverVersion: CONTRACT_VERSION + 1 }]);
  });

  it('speaks the version it is given, as an app of another release would', async () => {
    let sent: unknown;
    server.use(
      http.post(`${BASE}/api/v1/sync/pull`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ ...PULLED, contractVersion: CONTRACT_VERSION });
      }),
    );
    const api = new ApiClient({
      baseUrl: BASE,
      credentials: () => ({ deviceId: 'demo-kiosk-1', secret: SECRET }),
      contractVersion: CONTRACT_VERSION - 1,
    });
    expect(api.contractVersion).toBe(CONTRACT_VERSION - 1);
    await expect(api.call('syncPull', { body: { cardNos: [] } })).rejects.toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH' });
    expect(sent).toEqual({ contractVersion: CONTRACT_VERSION - 1, cardNos: [] });
  });
});
