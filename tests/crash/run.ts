/**
 * One crash run (issues 7 and 11): a PostgreSQL instance of the run's own (initdb, so it can be
 * restarted; or the one at DATABASE_URL without database faults) with a fresh database → the real
 * server process → a storm of loads from CRASH_LIMITS.kioskCount kiosks running the real client
 * code → the faults of CRASH_LIMITS.faultPlan, each at a seeded moment: the server SIGKILLed, kept
 * dead a seeded while and started again; PostgreSQL restarted; PostgreSQL stopped a seeded few
 * seconds and started again, the server left running through both and expected to answer 503 while
 * the database is away and to serve again by itself; the ledger checked after each → the storm
 * stops → healing: every outbox drained, every card with an open load taken to a kiosk so its
 * counter settles it → the final checks, and no answer 500 during the whole run.
 *
 * The seed fixes every choice the test makes (cards, amounts, card pulls, fault delays, downtimes);
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
import { answersHealthz, freePort } from '../../server/testing/net.ts';
import { PrivatePostgres } from '../../server/testing/private-postgres.ts';
import { DatabaseUnavailableError } from '../../server/db/unavailable.ts';
import { ServerProcess, SERVER_LIMITS } from './server-process.ts';
import { CRASH_DEVICES, CRASH_LIMITS, issueCrashChips, writeCrashWorld } from './world.ts';

export type CrashFault = (typeof CRASH_LIMITS.faultPlan)[number];

/**
 * One fault and what followed. `downMs`: how long the server (a kill) or PostgreSQL (an outage)
 * stayed down; `recoveredMs`: from the restart (of the server, or of PostgreSQL) until the server
 * answered /healthz again.
 */
export type CrashRound = {
  round: number;
  fault: CrashFault;
  afterRequests: number;
  afterMs: number;
  loadsDone: number;
  inFlightAtFault: number;
  downMs: number;
  recoveredMs: number;
  violations: Violation[];
};

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
  /**
   * true: the run makes a PostgreSQL instance of its own (server/testing/private-postgres.ts) and
   * restarts and stops it as CRASH_LIMITS.faultPlan says. false: the run's database is made on
   * the PostgreSQL at `databaseUrl`, which is never restarted, and only the kills happen.
   */
  databaseFaults: boolean;
  databaseUrl: string | undefined;
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
  readonly #databaseRandom: SimRandom;
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
    this.#databaseRandom = this.random.fork();
    this.#pool = new CardPool(this.chips);
    this.#dbPrefix = `crash-${seed}-${process.pid}-${Date.now()}`;
  }

  get killRandom(): SimRandom {
    return this.#killRandom;
  }

  /** The database faults' own draws, so that a seed's kills are the same with them or without. */
  get databaseRandom(): SimRandom {
    return this.#databaseRandom;
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
    for (const r of await kiosk.outbox.db.outbox.where('seq').above(newest).toArray())
      seen.set(r.id, { id: r.id, seq: r.seq, type: r.type });
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

/** Polls /healthz until it answers 2xx; false after `timeoutMs`. */
async function healthyWithin(server: ServerProcess, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await answersHealthz(server.url, 1_000)) return true;
    await sleep(SERVER_LIMITS.healthPollMs);
  }
  return false;
}

/** What /healthz answers while PostgreSQL is stopped: it must be 503 DATABASE_UNAVAILABLE with Retry-After. */
async function healthzWhileDown(server: ServerProcess): Promise<Violation | null> {
  try {
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(CRASH_LIMITS.reconnectTimeoutMs) });
    const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
    if (response.status === 503 && body?.error?.code === 'DATABASE_UNAVAILABLE' && response.headers.get('retry-after') !== null)
      return null;
    return {
      rule: 'server.healthz_while_database_down',
      detail: `/healthz answered ${response.status} ${JSON.stringify(body)} (retry-after ${response.headers.get('retry-after')}) while PostgreSQL was stopped`,
    };
  } catch (error) {
    return { rule: 'server.healthz_while_database_down', detail: `/healthz did not answer while PostgreSQL was stopped: ${String(error)}` };
  }
}

/** The server SIGKILLed, kept dead `downMs`, started again; how long until it answered. */
async function killServer(server: ServerProcess, downMs: number): Promise<number> {
  await server.kill('SIGKILL');
  await sleep(downMs);
  const restartAt = performance.now();
  await server.start();
  return Math.round(performance.now() - restartAt);
}

/**
 * PostgreSQL restarted, or stopped `downMs` and started again, under the running server; how
 * long after PostgreSQL was back until the server answered by itself.
 */
async function faultDatabase(
  fault: 'database-restart' | 'database-outage',
  instance: PrivatePostgres,
  server: ServerProcess,
  downMs: number,
  violations: Violation[],
): Promise<number> {
  if (fault === 'database-restart') {
    await instance.restart();
  } else {
    const stoppedAt = performance.now();
    await instance.stop('immediate');
    const probe = await healthzWhileDown(server);
    if (probe) violations.push(probe);
    await sleep(Math.max(0, downMs - (performance.now() - stoppedAt)));
    await instance.start();
  }
  const backAt = performance.now();
  if (!(await healthyWithin(server, CRASH_LIMITS.reconnectTimeoutMs))) {
    violations.push({
      rule: 'server.not_reconnected',
      detail: `the server did not answer /healthz within ${CRASH_LIMITS.reconnectTimeoutMs} ms after PostgreSQL was back (${fault}):\n${server.log}`,
    });
  }
  if (!server.running) violations.push({ rule: 'server.died', detail: `the server exited during the ${fault}:\n${server.log}` });
  return Math.round(performance.now() - backAt);
}

/** checkDuring on the test's own connection, which may meet a pooled connection a database fault killed: then once more. */
async function checkLedgerNow(db: CrashDatabase, chips: Storm['chips']): Promise<Violation[]> {
  try {
    return await checkDuring(db.db, chips);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    return checkDuring(db.db, chips);
  }
}

async function faultRounds(
  storm: Storm,
  server: ServerProcess,
  db: CrashDatabase,
  instance: PrivatePostgres | null,
  log: CrashOptions['log'],
): Promise<CrashRound[]> {
  const rounds: CrashRound[] = [];
  const plan = CRASH_LIMITS.faultPlan.filter((fault) => instance !== null || fault === 'server-kill');
  for (const [i, fault] of plan.entries()) {
    const random = fault === 'server-kill' ? storm.killRandom : storm.databaseRandom;
    const afterRequests = random.int(CRASH_LIMITS.killAfterRequestCountMin, CRASH_LIMITS.killAfterRequestCountMax);
    const downMs =
      fault === 'server-kill'
        ? random.int(0, CRASH_LIMITS.downMsMax)
        : fault === 'database-outage'
          ? random.int(CRASH_LIMITS.databaseDownMsMin, CRASH_LIMITS.databaseDownMsMax)
          : 0;
    const startedAt = performance.now();
    const requestsAtStart = storm.counters.requests;
    const loadsAtStart = storm.counters.loadsDone;
    const afterMsMax = fault === 'server-kill' ? CRASH_LIMITS.killAfterMsMax : CRASH_LIMITS.databaseFaultAfterMsMax;
    while (storm.counters.requests - requestsAtStart < afterRequests && performance.now() - startedAt < afterMsMax) await sleep(1);
    const afterMs = Math.round(performance.now() - startedAt);
    const loadsDone = storm.counters.loadsDone - loadsAtStart;
    const violations: Violation[] = [];
    if (!server.running)
      violations.push({ rule: 'server.died', detail: `the server was not running before fault ${i + 1} (${fault}):\n${server.log}` });
    const inFlightAtFault = storm.counters.inFlight;
    const recoveredMs =
      fault === 'server-kill' ? await killServer(server, downMs) : await faultDatabase(fault, instance!, server, downMs, violations);
    violations.push(...(await checkLedgerNow(db, storm.chips)));
    const what = {
      'server-kill': `server killed, dead ${downMs} ms`,
      'database-restart': 'PostgreSQL restarted',
      'database-outage': `PostgreSQL stopped ${downMs} ms`,
    }[fault];
    log(
      `  fault ${i + 1}, ${what}: after ${afterRequests} requests (${afterMs} ms, ${loadsDone} loads done), ${inFlightAtFault} in flight; ` +
        `answering again ${recoveredMs} ms after the restart; ${violations.length === 0 ? 'ledger sound' : `${violations.length} violation(s)`}`,
    );
    rounds.push({ round: i + 1, fault, afterRequests, afterMs, loadsDone, inFlightAtFault, downMs, recoveredMs, violations });
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

/** The PostgreSQL the run's database lives on: an instance of its own when it is to be restarted. */
async function openPostgres(options: CrashOptions): Promise<{ instance: PrivatePostgres | null; baseUrl: string }> {
  if (options.databaseFaults) {
    const instance = await PrivatePostgres.create();
    return { instance, baseUrl: instance.url() };
  }
  if (!options.databaseUrl) throw new Error('assertion: without database faults the run needs DATABASE_URL');
  return { instance: null, baseUrl: options.databaseUrl };
}

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const { seed, log } = options;
  const storm = new Storm(seed, options.cardPulls);
  const { instance, baseUrl } = await openPostgres(options);
  let db: CrashDatabase;
  try {
    db = await createCrashDatabase(baseUrl);
  } catch (error) {
    await instance?.destroy();
    throw error;
  }
  const server = new ServerProcess({ port: await freePort(), databaseUrl: db.url });
  const unhandled = (reason: unknown): void => {
    storm.problems.push({
      rule: 'client.unhandled_rejection',
      detail: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    });
  };
  process.on('unhandledRejection', unhandled);
  try {
    await writeCrashWorld(db.db, storm.chips);
    log(
      `  database ${db.name} ready${instance ? ` on a PostgreSQL of the run's own (port ${instance.port})` : ''}; server on ${server.url}`,
    );
    await server.start();
    await storm.openKiosks(server.url);
    storm.start();
    const rounds = await faultRounds(storm, server, db, instance, log);
    await sleep(CRASH_LIMITS.tailMs);
    await storm.stop();
    if (!server.running) storm.problems.push({ rule: 'server.died', detail: `the server was not running after the storm:\n${server.log}` });
    if (server.unexpectedExits > 0)
      storm.problems.push({ rule: 'server.died', detail: `the server exited by itself ${server.unexpectedExits} time(s):\n${server.log}` });
    if (!server.running) await server.start();
    await heal(storm, db);
    // A 503 is the server's answer while the database is away; a 500 never is.
    if (storm.counters.serverErrors > 0)
      storm.problems.push({
        rule: 'server.internal_error',
        detail: `the server answered ${storm.counters.serverErrors} kiosk request(s) with a 5xx other than 503:\n${server.log}`,
      });
    const violations = [
      ...storm.problems,
      ...(await finalChecks({
        db: db.db,
        chips: storm.chips,
        kiosks: storm.kiosks,
        sightings: storm.sightings,
        quotaOpeningFen: CRASH_LIMITS.quotaOpeningFen,
      })),
    ];
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
    await instance?.destroy().catch((error: unknown) => log(`  could not remove the run's PostgreSQL: ${String(error)}`));
  }
}
