/**
 * Starting a kiosk: what the server says about itself (demo or not; cached for offline starts),
 * the virtual reader in demo mode, the device's identity (enrolment on first start), the outbox
 * and its sync loop, the reader, and the kiosk controller over them all.
 *
 * In demo mode each browser has a demo kiosk of its own: on its first start it asks the server
 * for one (its device, enrolment code and the serial base of its cards), keeps which one in
 * localStorage, and its virtual reader holds that kiosk's cards. A demo kiosk the server has
 * since retired (past its bound of demo kiosks), or one from before kiosks were per browser, is
 * found out at the next start (its signed call is refused) and replaced by a fresh one.
 */
import type { VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { ReaderManager } from '../lib/card/reader.ts';
import { DeviceDatabase } from '../lib/device-db/database.ts';
import { Outbox } from '../lib/outbox/outbox.ts';
import { ApiClient, assertSafeForDeviceCredentials } from '../lib/sync/client.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { enrol, loadIdentity, normaliseServerUrl, type DeviceIdentity } from '../lib/sync/device.ts';
import { HttpKioskBackend } from './http-backend.ts';
import { httpPush } from '../lib/sync/push.ts';
import { SyncLoop } from '../lib/sync/sync-loop.ts';
import { DemoKiosk, ServerInfo } from '../../server/contract/info.ts';
import { KioskController } from './controller.ts';

export type KioskRuntime = {
  kiosk: KioskController;
  reader: ReaderManager;
  sync: SyncLoop;
  demo: VirtualUsbControl | null;
  identity: DeviceIdentity;
};

export type BootResult =
  | { kind: 'ready'; runtime: KioskRuntime }
  /**
   * First start: an administrator's enrolment code is needed, and for the Isolated Web App (which
   * is not served by the server) the server's address too.
   */
  | {
      kind: 'enrol';
      needsServerUrl: boolean;
      submit(deviceId: string, code: string, serverUrl: string): Promise<BootResult>;
      error?: string;
    };

const INFO_CACHE_KEY = 'fuelcard.server-info';

/** The server's own description, or the last one seen when it cannot be reached. */
async function serverInfo(api: ApiClient): Promise<ServerInfo> {
  try {
    const info = await api.call('info');
    localStorage.setItem(INFO_CACHE_KEY, JSON.stringify(info));
    return info;
  } catch {
    const cached = ServerInfo.safeParse(JSON.parse(localStorage.getItem(INFO_CACHE_KEY) ?? 'null'));
    return cached.success ? cached.data : { demo: false, contractVersion: 0 };
  }
}

function run(db: DeviceDatabase, identity: DeviceIdentity, demo: VirtualUsbControl | null): KioskRuntime {
  const api = new ApiClient({ baseUrl: identity.serverUrl, credentials: () => identity });
  const outbox = new Outbox(db);
  const sync = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => identity.deviceId });
  // A pull (at every card) that meets another contract version stops the sync loop too: update first.
  api.onContractMismatch(() => sync.requireUpdate());
  sync.start(window);
  const reader = new ReaderManager(navigator.usb);
  void reader.start();
  const backend = new HttpKioskBackend({ api, outbox, sync });
  const kiosk = new KioskController({ reader, backend, db, terminalId: identity.terminalId });
  sync.onDrained((report) => {
    if (report.appliedCount > 0 || report.rejectedCount > 0) void kiosk.linkRestored();
  });
  return { kiosk, reader, sync, demo, identity };
}

/** Which demo kiosk this browser holds, and the serial base of its cards. */
type DemoKioskRecord = Pick<DemoKiosk, 'deviceId' | 'cardSerialBase'>;
const DEMO_KIOSK_KEY = 'fuelcard.demo.kiosk';

function loadDemoKiosk(): DemoKioskRecord | null {
  try {
    const parsed = DemoKiosk.pick({ deviceId: true, cardSerialBase: true }).safeParse(
      JSON.parse(localStorage.getItem(DEMO_KIOSK_KEY) ?? 'null'),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The simulator is a separate chunk, loaded only in demo mode, before the reader manager looks for navigator.usb. */
async function demoUsb(kiosk: DemoKioskRecord): Promise<VirtualUsbControl> {
  return (await import('../lib/demo/demo-usb.ts')).installDemoUsb({ storage: localStorage, cardSerialBase: kiosk.cardSerialBase });
}

/**
 * False only when the server refuses this demo kiosk's signature (retired, or enrolled before
 * kiosks were per browser); offline or any other trouble, the kiosk starts as it is.
 */
async function demoKioskStillEnrolled(identity: DeviceIdentity): Promise<boolean> {
  try {
    await new ApiClient({ baseUrl: identity.serverUrl, credentials: () => identity }).call('syncPull', { body: { cardNos: [] } });
    return true;
  } catch (error) {
    return !(error instanceof BackendError && error.code === 'UNAUTHENTICATED');
  }
}

/** A demo kiosk of this browser's own: made by the server, enrolled, its cards in the virtual reader. */
async function startDemoKiosk(db: DeviceDatabase): Promise<BootResult> {
  assertSafeForDeviceCredentials(new URL(location.href));
  const api = new ApiClient({ baseUrl: '', credentials: () => null });
  const kiosk = await api.call('createDemoKiosk', { body: {} });
  // The chips of any earlier demo kiosk are not this one's cards.
  for (const key of Object.keys(localStorage)) if (key.startsWith('fuelcard.demo.card.')) localStorage.removeItem(key);
  const record: DemoKioskRecord = { deviceId: kiosk.deviceId, cardSerialBase: kiosk.cardSerialBase };
  localStorage.setItem(DEMO_KIOSK_KEY, JSON.stringify(record));
  const identity = await enrol({ db, api, serverUrl: '', deviceId: kiosk.deviceId, enrolmentCode: kiosk.enrolmentCode });
  return { kind: 'ready', runtime: run(db, identity, await demoUsb(record)) };
}

export async function bootKiosk(): Promise<BootResult> {
  let db = new DeviceDatabase();
  void navigator.storage?.persist?.();
  const known = await loadIdentity(db);
  if (known) {
    const info = await serverInfo(new ApiClient({ baseUrl: known.serverUrl, credentials: () => null }));
    if (!info.demo) return { kind: 'ready', runtime: run(db, known, null) };
    const demoKiosk = loadDemoKiosk();
    if (demoKiosk?.deviceId === known.deviceId && (await demoKioskStillEnrolled(known)))
      return { kind: 'ready', runtime: run(db, known, await demoUsb(demoKiosk)) };
    // The old demo kiosk's queue and journals can never be delivered as it: a fresh device, whole.
    await db.delete();
    db = new DeviceDatabase();
  }
  // The Isolated Web App's own origin is isolated-app://…: it must be told where the server is.
  const needsServerUrl = location.protocol === 'isolated-app:';
  const info = needsServerUrl ? null : await serverInfo(new ApiClient({ baseUrl: '', credentials: () => null }));
  const submit = async (deviceId: string, code: string, serverUrlText: string): Promise<BootResult> => {
    const serverUrl = normaliseServerUrl(needsServerUrl ? serverUrlText : '');
    if (serverUrl === null || (needsServerUrl && serverUrl === '')) throw new BackendError('SERVER_URL_INVALID', 'not an http(s) address');
    const api = new ApiClient({ baseUrl: serverUrl, credentials: () => null });
    const identity = await enrol({ db, api, serverUrl, deviceId, enrolmentCode: code });
    return { kind: 'ready', runtime: run(db, identity, null) };
  };
  if (info?.demo) {
    try {
      return await startDemoKiosk(db);
    } catch (error) {
      // Refused (too many demo kiosks asked for from this address, plain HTTP to another machine)
      // or unreachable: the enrolment screen says why.
      return { kind: 'enrol', needsServerUrl, submit, error: error instanceof BackendError ? error.code : 'UNKNOWN' };
    }
  }
  return { kind: 'enrol', needsServerUrl, submit };
}
