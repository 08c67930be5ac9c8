/**
 * Starting the outlet tablet (/staff): the shared device start (src/lib/boot/device-boot.ts: the
 * tablet's identity or its enrolment, a demo tablet of this browser's own in demo mode), then what
 * the counter works with — two clients (one signed by the tablet for sign-ins, one presenting the
 * operator's session for everything else), the outbox and its sync loop (its pushes carry the
 * session: without one they wait queued), the reader, and the card work's dependencies.
 *
 * A call the server refuses as UNAUTHENTICATED while a session was presented means the session is
 * over there (expired, or the tablet disabled): the session ends here too and the sign-in screen
 * says so.
 */
import type { VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { bootDevice, type BootResult as DeviceBootResult, type DeviceApp } from '../lib/boot/device-boot.ts';
import { ReaderManager } from '../lib/card/reader.ts';
import type { DeviceDatabase } from '../lib/device-db/database.ts';
import { Outbox } from '../lib/outbox/outbox.ts';
import { ApiClient } from '../lib/sync/client.ts';
import type { DeviceIdentity } from '../lib/sync/device.ts';
import { httpPush } from '../lib/sync/push.ts';
import { SyncLoop } from '../lib/sync/sync-loop.ts';
import { makerStamp } from '../lib/sync/operation-maker.ts';
import { withOperatorSession, type OperatorSession } from './auth.ts';
import { HttpStaffBackend } from './backend.ts';
import type { StaffDeps } from './open-card.ts';
import { StaffSession } from './session.ts';

export type StaffRuntime = {
  identity: DeviceIdentity;
  db: DeviceDatabase;
  /** Presents the operator's session. */
  api: ApiClient;
  /** Signed by the tablet itself (sign-ins). */
  deviceApi: ApiClient;
  /** A client presenting another session than the operator's (a supervisor's, for an approval). */
  clientFor: (session: OperatorSession) => ApiClient;
  session: StaffSession;
  outbox: Outbox;
  sync: SyncLoop;
  reader: ReaderManager;
  deps: StaffDeps;
  demo: VirtualUsbControl | null;
};

export type StaffBootResult = DeviceBootResult<StaffRuntime>;

const TABLET_APP: DeviceApp = { dbName: 'fuelcard-tablet', demoKey: 'fuelcard.demo.tablet', createDemo: 'createDemoTablet' };

/** A fetch that reports a refused session (401 to a request that presented one). */
function watchingRefusals(base: typeof fetch, onRefused: () => void): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const response = await base(input, init);
    if (response.status === 401 && new Headers(init.headers).get('authorization')?.startsWith('Bearer ')) onRefused();
    return response;
  }) as typeof fetch;
}

function run(db: DeviceDatabase, identity: DeviceIdentity, demo: VirtualUsbControl | null): StaffRuntime {
  const baseFetch: typeof fetch = (input, init) => fetch(input, init);
  const deviceApi = new ApiClient({ baseUrl: identity.serverUrl, credentials: () => identity });
  let session: StaffSession | null = null;
  const sessionFetch = watchingRefusals(
    withOperatorSession(baseFetch, () => session?.get() ?? null),
    () => session?.refused(),
  );
  const api = new ApiClient({ baseUrl: identity.serverUrl, credentials: () => null, fetch: sessionFetch });
  session = new StaffSession({ deviceApi, sessionApi: api });
  const clientFor = (other: OperatorSession) =>
    new ApiClient({ baseUrl: identity.serverUrl, credentials: () => null, fetch: withOperatorSession(baseFetch, () => other) });
  // Each operation is stamped with the session it was made under: booked to its maker, whoever sends it.
  const outbox = new Outbox(db, {
    maker: () => {
      const current = session?.get();
      return current?.maker ? makerStamp(identity.deviceId, current.maker) : null;
    },
  });
  const sync = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => identity.deviceId });
  api.onContractMismatch(() => sync.requireUpdate());
  sync.start(window);
  // A fresh session sends what waited queued without one.
  session.current.subscribe((current) => {
    if (current) void sync.drain();
  });
  // Before an idle sign-out, what this operator queued is sent at once (it stays this operator's
  // whoever sends it, by its maker stamp; sent now, the drawer shows it before the shift closes).
  let counting = false;
  session.countdown.subscribe((seconds) => {
    if (seconds !== null && !counting && session?.get()) void sync.drain();
    counting = seconds !== null;
  });
  const reader = new ReaderManager(navigator.usb);
  void reader.start();
  const backend = new HttpStaffBackend({ api, outbox, sync });
  return {
    identity,
    db,
    api,
    deviceApi,
    clientFor,
    session,
    outbox,
    sync,
    reader,
    deps: { backend, db, terminalId: identity.terminalId },
    demo,
  };
}

export function bootStaff(): Promise<StaffBootResult> {
  return bootDevice(TABLET_APP, run);
}
