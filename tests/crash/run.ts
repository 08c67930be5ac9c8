/**
 * One crash run (issue 7): a fresh PostgreSQL database → the real server process → a storm of
 * loads from CRASH_LIMITS.kioskCount kiosks running the real client code → the server SIGKILLed at
 * a seeded moment, kept dead a seeded while, started again, CRASH_LIMITS.killCount times, with the
 * ledger checked after each restart → the storm stops → healing: every outbox drained, every card
 * with an open load taken to a kiosk so its counter settles it → the final checks.
 *
 * The seed fixes every choice the test makes (cards, amounts, card pulls, kill delays, downtimes);
 * the interleaving with the server's real timing does not repeat exactly, so a replay re-runs the
 * same plan, which finds a timing bug often but not always.
 */
import type { Violation } from '../sim/checks.ts';
import { checkDuring } from '../sim/checks.ts';
import type { SimChip } from '../sim/cards.ts';
import { SimRandom } from '../sim/random.ts';
import { finalChecks, type OutboxSightings } from './checks.ts';
import { createCrashDatabase, type CrashDatabase } from './database.ts';
import { CrashKiosk, newCounters, type KioskCounters } from './kiosk.ts';
import { freePort } from '../../server/testing/net.ts';
import { ServerProcess } from './server-process.ts';
import { CRASH_DEVICES, CRASH_LIMITS, issueCrashChips, writeCrashWorld } from './world.ts';

export type CrashRound = { round: number; killAfterRequests: number; killAfterMs: number; loadsDone: number; inFlightAtKill: number; downMs: number; restartMs: number; violations: Violation[] };

export type CrashResult = {
  seed: number;
  rounds: CrashRound[];
  /** The final checks, after healing (and anything the storm itself found: stuck kiosks, client errors). */
  violations: Violation[];
  counters: KioskCounters;
  healVisits: number;
  /** Outbox operations the kiosks queued, and how many of them needed more than one push. */
  outbox: { total: number; retried: number };
  serverLog: string;
};

export type CrashOptions = {
  seed: number;
  databaseUrl: string;
  /** Customers also pull cards mid-CREDIT FOR LOAD (KIOSK_LIMITS.cardPullRate). */
  cardPulls: boolean;
  log: (line: string) => void;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Cards nobody holds; a kiosk takes one at random and gives it back after the visit. */
class CardPool {
  readonly #free: string[];
  readonly #chips: ReadonlyMap<string, SimChip>;
  constructor(chips: ReadonlyMap<string, SimChip>) {
    this.#chips = chips;
    this.#free = [...chips.keys()].sort();
  }
  take(random: SimRandom): SimChip | null {
    if (this.#free.length === 0) return null;
    const [cardNo] = this.#free.splice(random.int(0, this.#free.length - 1), 1);
    return this.#chips.get(cardNo!)!;
  }
  give(chip: SimChip): void {
    this.#free.push(chip.spec.cardNo);
    this.#free.sort();
  }
}

class Storm {
  readonly kiosks: CrashKiosk[] = [];
  readonly chips: Map<string, SimChip>;
  readonly counters = newCounters();
  readonly problems: Violation[] = [];
  readonly sightings: OutboxSightings = new Map();
  readonly random: SimRandom;
  readonly #killRandom: SimRandom;
  readonly #kioskRandoms: SimRandom[];
  readonly #pool: CardPool;
  readonly #dbPrefix: string;
  #stopping = false;
  #loops: Promise<void>[] = [];
  healVisits = 0;

  readonly #cardPulls: boolean;

  constructor(seed: number, cardPulls: boolean) {
    this.#cardPulls = cardPulls;
    this.random = new SimRandom(seed);
    // Forked in a fixed order, so adding draws to one part does not shift another's.
    this.chips = issueCrashChips(this.random.fork());
    this.#killRandom = this.random.fork();
    this.#kioskRandoms = CRASH_DEVICES.map(() => this.random.fork());
    this.#pool = new CardPool(this.chips);
    this.#dbPrefix = `crash-${seed}-${process.pid}-${Date.now()}`;
  }

  get killRandom(): SimRandom {
    return this.#killRandom;
  }

  async openKiosks(baseUrl: string): Promise<void> {
    for (const device of CRASH_DEVICES) {
      this.kiosks.push(await CrashKiosk.open({ device, baseUrl, dbName: `${this.#dbPrefix}-${device.id}`, counters: this.counters }));
      this.sightings.set(device.id, new Map());
    }
  }

  /** Notes every outbox record a kiosk holds, so one that later vanishes from the device is caught. */
  async observe(kiosk: CrashKiosk): Promise<void> {
    const seen = this.sightings.get(kiosk.device.id)!;
    const newest = Math.max(0, ...[...seen.values()].map((s) => s.seq));
    for (const r of await kiosk.outbox.db.outbox.where('seq').above(newest).toArray()) seen.set(r.id, { id: r.id, seq: r.seq, type: r.type });
  }

  start(): void {
    this.#loops = this.kiosks.map((kiosk, i) => this.#kioskLoop(kiosk, this.#kioskRandoms[i]!));
  }

  async #kioskLoop(kiosk: CrashKiosk, random: SimRandom): Promise<void> {
    while (!this.#stopping) {
      const chip = this.#pool.take(random);
      if (!chip) {
        await sleep(5);
        continue;
      }
      const failuresBefore = this.counters.networkFailures;
      let problem: Violation | null;
      try {
        problem = await kiosk.visit(chip, random, { loads: true, cardPulls: this.#cardPulls });
      } finally {
        this.#pool.give(chip);
      }
      await this.observe(kiosk);
      if (problem) this.problems.push(problem);
      // A stuck kiosk stops taking customers; the others go on, and the run fails.
      if (problem?.rule === 'kiosk.stuck') return;
      // The next customer steps up; while the server is dead they come slower, so twelve kiosks
      // failing fast do not starve the restarting server of the machine's CPU.
      const offline = this.counters.networkFailures > failuresBefore;
      await sleep(random.int(0, offline ? CRASH_LIMITS.nextCustomerOfflineMsMax : CRASH_LIMITS.nextCustomerMsMax));
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
  }

  async close(): Promise<void> {
    for (const k of this.kiosks) {
      k.close();
      await CrashKiosk.deleteDatabase(`${this.#dbPrefix}-${k.device.id}`).catch(() => {});
    }
  }
}

async function killRounds(storm: Storm, server: ServerProcess, db: CrashDatabase, log: CrashOptions['log']): Promise<CrashRound[]> {
  const rounds: CrashRound[] = [];
  const random = storm.killRandom;
  for (let round = 1; round <= CRASH_LIMITS.killCount; round++) {
    const killAfterRequests = random.int(CRASH_LIMITS.killAfterRequestCountMin, CRASH_LIMITS.killAfterRequestCountMax);
    const downMs = random.int(0, CRASH_LIMITS.downMsMax);
    const startedAt = performance.now();
    const requestsAtStart = storm.counters.requests;
    const loadsAtStart = storm.counters.loadsDone;
    while (storm.counters.requests - requestsAtStart < killAfterRequests && performance.now() - startedAt < CRASH_LIMITS.killAfterMsMax) await sleep(1);
    const killAfterMs = Math.round(performance.now() - startedAt);
    const loadsDone = storm.counters.loadsDone - loadsAtStart;
    const violations: Violation[] = [];
    if (!server.running) violations.push({ rule: 'server.died', detail: `the server was not running at kill ${round}:\n${server.log}` });
    const inFlightAtKill = storm.counters.inFlight;
    await server.kill('SIGKILL');
    await sleep(downMs);
    const restartAt = performance.now();
    await server.start();
    const restartMs = Math.round(performance.now() - restartAt);
    violations.push(...(await checkDuring(db.db, storm.chips)));
    log(
      `  kill ${round}: after ${killAfterRequests} requests (${killAfterMs} ms, ${loadsDone} loads done), ${inFlightAtKill} in flight; ` +
        `dead ${downMs} ms, answering again ${restartMs} ms after the restart; ${violations.length === 0 ? 'ledger sound' : `${violations.length} violation(s)`}`,
    );
    rounds.push({ round, killAfterRequests, killAfterMs, loadsDone, inFlightAtKill, downMs, restartMs, violations });
  }
  return rounds;
}

/** Drains every kiosk's outbox until it is empty or the drains run out. */
async function drainAll(storm: Storm): Promise<void> {
  for (const k of storm.kiosks) {
    for (let i = 0; i < CRASH_LIMITS.drainCountMax; i++) {
      const report = await k.sync.drain();
      if (!report || report.remainingCount === 0) break;
      await sleep(100);
    }
    await storm.observe(k);
  }
}

/** Cards whose load is still open somewhere, with the kiosk that must see them (its journal holds the load). */
async function openLoads(storm: Storm, db: CrashDatabase): Promise<Array<{ cardNo: string; kiosk: CrashKiosk }>> {
  const work: Array<{ cardNo: string; kiosk: CrashKiosk }> = [];
  const journalled = new Set<string>();
  for (const kiosk of storm.kiosks) {
    const open = await kiosk.db.loadJournal.filter((j) => j.state === 'credit-sent').toArray();
    for (const cardNo of new Set(open.map((j) => j.cardNo))) {
      work.push({ cardNo, kiosk });
      journalled.add(cardNo);
    }
  }
  const pending = await db.db.query<{ card_no: string }>("SELECT DISTINCT card_no FROM card_load WHERE state = 'pending' ORDER BY card_no");
  pending.rows.forEach((r, i) => {
    if (!journalled.has(r.card_no)) work.push({ cardNo: r.card_no, kiosk: storm.kiosks[i % storm.kiosks.length]! });
  });
  return work;
}

/** Every outbox drained, every open load settled by its card at a kiosk, until nothing is left. */
async function heal(storm: Storm, db: CrashDatabase): Promise<void> {
  for (let round = 0; round < CRASH_LIMITS.healRoundCountMax; round++) {
    await drainAll(storm);
    const work = await openLoads(storm, db);
    if (work.length === 0) return;
    for (const { cardNo, kiosk } of work) {
      storm.healVisits++;
      const problem = await kiosk.visit(storm.chips.get(cardNo)!, storm.random, { loads: false });
      if (problem) storm.problems.push(problem);
    }
  }
  await drainAll(storm);
}

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const { seed, log } = options;
  const storm = new Storm(seed, options.cardPulls);
  const db = await createCrashDatabase(options.databaseUrl);
  const server = new ServerProcess({ port: await freePort(), databaseUrl: db.url });
  const unhandled = (reason: unknown): void => {
    storm.problems.push({ rule: 'client.unhandled_rejection', detail: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  };
  process.on('unhandledRejection', unhandled);
  try {
    await writeCrashWorld(db.db, storm.chips);
    log(`  database ${db.name} ready; server on ${server.url}`);
    await server.start();
    await storm.openKiosks(server.url);
    storm.start();
    const rounds = await killRounds(storm, server, db, log);
    await sleep(CRASH_LIMITS.tailMs);
    await storm.stop();
    if (!server.running) storm.problems.push({ rule: 'server.died', detail: `the server was not running after the storm:\n${server.log}` });
    if (server.unexpectedExits > 0) storm.problems.push({ rule: 'server.died', detail: `the server exited by itself ${server.unexpectedExits} time(s):\n${server.log}` });
    if (!server.running) await server.start();
    await heal(storm, db);
    const violations = [...storm.problems, ...(await finalChecks({ db: db.db, chips: storm.chips, kiosks: storm.kiosks, sightings: storm.sightings, quotaOpeningFen: CRASH_LIMITS.quotaOpeningFen }))];
    const outbox = { total: 0, retried: 0 };
    for (const k of storm.kiosks) {
      outbox.total += await k.outbox.db.outbox.count();
      outbox.retried += await k.outbox.db.outbox.filter((r) => r.attemptCount > 1).count();
    }
    return { seed, rounds, violations, counters: storm.counters, healVisits: storm.healVisits, outbox, serverLog: server.log };
  } finally {
    await storm.stop().catch(() => {});
    await storm.close().catch(() => {});
    process.off('unhandledRejection', unhandled);
    await server.stop().catch(() => {});
    await db.drop().catch((error: unknown) => log(`  could not drop database ${db.name}: ${String(error)}`));
  }
}
