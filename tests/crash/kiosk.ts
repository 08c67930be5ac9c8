/**
 * A kiosk running the real client code against the real server process over real HTTP:
 * KioskController over a ReaderManager over a virtual navigator.usb (ccid/sim), HttpKioskBackend,
 * Outbox on its own IndexedDB (fake-indexeddb), SyncLoop started as the app starts it, ApiClient
 * with the device's credentials. The same wiring as tests/sim/devices.ts, with Node's fetch in
 * place of the simulated network and the wall clock in place of the simulated one.
 *
 * `visit` is one customer: card in, PIN, a load or two, card out. A load cut off by the server's
 * death is the product's to heal: the completion waits in the outbox and SyncLoop retries it,
 * a reservation whose answer was lost is settled from the card's counter at its next insertion.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { installVirtualUsb, type VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import { KioskController } from '../../src/kiosk/controller.ts';
import type { Screen } from '../../src/kiosk/screens.ts';
import { ReaderManager } from '../../src/lib/card/reader.ts';
import { DeviceDatabase } from '../../src/lib/device-db/database.ts';
import { Outbox } from '../../src/lib/outbox/outbox.ts';
import { ApiClient } from '../../src/lib/sync/client.ts';
import { HttpKioskBackend } from '../../src/kiosk/http-backend.ts';
import { httpPush } from '../../src/lib/sync/push.ts';
import { SyncLoop } from '../../src/lib/sync/sync-loop.ts';
import type { SimChip } from '../sim/cards.ts';
import type { Violation } from '../sim/checks.ts';
import type { SimRandom } from '../sim/random.ts';
import { CRASH_LIMITS, CRASH_PIN, type CrashDevice } from './world.ts';

export const KIOSK_LIMITS = {
  /** A screen change the kiosk owes (card in → PIN, card out → start) arrives within this. */
  screenTimeoutMs: 10_000,
  screenPollMs: 2,
  /** Loads one customer asks for in one visit, at most. */
  loadsPerVisitMax: 2,
  /**
   * Chance that the customer pulls the card in the middle of CREDIT FOR LOAD (before or after the
   * write); on unless `--no-card-pulls` (README.md, "Found": the stale-journal bug it found).
   */
  cardPullRate: 0.05,
  /** An abandoned request is a network failure to the kiosk; short, so a dead server costs little. */
  requestTimeoutMs: 5_000,
} as const;

const INS_CREDIT_FOR_LOAD = 0x52;

/** What the storm's kiosks did, for the summary and for the kill trigger. */
export type KioskCounters = {
  requests: number;
  inFlight: number;
  networkFailures: number;
  /** Answers 503 (the database restarting or down, or still conflicting): the client retries. */
  unavailableAnswers: number;
  /** Answers 500 or another 5xx but 503: the server failed where it should have refused or retried. */
  serverErrors: number;
  visits: number;
  loadsAsked: number;
  loadsDone: number;
  cardPulls: number;
  /** Notices shown after a load attempt or at a card's insertion, by message key. */
  notices: Map<string, number>;
};

export function newCounters(): KioskCounters {
  return {
    requests: 0,
    inFlight: 0,
    networkFailures: 0,
    unavailableAnswers: 0,
    serverErrors: 0,
    visits: 0,
    loadsAsked: 0,
    loadsDone: 0,
    cardPulls: 0,
    notices: new Map(),
  };
}

function countingFetch(counters: KioskCounters): typeof fetch {
  return async (input, init) => {
    counters.requests++;
    counters.inFlight++;
    try {
      const response = await fetch(input, init);
      if (response.status === 503) counters.unavailableAnswers++;
      else if (response.status >= 500) counters.serverErrors++;
      return response;
    } catch (error) {
      counters.networkFailures++;
      throw error;
    } finally {
      counters.inFlight--;
    }
  };
}

export class CrashKiosk {
  readonly device: CrashDevice;
  readonly db: DeviceDatabase;
  readonly outbox: Outbox;
  readonly sync: SyncLoop;
  readonly control: VirtualUsbControl;
  readonly reader: ReaderManager;
  readonly controller: KioskController;
  readonly #counters: KioskCounters;

  private constructor(parts: {
    device: CrashDevice;
    db: DeviceDatabase;
    outbox: Outbox;
    sync: SyncLoop;
    control: VirtualUsbControl;
    reader: ReaderManager;
    controller: KioskController;
    counters: KioskCounters;
  }) {
    this.device = parts.device;
    this.db = parts.db;
    this.outbox = parts.outbox;
    this.sync = parts.sync;
    this.control = parts.control;
    this.reader = parts.reader;
    this.controller = parts.controller;
    this.#counters = parts.counters;
  }

  static async open(options: { device: CrashDevice; baseUrl: string; dbName: string; counters: KioskCounters }): Promise<CrashKiosk> {
    const { device, counters } = options;
    const db = new DeviceDatabase(options.dbName);
    const outbox = new Outbox(db);
    const api = new ApiClient({
      baseUrl: options.baseUrl,
      credentials: () => ({ deviceId: device.id, secret: device.secret }),
      fetch: countingFetch(counters),
      timeoutMs: KIOSK_LIMITS.requestTimeoutMs,
    });
    const sync = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => device.id });
    const nav = {};
    const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
    const reader = new ReaderManager((nav as { usb: USB }).usb);
    await reader.start();
    const backend = new HttpKioskBackend({ api, outbox, sync });
    // The idle timeout never fires during a run: customers here do not walk away.
    const controller = new KioskController({ reader, backend, db, terminalId: device.terminalId, idleTimeoutMs: 3_600_000 });
    // As the app starts it: a drain now, on every kick, after failures (2 s, doubling) and every interval.
    sync.start(null);
    return new CrashKiosk({ device, db, outbox, sync, control, reader, controller, counters });
  }

  /** Waits for a screen `ready` accepts; false when it does not come (the kiosk is stuck). */
  async screen(ready: (screen: Screen) => boolean): Promise<boolean> {
    const deadline = Date.now() + KIOSK_LIMITS.screenTimeoutMs;
    while (Date.now() < deadline) {
      if (ready(this.controller.current)) return true;
      await new Promise((resolve) => setTimeout(resolve, KIOSK_LIMITS.screenPollMs));
    }
    return false;
  }

  #notice(key: string | undefined): void {
    if (key === undefined) return;
    this.#counters.notices.set(key, (this.#counters.notices.get(key) ?? 0) + 1);
  }

  /**
   * One customer at the kiosk with `chip`. Returns what went wrong (a stuck screen, a good card
   * refused) or null. `loads`
   * false: the card goes in only so the kiosk settles what is open for it (healing).
   */
  async visit(chip: SimChip, random: SimRandom, options: { loads: boolean; cardPulls?: boolean }): Promise<Violation | null> {
    this.#counters.visits++;
    this.control.insertCard(chip.card);
    if (!(await this.screen((s) => s.name === 'pin' || s.name === 'refused' || s.name === 'home')))
      return {
        rule: 'kiosk.stuck',
        detail: `${this.device.id} never showed the PIN screen for card ${chip.spec.cardNo} (${this.controller.current.name})`,
      };
    if (this.controller.current.name === 'pin') await this.controller.submitPin(CRASH_PIN);
    const after = this.controller.current;
    if (after.name === 'home') this.#notice(after.notice?.key);
    // Every card here is valid, active, unexpired and its PIN right: a refusal is the kiosk's fault.
    if (after.name === 'refused') {
      this.#notice(`refused.${after.reason}`);
      this.control.removeCard();
      await this.screen((s) => s.name === 'start');
      const open = await this.db.loadJournal.where('[cardNo+state]').equals([chip.spec.cardNo, 'credit-sent']).toArray();
      const purse = chip.card.inspect().purse;
      const journal = open.map((j) => `load ${j.loadId.slice(0, 8)} at counter ${j.onlineTtc}`).join(', ') || 'nothing';
      return {
        rule: 'kiosk.refused_good_card',
        detail: `${this.device.id} refused card ${chip.spec.cardNo} (${after.reason}) after the PIN; the card's counter is ${purse.onlineTtc}, the kiosk's journal holds ${journal} as sent to it`,
      };
    }
    const loadCount = options.loads ? random.int(1, KIOSK_LIMITS.loadsPerVisitMax) : 0;
    for (let i = 0; i < loadCount && this.reader.cardPresent; i++) await this.#load(chip, random, options.cardPulls ?? false);
    this.control.removeCard();
    if (!(await this.screen((s) => s.name === 'start')))
      return {
        rule: 'kiosk.stuck',
        detail: `${this.device.id} did not return to the start screen after card ${chip.spec.cardNo} (${this.controller.current.name})`,
      };
    return null;
  }

  async #load(chip: SimChip, random: SimRandom, cardPulls: boolean): Promise<void> {
    const screen = this.controller.current;
    if (screen.name !== 'home' && screen.name !== 'receipt') return;
    this.controller.home();
    this.controller.chooseLoad();
    const offer = this.controller.current;
    if (offer.name !== 'load') return this.#notice(offer.name === 'home' ? offer.notice?.key : undefined);
    if (offer.maxFen < 100) return this.#notice('crash.nothing_to_load');
    const amountFen = Math.min(offer.maxFen, random.int(1, CRASH_LIMITS.loadYuanMax) * 100);
    // Drawn either way, so that turning pulls on or off does not change the rest of the seed's plan.
    const pull = random.chance(KIOSK_LIMITS.cardPullRate) && cardPulls;
    if (pull) {
      this.#counters.cardPulls++;
      chip.card.failNext({ when: random.chance(0.5) ? 'before-write' : 'after-write', ins: INS_CREDIT_FOR_LOAD });
    }
    this.#counters.loadsAsked++;
    await this.controller.load(amountFen);
    chip.card.cancelFault();
    const done = this.controller.current;
    if (done.name === 'receipt') this.#counters.loadsDone++;
    else if (done.name === 'home' || done.name === 'start') this.#notice(done.notice?.key);
  }

  close(): void {
    this.sync.stop();
    this.controller.dispose();
    this.db.close();
  }

  static async deleteDatabase(name: string): Promise<void> {
    await Dexie.delete(name);
  }
}
