/**
 * Starting a kiosk: what the server says about itself (demo or not; cached for offline starts),
 * the virtual reader in demo mode, the device's identity (enrolment on first start), the outbox
 * and its sync loop, the reader, and the kiosk controller over them all.
 */
import type { VirtualUsbControl } from '../../ccid/sim/install.ts';
import { ReaderManager } from '../lib/card/reader.ts';
import { DeviceDatabase } from '../lib/outbox/db.ts';
import { Outbox } from '../lib/outbox/outbox.ts';
import { ApiClient } from '../lib/sync/client.ts';
import { BackendError } from './backend.ts';
import { enrol, loadIdentity, normaliseServerUrl, type DeviceIdentity } from '../lib/sync/device.ts';
import { HttpKioskBackend } from '../lib/sync/kiosk-backend.ts';
import { httpPush } from '../lib/sync/push.ts';
import { SyncLoop } from '../lib/sync/sync-loop.ts';
import { ServerInfo } from '../../server/contract/info.ts';
import { KioskController } from './session.ts';

export type KioskRuntime = { kiosk: KioskController; reader: ReaderManager; sync: SyncLoop; demo: VirtualUsbControl | null; identity: DeviceIdentity };

export type BootResult =
  | { kind: 'ready'; runtime: KioskRuntime }
  /**
   * First start: an administrator's enrolment code is needed, and for the Isolated Web App (which
   * is not served by the server) the server's address too.
   */
  | { kind: 'enrol'; needsServerUrl: boolean; submit(deviceId: string, code: string, serverUrl: string): Promise<BootResult> };

const INFO_CACHE_KEY = 'fuelcard.server-info';

/** The server's own description, or the last one seen when it cannot be reached. */
async function serverInfo(api: ApiClient): Promise<ServerInfo> {
  try {
    const info = await api.call('info');
    localStorage.setItem(INFO_CACHE_KEY, JSON.stringify(info));
    return info;
  } catch {
    const cached = ServerInfo.safeParse(JSON.parse(localStorage.getItem(INFO_CACHE_KEY) ?? 'null'));
    return cached.success ? cached.data : { demo: false, contractVersion: 0, demoDevice: null };
  }
}

function run(db: DeviceDatabase, identity: DeviceIdentity, demo: VirtualUsbControl | null): KioskRuntime {
  const api = new ApiClient({ baseUrl: identity.serverUrl, credentials: () => identity });
  const outbox = new Outbox(db);
  const sync = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => identity.deviceId });
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

/** The simulator is a separate chunk, loaded only in demo mode, before the reader manager looks for navigator.usb. */
async function demoUsb(info: ServerInfo): Promise<VirtualUsbControl | null> {
  return info.demo ? (await import('../lib/demo/demo-usb.ts')).installDemoUsb({ storage: localStorage }) : null;
}

export async function bootKiosk(): Promise<BootResult> {
  const db = new DeviceDatabase();
  void navigator.storage?.persist?.();
  const known = await loadIdentity(db);
  if (known) {
    const info = await serverInfo(new ApiClient({ baseUrl: known.serverUrl, credentials: () => null }));
    return { kind: 'ready', runtime: run(db, known, await demoUsb(info)) };
  }
  // The Isolated Web App's own origin is isolated-app://…: it must be told where the server is.
  const needsServerUrl = location.protocol === 'isolated-app:';
  const info = needsServerUrl ? null : await serverInfo(new ApiClient({ baseUrl: '', credentials: () => null }));
  const demo = info ? await demoUsb(info) : null;
  const submit = async (deviceId: string, code: string, serverUrlText: string): Promise<BootResult> => {
    const serverUrl = normaliseServerUrl(needsServerUrl ? serverUrlText : '');
    if (serverUrl === null || (needsServerUrl && serverUrl === '')) throw new BackendError('SERVER_URL_INVALID', 'not an http(s) address');
    const api = new ApiClient({ baseUrl: serverUrl, credentials: () => null });
    const identity = await enrol({ db, api, serverUrl, deviceId, enrolmentCode: code });
    return { kind: 'ready', runtime: run(db, identity, demo) };
  };
  if (info?.demoDevice) return submit(info.demoDevice.deviceId, info.demoDevice.enrolmentCode, '');
  return { kind: 'enrol', needsServerUrl, submit };
}
