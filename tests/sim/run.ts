/**
 * One seeded run of the simulation: the world, the faults, the workload, the checks. See
 * README.md in this folder for the shape of a run; `runSeed` is the entry point.
 */
import 'fake-indexeddb/auto';
import { DeviceDatabase } from '../../src/lib/device-db/database.ts';
import type { OutboxRecord } from '../../src/lib/device-db/database.ts';
import { checkCashDrawers, checkDuring, checkJournals, checkEnd, checkOutboxes, type OutboxSighting, type Violation } from './checks.ts';
import { chipPin, issueChips, type SimChip } from './cards.ts';
import { installDeterminism, SimClock } from './determinism.ts';
import {
  deleteDeviceDatabase,
  endLife,
  settleScreen,
  startKioskLife,
  startTabletLife,
  type DeviceContext,
  type KioskLife,
  type TabletLife,
} from './devices.ts';
import { Adversary, ADVERSARY_LIMITS, type AdversaryReport } from './adversary.ts';
import {
  loseNewestQueued,
  postLoadAgain,
  staleProbeRefusals,
  voidOldPendingLoads,
  voidPendingOf,
  VOID_TIMER_MS,
  type Mutation,
} from './mutations.ts';
import { NO_FAULTS, SimNetwork, type Delivery, type NetworkProfile } from './network.ts';
import { SimRandom } from './random.ts';
import { scheduleCounterLoads } from './counter-load.ts';
import { Scheduler } from './scheduler.ts';
import type { SimServer } from './server.ts';
import { SIM_DEVICES, SIM_PIN, type SimDevice } from './world.ts';
import {
  AFTER_WRITE_LIMITS,
  cardCommitted,
  scheduleFaults,
  scheduleWorkload,
  visitTabletToSettle,
  type AfterWriteFault,
} from './workload.ts';

export const RUN_LIMITS = {
  /** Simulated length of the busy part of a run. */
  durationMs: 20 * 60_000,
  visitCountMin: 8,
  visitCountMax: 16,
  tabletOpCountMin: 4,
  tabletOpCountMax: 10,
  /** Customers who bring a card to a tablet to unload part of its purse (圈提). */
  unloadCountMin: 2,
  unloadCountMax: 6,
  /** Events handled before the run is cut short (a runaway loop is a harness bug). */
  eventCountMax: 2_000,
  /** Rounds of "drain everything, re-insert every card" at the end. */
  settleRoundCountMax: 4,
  /** Periodic sync, as SyncLoop's interval does. */
  syncIntervalMs: 30_000,
} as const;

/** The seeded streams of a run besides its own (SimRandom's `stream`), one per part added later. */
const RANDOM_STREAMS = {
  /** Faults that strike the moment a card writes a load (workload.ts, armAfterWriteFault). */
  afterWrite: 1,
  /** Customers unloading at a tablet, and the faults planted in their unloads (workload.ts, tabletUnload). */
  unloads: 2,
  /** Whether the adversary is at work in a seed, and all it does (adversary.ts). */
  adversary: 3,
  /** Customers paying cash at a tablet and having a card loaded at the counter, and their faults (counter-load.ts). */
  counterLoads: 4,
} as const;

/**
 * `adversary`: 'seeded' (default) lets each seed draw whether the adversary is at work
 * (ADVERSARY_LIMITS.seedShare); `onPath` lets it see requests before the server does (adversary.ts observeSent).
 */
export type RunOptions = {
  seed: number;
  server: SimServer;
  mutation?: Mutation | undefined;
  faults?: boolean;
  verbose?: boolean;
  adversary?: 'seeded' | 'always' | 'never';
  onPath?: boolean;
};

export type RunResult = {
  seed: number;
  /** The server stopped answering: its database must not be reused for the next seed. */
  serverHung: boolean;
  violations: Violation[];
  trace: string[];
  /** What the adversary tried and what was refused; null when it was not at work in this seed. */
  adversary: AdversaryReport | null;
  stats: {
    events: number;
    loads: number;
    loadsInterrupted: number;
    afterWriteFaults: number;
    receipts: number;
    preallocations: number;
    unloads: number;
    unloadsInterrupted: number;
    counterLoads: number;
    counterLoadsInterrupted: number;
    pinChanges: number;
    reloads: number;
    serverRestarts: number;
    requests: number;
  };
};

function emptyStats(): RunResult['stats'] {
  return {
    events: 0,
    loads: 0,
    loadsInterrupted: 0,
    afterWriteFaults: 0,
    receipts: 0,
    preallocations: 0,
    unloads: 0,
    unloadsInterrupted: 0,
    counterLoads: 0,
    counterLoadsInterrupted: 0,
    pinChanges: 0,
    reloads: 0,
    serverRestarts: 0,
    requests: 0,
  };
}

export type Kiosk = { device: SimDevice; life: KioskLife | null; busy: boolean };
export type Tablet = { device: SimDevice; life: TabletLife | null };

export class Run {
  readonly random: SimRandom;
  readonly faultRandom: SimRandom;
  readonly clock: SimClock;
  readonly scheduler: Scheduler;
  readonly network: SimNetwork;
  readonly server: SimServer;
  readonly mutation: Mutation | undefined;
  readonly chips: Map<string, SimChip>;
  readonly kiosks: Kiosk[] = [];
  readonly tablets: Tablet[] = [];
  readonly driftMs = new Map<string, number>();
  readonly pins = new Map<string, string[]>();
  /** Cards in a kiosk's reader right now (the customer is at the kiosk), by card number: the kiosk. */
  readonly inReader = new Map<string, string>();
  readonly touchedCards = new Set<string>();
  readonly seen = new Map<string, Map<string, OutboxSighting>>();
  readonly cashTakenFen = new Map<string, number>();
  readonly loadFirstSeenMs = new Map<string, number>();
  readonly drainQueued = new Set<string>();
  readonly violations: Violation[] = [];
  readonly stats: RunResult['stats'] = emptyStats();
  readonly dbPrefix: string;
  readonly cardPullRate: number;
  readonly pageCrashRate: number;
  /** Draws for the faults that strike as a card writes a load; a stream of its own (RANDOM_STREAMS). */
  readonly afterWriteRandom: SimRandom;
  /** Draws for the unloads at the tablets; a stream of its own (RANDOM_STREAMS). */
  readonly unloadRandom: SimRandom;
  /** Draws for the counter loads at the tablets; a stream of its own (RANDOM_STREAMS). */
  readonly counterLoadRandom: SimRandom;
  /** Whether this run plants faults at all (the unloads' own faults follow it). */
  readonly faults: boolean;
  /** Share of the loads this seed's faults catch right after the card wrote (swarm: each seed draws its own). */
  readonly afterWriteFaultRate: number;
  /** The fault armed for a card's load in progress, by card number (it strikes when the chip commits). */
  readonly afterWriteFaults = new Map<string, AfterWriteFault>();
  /** Cards whose customer walked away and comes back only later, to another kiosk. */
  readonly cardsAway = new Set<string>();
  /** The attacker's kiosk and tablet, in the seeds it is at work in (a stream of its own: RANDOM_STREAMS). */
  readonly adversary: Adversary | null;
  endMs = 0;
  readonly ctx: DeviceContext;

  constructor(options: RunOptions, random: SimRandom, clock: SimClock) {
    this.clock = clock;
    this.random = random;
    this.faultRandom = random.fork();
    this.server = options.server;
    this.mutation = options.mutation;
    this.scheduler = new Scheduler(this.clock);
    this.chips = issueChips(random.fork());
    this.dbPrefix = `sim-${options.seed}-${options.mutation ?? 'clean'}`;
    const profile = options.faults === false ? NO_FAULTS : swarmProfile(this.faultRandom);
    this.cardPullRate = options.faults === false ? 0 : this.faultRandom.next() * 0.5;
    this.pageCrashRate = options.faults === false ? 0 : this.faultRandom.next() * 0.1;
    this.afterWriteRandom = new SimRandom(options.seed, RANDOM_STREAMS.afterWrite);
    this.unloadRandom = new SimRandom(options.seed, RANDOM_STREAMS.unloads);
    this.counterLoadRandom = new SimRandom(options.seed, RANDOM_STREAMS.counterLoads);
    this.faults = options.faults !== false;
    this.afterWriteFaultRate =
      options.faults === false ? 0 : AFTER_WRITE_LIMITS.faultRateMin + this.afterWriteRandom.next() * (1 - AFTER_WRITE_LIMITS.faultRateMin);
    this.network = new SimNetwork({
      server: this.server,
      scheduler: this.scheduler,
      random: random.fork(),
      profile,
      hooks: { onDelivered: (d) => this.afterDelivery(d), onSent: (sent) => this.adversary?.observeSent(sent) },
    });
    this.network.restartServer = (reason) => this.restartServer(reason);
    const adversaryRandom = new SimRandom(options.seed, RANDOM_STREAMS.adversary);
    const adversaryAtWork =
      options.adversary === 'always' || (options.adversary !== 'never' && adversaryRandom.chance(ADVERSARY_LIMITS.seedShare));
    this.adversary = adversaryAtWork ? new Adversary(this, adversaryRandom, { onPath: options.onPath ?? false }) : null;
    this.ctx = {
      network: this.network,
      deviceNowMs: (id) => this.clock.nowMs() + (this.driftMs.get(id) ?? 0),
      requestDrain: (id) => this.requestDrain(id, 50),
      dbPrefix: this.dbPrefix,
    };
    for (const device of SIM_DEVICES) {
      // Clock drift: up to ± 10 minutes, and sometimes a clock set a day wrong.
      const drift = this.faultRandom.chance(0.1)
        ? this.faultRandom.pick([-86_400_000, 86_400_000])
        : this.faultRandom.int(-600_000, 600_000);
      this.driftMs.set(device.id, options.faults === false ? 0 : drift);
      this.seen.set(device.id, new Map());
      if (device.kind === 'kiosk') this.kiosks.push({ device, life: null, busy: false });
      else this.tablets.push({ device, life: null });
    }
    for (const chip of this.chips.values()) {
      this.pins.set(chip.spec.cardNo, [SIM_PIN]);
      chip.onCommitted = (transaction) => cardCommitted(this, transaction);
    }
  }

  note(line: string): void {
    this.scheduler.note(line);
  }

  /** Every answer the server gives, to any device (the adversary's network calls it too): the planted bugs strike here. */
  async afterDelivery(d: Delivery): Promise<void> {
    if (this.adversary && !Adversary.isOwn(d.deviceId)) this.adversary.observe(d);
    if (this.mutation === 'stale-probe-voids') {
      for (const cardNo of staleProbeRefusals(d.path, d.body, d.answer)) {
        const voided = await voidPendingOf(this.server.db, cardNo);
        if (voided) this.note(`MUTATION: a stale probe voided load ${voided.slice(0, 8)} of card ${short(cardNo)}`);
      }
    }
    if (d.status !== 200) return;
    // Loads and unloads alike: a pending one is what the void-on-timer sweeper acts on.
    if (d.path.endsWith('/loads/initialise') || d.path.endsWith('/unloads/initialise')) {
      const loadId = (d.answer as { load?: { loadId?: string } }).load?.loadId;
      if (loadId && !this.loadFirstSeenMs.has(loadId)) this.loadFirstSeenMs.set(loadId, this.clock.nowMs());
    }
    if (this.mutation === 'double-confirmation' && d.path.endsWith('/sync/push') && !d.replay) {
      const ops = (d.body as { operations: Array<{ id: string; type: string; payload: { loadId?: string } }> }).operations;
      const results = (d.answer as { results: Array<{ id: string; status: string; replayed: boolean }> }).results;
      for (const r of results) {
        const op = ops.find((o) => o.id === r.id);
        if (op?.type === 'load.complete' && r.status === 'applied' && !r.replayed && op.payload.loadId) {
          await postLoadAgain(this.server.db, op.payload.loadId);
          this.note(`MUTATION: load ${op.payload.loadId.slice(0, 8)} confirmation posted twice`);
        }
      }
    }
  }

  // ---- devices -------------------------------------------------------------------------

  async bootKiosk(k: Kiosk): Promise<void> {
    k.life = await startKioskLife(this.ctx, k.device);
    k.busy = false;
    this.requestDrain(k.device.id, 10);
  }

  async bootTablet(t: Tablet): Promise<void> {
    t.life = await startTabletLife(this.ctx, t.device);
    this.requestDrain(t.device.id, 10);
  }

  requestDrain(deviceId: string, delayMs: number): void {
    if (this.drainQueued.has(deviceId)) return;
    this.drainQueued.add(deviceId);
    this.scheduler.after(delayMs, `drain ${deviceId}`, async () => {
      this.drainQueued.delete(deviceId);
      await this.drain(deviceId);
    });
  }

  lifeOf(deviceId: string): KioskLife | TabletLife | null {
    return this.kiosks.find((k) => k.device.id === deviceId)?.life ?? this.tablets.find((t) => t.device.id === deviceId)?.life ?? null;
  }

  async drain(deviceId: string): Promise<void> {
    const life = this.lifeOf(deviceId);
    if (!life || life.life.dead) return;
    const report = await life.life.within(life.sync.drain());
    if (report === 'died') return this.afterDeath(deviceId);
    if (report && (report.sentCount > 0 || report.networkFailed)) {
      this.note(
        `${deviceId} drain: sent ${report.sentCount}, applied ${report.appliedCount}, rejected ${report.rejectedCount}, left ${report.remainingCount}${report.networkFailed ? ' (network failed)' : ''}`,
      );
    }
  }

  /** A page that died mid-request comes back after a while, as a kiosk's watchdog reloads it. */
  afterDeath(deviceId: string): void {
    const k = this.kiosks.find((x) => x.device.id === deviceId);
    if (k?.life) this.dropCardFrom(k);
    this.scheduler.after(this.faultRandom.int(5_000, 60_000), `reboot ${deviceId}`, () => this.reload(deviceId, 'page died mid-request'));
  }

  dropCardFrom(k: Kiosk): void {
    for (const [cardNo, kioskId] of [...this.inReader]) if (kioskId === k.device.id) this.inReader.delete(cardNo);
    k.busy = false;
  }

  async reload(deviceId: string, why: string): Promise<void> {
    this.stats.reloads++;
    this.scheduler.cancel(`visit ${deviceId}`);
    const k = this.kiosks.find((x) => x.device.id === deviceId);
    const t = this.tablets.find((x) => x.device.id === deviceId);
    const life = k?.life ?? t?.life;
    if (life) {
      await this.observeOutbox(deviceId, life.db);
      endLife(life);
    }
    this.note(`${deviceId} reload (${why})`);
    if (this.mutation === 'lost-outbox-entry') {
      const lost = await loseNewestQueued(`${this.dbPrefix}-${deviceId}`);
      if (lost) this.note(`MUTATION: ${deviceId} lost its queued ${lost}`);
    }
    if (k) {
      this.dropCardFrom(k);
      await this.bootKiosk(k);
    }
    if (t) await this.bootTablet(t);
  }

  async restartServer(reason: string): Promise<void> {
    this.stats.serverRestarts++;
    const reopenDatabase = this.faultRandom.chance(0.3);
    this.note(`server restart (${reason})${reopenDatabase ? ', database reopened' : ''}`);
    await this.server.restart({ reopenDatabase });
  }

  async observeOutbox(deviceId: string, db: DeviceDatabase): Promise<void> {
    if (!db.isOpen()) return;
    const seen = this.seen.get(deviceId)!;
    for (const r of await db.outbox.toArray()) if (!seen.has(r.id)) seen.set(r.id, { id: r.id, seq: r.seq, type: r.type });
  }

  async observeAll(): Promise<void> {
    for (const d of [...this.kiosks, ...this.tablets]) if (d.life && !d.life.life.dead) await this.observeOutbox(d.device.id, d.life.db);
  }

  // ---- the run -------------------------------------------------------------------------

  async execute(): Promise<void> {
    for (const k of this.kiosks) await this.bootKiosk(k);
    for (const t of this.tablets) await this.bootTablet(t);
    this.endMs = this.clock.nowMs() + RUN_LIMITS.durationMs;
    scheduleWorkload(this);
    scheduleCounterLoads(this);
    if (this.network.profile !== NO_FAULTS) scheduleFaults(this);
    this.adversary?.schedule();
    if (this.mutation === 'void-on-timer') this.scheduleSweeper();
    await this.loop(this.endMs);
    await this.settle();
  }

  scheduleSweeper(): void {
    this.scheduler.after(30_000, 'sweeper', async () => {
      const voided = await voidOldPendingLoads(this.server.db, this.loadFirstSeenMs, this.clock.nowMs() - VOID_TIMER_MS);
      for (const id of voided) this.note(`MUTATION: pending load ${id.slice(0, 8)} voided on a timer`);
      this.scheduleSweeper();
    });
  }

  /** Requests that entered the network so far, the adversary's included. */
  #requestCount(): number {
    return this.network.counts.requests + (this.adversary?.network.counts.requests ?? 0);
  }

  #hung(): string | null {
    return this.network.hung ?? this.adversary?.network.hung ?? null;
  }

  async loop(untilMs: number): Promise<void> {
    for (;;) {
      const event = this.scheduler.take(untilMs);
      if (!event) return;
      if (++this.stats.events > RUN_LIMITS.eventCountMax) {
        this.violations.push({ rule: 'harness.runaway', detail: `more than ${RUN_LIMITS.eventCountMax} events` });
        return;
      }
      const before = this.#requestCount() + this.stats.serverRestarts + this.stats.reloads;
      await event.run();
      const hung = this.#hung();
      if (hung) {
        this.violations.push({ rule: 'server.hung', detail: hung });
        this.note(`VIOLATION server.hung: ${hung}`);
        return;
      }
      // Checks cost a few queries: they run after every event that reached the server or changed a device (or a card, as the adversary's do).
      const quiet =
        this.#requestCount() + this.stats.serverRestarts + this.stats.reloads === before &&
        !event.label.startsWith('tablet') &&
        !event.label.startsWith('sweeper') &&
        !event.label.startsWith('adversary');
      if (quiet) continue;
      await this.observeAll();
      if (this.server.app) {
        const found = await checkDuring(this.server.db, this.chips);
        if (found.length > 0) {
          for (const v of found) this.note(`VIOLATION ${v.rule}: ${v.detail}`);
          this.violations.push(...found);
          return;
        }
      }
    }
  }

  /** Heal every fault, let every device drain and every card come back, then check. */
  async settle(): Promise<void> {
    if (this.violations.length > 0) return;
    this.network.heal();
    this.adversary?.network.heal();
    this.note('--- heal: faults off, every device online, every card comes back');
    if (!this.server.app) await this.server.startApp();
    // What is still in the air arrives (or not: a late request finds the healed server).
    for (let e = this.scheduler.take(); e; e = this.scheduler.take()) {
      if (e.label.startsWith('net:late') || e.label.startsWith('reboot') || e.label.startsWith('drain') || e.label.startsWith('sweeper')) {
        if (!e.label.startsWith('sweeper')) await e.run();
      }
    }
    for (const d of [...this.kiosks, ...this.tablets]) if (d.life) d.life.life.crashAtNextRequest = false;
    // Customers still at a kiosk take their cards.
    for (const k of this.kiosks) {
      if (!k.life || k.life.life.dead || !k.life.reader.cardPresent) continue;
      k.life.control.removeCard();
      await settleScreen(k.life, (s) => s.name === 'start');
      this.dropCardFrom(k);
    }
    for (const k of this.kiosks) if (!k.life || k.life.life.dead) await this.reload(k.device.id, 'heal');
    for (const t of this.tablets) if (!t.life || t.life.life.dead) await this.reload(t.device.id, 'heal');
    for (let round = 0; round < RUN_LIMITS.settleRoundCountMax; round++) {
      await this.drainAll();
      const cards = await this.cardsToSettle();
      if (cards.length === 0) break;
      const kiosk = this.kiosks[round % this.kiosks.length]!;
      for (const cardNo of cards) {
        // An unload the tablet journaled is settled where its journal is: the card comes back to that tablet.
        const tablet = await this.tabletHolding(cardNo);
        // Likewise a load a kiosk journaled goes back to that kiosk: only there is its entry closed.
        if (tablet) await visitTabletToSettle(this, tablet, cardNo);
        else await this.visitToSettle((await this.kioskHolding(cardNo)) ?? kiosk, cardNo);
      }
      await this.drainAll();
    }
    const hung = this.#hung();
    if (hung) {
      this.violations.push({ rule: 'server.hung', detail: hung });
      this.note(`VIOLATION server.hung: ${hung}`);
      return;
    }
    await this.observeAll();
    await this.finalChecks();
  }

  async drainAll(): Promise<void> {
    for (const d of [...this.kiosks, ...this.tablets]) {
      for (let i = 0; i < 5; i++) {
        if (process.env.SIM_DEBUG) this.note(`drain ${d.device.id} round ${i}`);
        await this.drain(d.device.id);
        const life = d.life;
        if (!life || (await life.outbox.queuedCount()) === 0) break;
      }
    }
  }

  async cardsToSettle(): Promise<string[]> {
    const pending = await this.server.db.query<{ card_no: string }>(
      "SELECT DISTINCT card_no FROM card_load WHERE state = 'pending' ORDER BY card_no",
    );
    const cards = new Set(pending.rows.map((r) => r.card_no));
    for (const d of [...this.kiosks, ...this.tablets]) {
      if (!d.life) continue;
      const open = await d.life.db.loadJournal.filter((j) => j.state === 'credit-sent').toArray();
      for (const j of open) cards.add(j.cardNo);
    }
    return [...cards].sort();
  }

  /** The tablet whose journal holds an open unload of this card, if any. */
  async tabletHolding(cardNo: string): Promise<Tablet | null> {
    for (const t of this.tablets) {
      if (!t.life || t.life.life.dead) continue;
      const open = await t.life.db.loadJournal.filter((j) => j.state === 'credit-sent' && j.cardNo === cardNo).count();
      if (open > 0) return t;
    }
    return null;
  }

  /** The kiosk whose journal holds an open load of this card, if any. */
  async kioskHolding(cardNo: string): Promise<Kiosk | null> {
    for (const k of this.kiosks) {
      if (!k.life || k.life.life.dead) continue;
      const open = await k.life.db.loadJournal.filter((j) => j.state === 'credit-sent' && j.cardNo === cardNo).count();
      if (open > 0) return k;
    }
    return null;
  }

  async visitToSettle(k: Kiosk, cardNo: string): Promise<void> {
    const life = k.life!;
    const chip = this.chips.get(cardNo)!;
    this.note(`${k.device.id} settle: card ${short(cardNo)} goes in`);
    life.control.insertCard(chip.card);
    if (!(await settleScreen(life, (s) => s.name === 'pin' || s.name === 'refused' || s.name === 'home'))) {
      this.violations.push({ rule: 'kiosk.stuck', detail: `${k.device.id} never showed the PIN screen for card ${cardNo}` });
    }
    if (life.controller.current.name === 'pin') await life.life.within(life.controller.submitPin(chipPin(chip, this.pins.get(cardNo)!)));
    if (life.life.dead) return this.reload(k.device.id, 'died while settling');
    this.note(`${k.device.id} settle: card ${short(cardNo)} → ${screenName(life)}`);
    life.control.removeCard();
    await settleScreen(life, (s) => s.name === 'start');
    if (process.env.SIM_DEBUG) this.note(`${k.device.id} settle: card ${short(cardNo)} out → ${screenName(life)}`);
  }

  async finalChecks(): Promise<void> {
    const db = this.server.db;
    const found = await checkEnd(db, this.chips);
    const devices: Array<{ deviceId: string; records: OutboxRecord[]; seen: ReadonlyMap<string, OutboxSighting> }> = [];
    for (const d of [...this.kiosks, ...this.tablets])
      devices.push({ deviceId: d.device.id, records: d.life ? await d.life.db.outbox.toArray() : [], seen: this.seen.get(d.device.id)! });
    found.push(...(await checkOutboxes(db, devices)));
    found.push(...(await checkCashDrawers(db, this.cashTakenFen)));
    const journals = [];
    for (const d of [...this.kiosks, ...this.tablets])
      journals.push({
        deviceId: d.device.id,
        open: d.life ? await d.life.db.loadJournal.filter((j) => j.state === 'credit-sent').toArray() : [],
      });
    found.push(...checkJournals(journals));
    for (const v of found) this.note(`VIOLATION ${v.rule}: ${v.detail}`);
    this.violations.push(...found);
  }

  async teardown(): Promise<void> {
    for (const d of [...this.kiosks, ...this.tablets]) {
      if (d.life) endLife(d.life);
      await deleteDeviceDatabase(`${this.dbPrefix}-${d.device.id}`);
    }
  }
}

export function short(cardNo: string): string {
  return cardNo.slice(-4);
}

export function screenName(life: KioskLife): string {
  const s = life.controller.current;
  // A refusal's server code goes into the trace: `refused_other` alone does not say what went wrong.
  if (s.name === 'start' || s.name === 'home')
    return s.notice ? `${s.name} (${s.notice.key}${s.notice.values?.code === undefined ? '' : ` ${s.notice.values.code}`})` : s.name;
  if (s.name === 'refused') return `refused (${s.reason})`;
  return s.name;
}

/**
 * Each seed draws its own fault profile (swarm testing; docs/operations.md "Simulation, crash
 * test, benchmarks").
 */
function swarmProfile(random: SimRandom): NetworkProfile {
  return {
    requestLossRate: random.next() * 0.15,
    answerLossRate: random.next() * 0.15,
    lateDeliveryRate: random.next() * 0.08,
    duplicateRate: random.next() * 0.2,
    serverCrashRate: random.next() * 0.03,
    latencyMsMax: random.int(5, 400),
  };
}

export async function runSeed(options: RunOptions): Promise<RunResult> {
  const random = new SimRandom(options.seed);
  const clock = new SimClock();
  const restore = installDeterminism(clock, random.fork());
  let run: Run | undefined;
  try {
    run = new Run(options, random, clock);
    run.scheduler.echo = options.verbose ?? false;
    await options.server.reset(() => new Date(clock.nowMs()));
    run.note(
      `seed ${options.seed}${options.mutation ? ` with planted bug ${options.mutation}` : ''}${run.adversary ? ', adversary at work' : ''}: ${JSON.stringify(run.network.profile, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))}`,
    );
    await run.execute();
  } catch (error) {
    run?.violations.push({ rule: 'harness.error', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    await run?.teardown().catch(() => {});
    restore();
  }
  const stats = run?.stats ?? emptyStats();
  stats.requests = run?.network.counts.requests ?? 0;
  const adversary = run?.adversary ? { ...run.adversary.report, requests: run.adversary.network.counts.requests } : null;
  const serverHung = Boolean(run?.network.hung ?? run?.adversary?.network.hung);
  return {
    seed: options.seed,
    serverHung,
    violations: run?.violations ?? [{ rule: 'harness.error', detail: 'the run did not start' }],
    trace: run?.scheduler.trace ?? [],
    stats,
    adversary,
  };
}
