/**
 * Starting a kiosk: the shared device start (src/lib/boot/device-boot.ts: server info, the
 * device's identity or its enrolment, a demo kiosk of this browser's own in demo mode), then the
 * outbox and its sync loop, the reader, and the kiosk controller over them all.
 */
import type { VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { ReaderManager } from '../lib/card/reader.ts';
import type { DeviceDatabase } from '../lib/device-db/database.ts';
import { Outbox } from '../lib/outbox/outbox.ts';
import { ApiClient } from '../lib/sync/client.ts';
import type { DeviceIdentity } from '../lib/sync/device.ts';
import { HttpKioskBackend } from './http-backend.ts';
import { httpPush } from '../lib/sync/push.ts';
import { SyncLoop } from '../lib/sync/sync-loop.ts';
import { bootDevice, type BootResult as DeviceBootResult, type DeviceApp } from '../lib/boot/device-boot.ts';
import { KioskController, preloadCardWork } from './controller.ts';

export type KioskRuntime = {
  kiosk: KioskController;
  reader: ReaderManager;
  sync: SyncLoop;
  demo: VirtualUsbControl | null;
  identity: DeviceIdentity;
};

export type BootResult = DeviceBootResult<KioskRuntime>;

/** The kiosk's device database is the one it always had (fuelcard-device), so enrolled kiosks stay enrolled. */
const KIOSK_APP: DeviceApp = { dbName: 'fuelcard-device', demoKey: 'fuelcard.demo.kiosk', createDemo: 'createDemoKiosk' };

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
  // The card session's chunk, fetched while the start screen waits for a card.
  preloadCardWork();
  sync.onDrained((report) => {
    if (report.appliedCount > 0 || report.rejectedCount > 0) void kiosk.linkRestored();
  });
  return { kiosk, reader, sync, demo, identity };
}

export async function bootKiosk(): Promise<BootResult> {
  return bootDevice(KIOSK_APP, run);
}
