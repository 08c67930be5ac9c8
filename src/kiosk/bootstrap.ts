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
import { enrol, loadIdentity, type DeviceIdentity } from '../lib/sync/device.ts';
import { HttpKioskBackend } from '../lib/sync/kiosk-backend.ts';
import { httpPush } from '../lib/sync/push.ts';
import { SyncLoop } from '../lib/sync/sync-loop.ts';
import { ServerInfo } from '../../server/contract/info.ts';
import { KioskController } from './session.ts';

export type KioskRuntime = { kiosk: KioskController; reader: ReaderManager; sync: SyncLoop; demo: VirtualUsbControl | null; identity: DeviceIdentity };

export type BootResult =
  | { kind: 'ready'; runtime: KioskRuntime }
  /** First start: an administrator's enrolment code is needed. */
  | { kind: 'enrol'; submit(deviceId: string, code: string): Promise<BootResult> };

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
  const api = new ApiClient({ baseUrl: '', credentials: () => identity });
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

export async function bootKiosk(): Promise<BootResult> {
  const db = new DeviceDatabase();
  const anonymous = new ApiClient({ baseUrl: '', credentials: () => null });
  const info = await serverInfo(anonymous);
  // Installed before the reader manager looks for navigator.usb.
  // The simulator is a separate chunk, loaded only in demo mode.
  const demo = info.demo ? (await import('../lib/demo/demo-usb.ts')).installDemoUsb({ storage: localStorage }) : null;
  void navigator.storage?.persist?.();
  const known = await loadIdentity(db);
  if (known) return { kind: 'ready', runtime: run(db, known, demo) };
  const submit = async (deviceId: string, code: string): Promise<BootResult> => {
    const identity = await enrol({ db, api: anonymous, deviceId, enrolmentCode: code });
    return { kind: 'ready', runtime: run(db, identity, demo) };
  };
  if (info.demoDevice) return submit(info.demoDevice.deviceId, info.demoDevice.enrolmentCode);
  return { kind: 'enrol', submit };
}
