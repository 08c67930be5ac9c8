/**
 * A tablet (or a kiosk posing as one) against the real server for the staff tests: the server on
 * PGlite with the demo data (server/testing/app.ts), reached through fastify's inject (no socket)
 * by the app's own ApiClient, Outbox and SyncLoop; a virtual USB reader (ccid/sim) with the
 * demo's simulated cards; a fresh IndexedDB per rig (fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { installVirtualUsb, type VirtualUsbControl } from '../../../ccid/sim/reader/install.ts';
import type { FuelCard } from '../../../ccid/sim/card/fuel-card.ts';
import type { CardSession } from '../../../ccid/usb/index.ts';
import { DEMO_DEVICE_SECRETS, DEMO_OPERATOR_PASSWORD } from '../../../server/demo/seed.ts';
import type { TestApp } from '../../../server/testing/app.ts';
import { ReaderManager } from '../../lib/card/reader.ts';
import { DeviceDatabase } from '../../lib/device-db/database.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';
import { ApiClient } from '../../lib/sync/client.ts';
import { httpPush } from '../../lib/sync/push.ts';
import { SyncLoop } from '../../lib/sync/sync-loop.ts';
import { signInOnTablet, withOperatorSession, type OperatorSession } from '../auth.ts';
import { HttpStaffBackend, type StaffBackend } from '../backend.ts';
import type { StaffDeps } from '../open-card.ts';

export const BASE_URL = 'https://fuelcard.test';
export const TABLET = { deviceId: 'demo-tablet-1', terminalId: '320100000002' } as const;
export const KIOSK = { deviceId: 'demo-kiosk-1', terminalId: '320100000001' } as const;
const CARD_WAIT_MS_MAX = 3_000;

/** fetch over fastify's inject; `tap` may drop or inspect an exchange. */
export function injectFetch(
  app: FastifyInstance,
  tap?: (path: string, deliver: () => Promise<Response>) => Promise<Response>,
): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const deliver = async () => {
      const method = (init.method ?? 'GET') as 'GET' | 'POST';
      const response = await app.inject({
        method,
        url: url.pathname + url.search,
        headers,
        ...(typeof init.body === 'string' ? { payload: init.body } : {}),
      });
      return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
    };
    return tap ? tap(url.pathname, deliver) : deliver();
  }) as typeof fetch;
}

export type Who = 'operator' | 'kiosk' | 'tablet-without-operator';

export type Rig = {
  db: DeviceDatabase;
  outbox: Outbox;
  sync: SyncLoop;
  api: ApiClient;
  backend: StaffBackend;
  deps: StaffDeps;
  control: VirtualUsbControl;
  reader: ReaderManager;
  session: OperatorSession | null;
  deviceId: string;
  /** Puts the chip in the reader and powers it: the card session's transmit. */
  insert(card: FuelCard): Promise<(apdu: Uint8Array) => Promise<Uint8Array>>;
  close(): Promise<void>;
};

let rigCount = 0;

async function apiFor(
  t: TestApp,
  who: Who,
  fetchImpl: typeof fetch,
): Promise<{ api: ApiClient; session: OperatorSession | null; device: typeof TABLET | typeof KIOSK }> {
  if (who === 'kiosk') {
    return {
      api: new ApiClient({
        baseUrl: BASE_URL,
        credentials: () => ({ deviceId: KIOSK.deviceId, secret: DEMO_DEVICE_SECRETS[KIOSK.deviceId] }),
        fetch: fetchImpl,
      }),
      session: null,
      device: KIOSK,
    };
  }
  const deviceApi = new ApiClient({
    baseUrl: BASE_URL,
    credentials: () => ({ deviceId: TABLET.deviceId, secret: DEMO_DEVICE_SECRETS[TABLET.deviceId] }),
    fetch: injectFetch(t.app),
  });
  if (who === 'tablet-without-operator') return { api: deviceApi, session: null, device: TABLET };
  const session = await signInOnTablet({ deviceApi, username: 'demo.operator', password: DEMO_OPERATOR_PASSWORD });
  return {
    api: new ApiClient({ baseUrl: BASE_URL, credentials: () => null, fetch: withOperatorSession(fetchImpl, () => session) }),
    session,
    device: TABLET,
  };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + CARD_WAIT_MS_MAX;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function staffRig(
  t: TestApp,
  options: { who?: Who; fetch?: typeof fetch; wrapBackend?: (b: StaffBackend) => StaffBackend } = {},
): Promise<Rig> {
  const { api, session, device } = await apiFor(t, options.who ?? 'operator', options.fetch ?? injectFetch(t.app));
  const db = new DeviceDatabase(`staff-test-${++rigCount}`);
  const outbox = new Outbox(db);
  const sync = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => device.deviceId });
  const http = new HttpStaffBackend({ api, outbox, sync });
  const backend = options.wrapBackend ? options.wrapBackend(http) : http;
  const nav = {};
  const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
  const reader = new ReaderManager((nav as { usb: USB }).usb);
  await reader.start();
  let cardSession: CardSession | undefined;
  return {
    db,
    outbox,
    sync,
    api,
    backend,
    control,
    reader,
    session,
    deviceId: device.deviceId,
    deps: { backend, db, terminalId: device.terminalId },
    async insert(card) {
      control.removeCard();
      await waitFor(() => !reader.cardPresent, 'the reader to see the slot empty');
      control.insertCard(card);
      await waitFor(() => reader.cardPresent, 'the reader to see the card');
      cardSession = await reader.connectCard();
      const current = cardSession;
      return (apdu) => current.transmit(apdu);
    },
    async close() {
      await sync.drain();
      sync.stop();
      await cardSession?.close().catch(() => {});
      db.close();
    },
  };
}
