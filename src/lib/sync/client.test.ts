/**
 * The HTTP client against a mocked server (msw intercepts fetch in Node): requests are shaped by
 * the contract, answers are checked against it, and every failure is a BackendError with a code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ApiClient } from './client.ts';
import { BackendError } from '../../kiosk/backend.ts';

const BASE = 'http://kiosk-test.invalid';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = (credentials = { deviceId: 'demo-kiosk-1', secret: 's'.repeat(43) }) => new ApiClient({ baseUrl: BASE, credentials: () => credentials, timeoutMs: 500 });
const CARD_NO = '01000113200000000001';

describe('the API client', () => {
  it('sends the device credentials and fills the path from the contract', async () => {
    let seen: { url: string; auth: string | null } | undefined;
    server.use(
      http.get(`${BASE}/api/v1/cards/:cardNo`, ({ request }) => {
        seen = { url: request.url, auth: request.headers.get('authorization') };
        return HttpResponse.json({ cardNo: CARD_NO, state: 'active', grey: false, named: true, role: 'single', onlineTtcSeen: 2, purseLimitFen: 500_000, accounts: [] });
      }),
    );
    const card = await client().call('cardInquiry', { params: { cardNo: CARD_NO } });
    expect(card.state).toBe('active');
    expect(seen).toEqual({ url: `${BASE}/api/v1/cards/${CARD_NO}`, auth: `Device demo-kiosk-1:${'s'.repeat(43)}` });
  });

  it('refuses to send a request that does not match the contract', async () => {
    await expect(client().call('cardInquiry', { params: { cardNo: '12' } })).rejects.toThrow();
  });

  it('turns the server error body into a BackendError with its code', async () => {
    server.use(http.post(`${BASE}/api/v1/loads/initialise`, () => HttpResponse.json({ error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough' } }, { status: 409 })));
    const body = {
      operationId: '01890000-0000-7000-8000-000000000000', cardNo: CARD_NO, amountFen: 100, sourceAccount: 'QUOTA' as const, terminalId: '320100000001',
      card: { balanceFen: 0, onlineTtc: 1, keyVersion: 1, algId: 2, random: '00112233', mac1: '44556677' },
    };
    const error = await client().call('loadInitialise', { body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_FUNDS', offline: false });
  });

  it('reports an unreachable server as NETWORK', async () => {
    server.use(http.get(`${BASE}/api/v1/info`, () => HttpResponse.error()));
    await expect(client().call('info')).rejects.toMatchObject({ code: 'NETWORK', offline: true });
  });

  it('reports a server that takes too long as NETWORK', async () => {
    server.use(http.get(`${BASE}/api/v1/info`, async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return HttpResponse.json({ demo: false, contractVersion: 3, demoDevice: null });
    }));
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
});
