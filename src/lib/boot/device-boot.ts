/**
 * Starting an enrolled device of either app (the kiosk, the outlet tablet at /staff): what the
 * server says about itself (demo or not; cached for offline starts), the device's identity in
 * the app's own device database (enrolment on first start), and in demo mode a demo device of
 * this browser's own with the virtual reader holding its cards. What runs on top (the kiosk's
 * controller, the tablet's screens) is the app's own `run`.
 *
 * In demo mode each browser has a demo device of each app of its own: on its first start it asks
 * the server for one (its device, enrolment code and the serial base of its cards), keeps which
 * one in localStorage, and its virtual reader holds that device's cards. A demo device the server
 * has since retired (past its bound of demo devices), or one from before devices were per
 * browser, is found out at the next start (its signed call is refused) and replaced by a fresh one.
 */
import type { VirtualUsbControl } from '../../../ccid/sim/reader/install.ts';
import { DemoKiosk, ServerInfo } from '../../../server/contract/info.ts';
import { DeviceDatabase } from '../device-db/database.ts';
import { BackendError } from '../net/backend-error.ts';
import { ApiClient, assertSafeForDeviceCredentials } from '../sync/client.ts';
import { enrol, loadIdentity, normaliseServerUrl, type DeviceIdentity } from '../sync/device.ts';

/** Which app is starting: its own device database, its demo device's record and the call that makes one. */
export type DeviceApp = {
  /** The IndexedDB database of this app's device (a kiosk's and a tablet's identities and outboxes never mix). */
  dbName: string;
  /** localStorage key of this browser's demo device of this app. */
  demoKey: string;
  /** The demo call that makes a device of this app's kind. */
  createDemo: 'createDemoKiosk' | 'createDemoTablet';
};

export type BootResult<R> =
  | { kind: 'ready'; runtime: R }
  /**
   * First start: an administrator's enrolment code is needed, and for the Isolated Web App (which
   * is not served by the server) the server's address too.
   */
  | {
      kind: 'enrol';
      needsServerUrl: boolean;
      submit(deviceId: string, code: string, serverUrl: string): Promise<BootResult<R>>;
      error?: string;
    };

/** What the app builds over an enrolled device. */
export type RunDevice<R> = (db: DeviceDatabase, identity: DeviceIdentity, demo: VirtualUsbControl | null) => R;

const INFO_CACHE_KEY = 'fuelcard.server-info';
/** Every app's demo device record: a fresh demo device of one app keeps the other's cards. */
const DEMO_KEYS = ['fuelcard.demo.kiosk', 'fuelcard.demo.tablet'];
const DEMO_CARD_PREFIX = 'fuelcard.demo.card.';
/** A stock card's chip (src/lib/demo/demo-list.ts DEMO_STOCK_CARDS), saved under no serial base. */
const STOCK_CARD_KEY = /^fuelcard\.demo\.card\.stock\d+$/;

/** The server's own description, or the last one seen when it cannot be reached. */
export async function serverInfo(api: ApiClient): Promise<ServerInfo> {
  try {
    const info = await api.call('info');
    localStorage.setItem(INFO_CACHE_KEY, JSON.stringify(info));
    return info;
  } catch {
    const cached = ServerInfo.safeParse(JSON.parse(localStorage.getItem(INFO_CACHE_KEY) ?? 'null'));
    return cached.success ? cached.data : { demo: false, contractVersion: 0 };
  }
}

/** Which demo device this browser holds for an app, and the serial base of its cards. */
type DemoRecord = Pick<DemoKiosk, 'deviceId' | 'cardSerialBase'>;

function loadDemoRecord(key: string): DemoRecord | null {
  try {
    const parsed = DemoKiosk.pick({ deviceId: true, cardSerialBase: true }).safeParse(JSON.parse(localStorage.getItem(key) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The simulator is a separate chunk, loaded only in demo mode, before the reader manager looks for navigator.usb. */
function simulator(): Promise<typeof import('../demo/demo-usb.ts')> {
  return import('../demo/demo-usb.ts');
}

async function demoUsb(record: DemoRecord): Promise<VirtualUsbControl> {
  return (await simulator()).installDemoUsb({ storage: localStorage, cardSerialBase: record.cardSerialBase });
}

/**
 * Starts fetching the simulator's chunk as soon as the server says demo, alongside the device's
 * own calls, rather than after them: one round trip less before the start screen on a slow
 * network (docs/operations.md "Performance"). A failure here is met again, and reported, by demoUsb.
 */
function prefetchSimulator(): void {
  simulator().catch(() => undefined);
}

/**
 * False only when the server refuses this demo device's signature (retired, or enrolled before
 * devices were per browser); offline or any other trouble, the device starts as it is.
 */
async function demoDeviceStillEnrolled(identity: DeviceIdentity): Promise<boolean> {
  try {
    await new ApiClient({ baseUrl: identity.serverUrl, credentials: () => identity }).call('syncPull', { body: { cardNos: [] } });
    return true;
  } catch (error) {
    return !(error instanceof BackendError && error.code === 'UNAUTHENTICATED');
  }
}

/** Forgets the chips of this app's earlier demo devices, keeping those of the other app's demo device and the stock cards. */
function forgetOldDemoCards(app: DeviceApp): void {
  const kept = DEMO_KEYS.filter((key) => key !== app.demoKey)
    .map(loadDemoRecord)
    .filter((r): r is DemoRecord => r !== null)
    .map((r) => r.cardSerialBase);
  for (const key of Object.keys(localStorage)) {
    if (!key.startsWith(DEMO_CARD_PREFIX)) continue;
    // A stock card exists once per browser, whichever device issued it: issued at the tablet, it is
    // the customer's card, which a kiosk of this browser reads next (it must not vanish).
    if (STOCK_CARD_KEY.test(key)) continue;
    const base = Number(/^fuelcard\.demo\.card\.(\d+)\./.exec(key)?.[1] ?? 0);
    if (!kept.includes(base)) localStorage.removeItem(key);
  }
}

/** A demo device of this browser's own: made by the server, enrolled, its cards in the virtual reader. */
async function startDemoDevice<R>(app: DeviceApp, db: DeviceDatabase, runDevice: RunDevice<R>): Promise<BootResult<R>> {
  assertSafeForDeviceCredentials(new URL(location.href));
  const api = new ApiClient({ baseUrl: '', credentials: () => null });
  const made = await api.call(app.createDemo, { body: {} });
  forgetOldDemoCards(app);
  const record: DemoRecord = { deviceId: made.deviceId, cardSerialBase: made.cardSerialBase };
  localStorage.setItem(app.demoKey, JSON.stringify(record));
  const identity = await enrol({ db, api, serverUrl: '', deviceId: made.deviceId, enrolmentCode: made.enrolmentCode });
  return { kind: 'ready', runtime: runDevice(db, identity, await demoUsb(record)) };
}

export async function bootDevice<R>(app: DeviceApp, runDevice: RunDevice<R>): Promise<BootResult<R>> {
  // The Isolated Web App's own origin is isolated-app://…: it must be told where the server is.
  const needsServerUrl = location.protocol === 'isolated-app:';
  // Served by the server itself, the app asks it about itself while the device database opens,
  // not after (docs/operations.md "Performance"); serverInfo never throws.
  const sameOriginInfo = needsServerUrl ? null : serverInfo(new ApiClient({ baseUrl: '', credentials: () => null }));
  let db = new DeviceDatabase(app.dbName);
  void navigator.storage?.persist?.();
  const known = await loadIdentity(db);
  if (known) {
    const info =
      known.serverUrl === '' && sameOriginInfo !== null
        ? await sameOriginInfo
        : await serverInfo(new ApiClient({ baseUrl: known.serverUrl, credentials: () => null }));
    if (!info.demo) return { kind: 'ready', runtime: runDevice(db, known, null) };
    prefetchSimulator();
    const record = loadDemoRecord(app.demoKey);
    if (record?.deviceId === known.deviceId && (await demoDeviceStillEnrolled(known)))
      return { kind: 'ready', runtime: runDevice(db, known, await demoUsb(record)) };
    // The old demo device's queue and journals can never be delivered as it: a fresh device, whole.
    await db.delete();
    db = new DeviceDatabase(app.dbName);
  }
  const info = sameOriginInfo === null ? null : await sameOriginInfo;
  const submit = async (deviceId: string, code: string, serverUrlText: string): Promise<BootResult<R>> => {
    const serverUrl = normaliseServerUrl(needsServerUrl ? serverUrlText : '');
    if (serverUrl === null || (needsServerUrl && serverUrl === '')) throw new BackendError('SERVER_URL_INVALID', 'not an http(s) address');
    const api = new ApiClient({ baseUrl: serverUrl, credentials: () => null });
    const identity = await enrol({ db, api, serverUrl, deviceId, enrolmentCode: code });
    return { kind: 'ready', runtime: runDevice(db, identity, null) };
  };
  if (info?.demo) {
    prefetchSimulator();
    try {
      return await startDemoDevice(app, db, runDevice);
    } catch (error) {
      // Refused (too many demo devices asked for from this address, plain HTTP to another machine)
      // or unreachable: the enrolment screen says why.
      return { kind: 'enrol', needsServerUrl, submit, error: error instanceof BackendError ? error.code : 'UNKNOWN' };
    }
  }
  return { kind: 'enrol', needsServerUrl, submit };
}
