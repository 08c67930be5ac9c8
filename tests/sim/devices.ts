/**
 * Kiosks and tablets running the real client code: KioskController over a ReaderManager over a
 * virtual navigator.usb, HttpKioskBackend, Outbox, SyncLoop and ApiClient over the simulated
 * network, each device with its own IndexedDB (fake-indexeddb, a database name per device).
 *
 * A device's page has a life: a reload (or a crash) ends it — memory, timers and the card session
 * are gone, suspended requests never return — and a new life opens the same IndexedDB. The only
 * change to the product's wiring is SimSyncLoop: its `kick` (drain now) becomes a drain event on
 * the simulation's queue, so drains interleave with everything else deterministically.
 */
import 'fake-indexeddb/auto';
import { createHash, createHmac } from 'node:crypto';
import Dexie from 'dexie';
import { installVirtualUsb, type VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { ReaderManager } from '../../src/lib/card/reader.ts';
import { DeviceDatabase } from '../../src/lib/device-db/database.ts';
import { Outbox, type PushTransport } from '../../src/lib/outbox/outbox.ts';
import { ApiClient } from '../../src/lib/sync/client.ts';
import type { DeviceCrypto } from '../../src/lib/sync/device-signer.ts';
import { httpPush } from '../../src/lib/sync/push.ts';
import { SyncLoop } from '../../src/lib/sync/sync-loop.ts';
import { HttpKioskBackend } from '../../src/kiosk/http-backend.ts';
import { KioskController } from '../../src/kiosk/controller.ts';
import { HttpStaffBackend, type StaffDeps } from '../../src/staff/index.ts';
import type { Screen } from '../../src/kiosk/screens.ts';
import type { Incarnation, SimNetwork } from './network.ts';
import type { SimDevice } from './world.ts';

export const DEVICE_LIMITS = {
  /** Event-loop turns to wait for a kiosk screen to settle after a card goes in or out. */
  settleTickCountMax: 20_000,
  /** The kiosk's idle timeout, long enough never to fire during a run (walk-aways are scripted). */
  idleTimeoutMs: 24 * 3600_000,
} as const;

export const SIM_BASE_URL = 'https://fuelcard.sim';

/**
 * The devices sign their requests with node:crypto, answered in the same turn: Web Crypto answers
 * from a thread pool, and two requests signed at once (a kiosk's pull and history) would enter the
 * network in whichever order the pool finished them, and a seed would no longer tell one story.
 */
const SYNC_DEVICE_CRYPTO: DeviceCrypto = {
  sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hmacSha256: async (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
};

export class Life implements Incarnation {
  dead = false;
  crashAtNextRequest = false;
  readonly died: Promise<'died'>;
  #resolve!: (value: 'died') => void;

  constructor() {
    this.died = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  kill(): void {
    this.dead = true;
    this.#resolve('died');
  }

  /** Runs `work` unless the page dies first (then its continuation never runs). */
  async within<T>(work: Promise<T>): Promise<T | 'died'> {
    const result = await Promise.race([work, this.died]);
    if (this.dead) return 'died';
    return result;
  }
}

export type DeviceContext = {
  network: SimNetwork;
  /** The device's clock: the simulated one plus the device's drift. */
  deviceNowMs: (deviceId: string) => number;
  /** SimSyncLoop's kick: a drain event for this device, soon. */
  requestDrain: (deviceId: string) => void;
  dbPrefix: string;
};

class SimSyncLoop extends SyncLoop {
  readonly #onKick: () => void;
  constructor(options: ConstructorParameters<typeof SyncLoop>[0] & { onKick: () => void }) {
    super(options);
    this.#onKick = options.onKick;
  }
  override kick(): void {
    this.#onKick();
  }
}

type Common = { life: Life; db: DeviceDatabase; outbox: Outbox; api: ApiClient; sync: SyncLoop };

/**
 * A device's API client over the simulated network, as the device (or its operator); the
 * adversary's devices use it too. `nowMs` is the device's own clock, which signatures are stamped with.
 */
export function deviceApi(network: SimNetwork, device: SimDevice, incarnation: Incarnation, nowMs: () => number): ApiClient {
  const fetch = network.fetchFor({
    deviceId: device.id,
    incarnation,
    authorization: () => (device.operatorToken ? `Bearer ${device.operatorToken}` : null),
  });
  // A tablet's operator acts with the session (Bearer); everything else is signed by the device,
  // stamped with the device's own clock, drift and all (the server corrects it: DEVICE_CLOCK_SKEW).
  return new ApiClient({
    baseUrl: SIM_BASE_URL,
    credentials: () => (device.operatorToken ? null : { deviceId: device.id, secret: device.secret }),
    fetch,
    nowMs,
    deviceCrypto: SYNC_DEVICE_CRYPTO,
  });
}

function common(ctx: DeviceContext, device: SimDevice, life: Life): Common {
  const db = new DeviceDatabase(`${ctx.dbPrefix}-${device.id}`);
  const outbox = new Outbox(db);
  const api = deviceApi(ctx.network, device, life, () => ctx.deviceNowMs(device.id));
  const push: PushTransport = httpPush(api);
  const sync = new SimSyncLoop({ outbox, push, deviceId: () => device.id, onKick: () => ctx.requestDrain(device.id) });
  return { life, db, outbox, api, sync };
}

export type KioskLife = Common & { control: VirtualUsbControl; reader: ReaderManager; controller: KioskController };

export async function startKioskLife(ctx: DeviceContext, device: SimDevice): Promise<KioskLife> {
  const life = new Life();
  const base = common(ctx, device, life);
  const nav = {};
  const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
  const reader = new ReaderManager((nav as { usb: USB }).usb);
  await reader.start();
  const backend = new HttpKioskBackend({ api: base.api, outbox: base.outbox, sync: base.sync });
  const controller = new KioskController({
    reader,
    backend,
    db: base.db,
    terminalId: device.terminalId,
    nowMs: () => ctx.deviceNowMs(device.id),
    idleTimeoutMs: DEVICE_LIMITS.idleTimeoutMs,
  });
  return { ...base, control, reader, controller };
}

/** An outlet tablet: the operator's outbox work, and a card reader for unloads (src/staff, headless). */
export type TabletLife = Common & { control: VirtualUsbControl; reader: ReaderManager; staff: StaffDeps };

export async function startTabletLife(ctx: DeviceContext, device: SimDevice): Promise<TabletLife> {
  const base = common(ctx, device, new Life());
  const nav = {};
  const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
  const reader = new ReaderManager((nav as { usb: USB }).usb);
  await reader.start();
  const backend = new HttpStaffBackend({ api: base.api, outbox: base.outbox, sync: base.sync });
  const staff: StaffDeps = { backend, db: base.db, terminalId: device.terminalId, nowMs: () => ctx.deviceNowMs(device.id) };
  return { ...base, control, reader, staff };
}

/** Waits until the reader sees the slot as `present` says; false if it never does. */
export async function settleReader(reader: ReaderManager, present: boolean): Promise<boolean> {
  for (let tick = 0; tick < DEVICE_LIMITS.settleTickCountMax; tick++) {
    if (reader.cardPresent === present) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

/** Ends a page's life: the card session, timers and memory go; IndexedDB stays. */
export function endLife(life: Common & { controller?: KioskController }): void {
  life.life.kill();
  life.controller?.dispose();
  life.db.close();
}

/** Waits until the kiosk shows a screen that `ready` accepts; false if it never does (a liveness failure). */
export async function settleScreen(life: KioskLife, ready: (screen: Screen) => boolean): Promise<boolean> {
  for (let tick = 0; tick < DEVICE_LIMITS.settleTickCountMax; tick++) {
    if (life.life.dead) return true;
    if (ready(life.controller.current)) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

export async function deleteDeviceDatabase(name: string): Promise<void> {
  await Dexie.delete(name);
}
