/**
 * `npm run crash` runs one crash run with a fresh seed on a PostgreSQL instance of its own, which
 * it restarts and stops mid-storm besides killing the server; `npm run crash -- --seed S` replays
 * seed S's plan. `--no-database-faults` runs on the PostgreSQL at DATABASE_URL instead, with the
 * kills only (also what happens, said loudly, when PostgreSQL's server binaries are not installed).
 * Customers also pull their cards in the middle of CREDIT FOR LOAD; `--no-card-pulls` leaves that
 * out. Prints the seed first, a line per fault, the storm's figures and every violation, and ends
 * with `crash checks: N, failed: F` (one check per fault, the ledger after it, and one for the
 * final invariants); exit 1 on any failure. Whatever happens, the server processes and the
 * PostgreSQL instance it started are gone before it exits.
 */
import { parseArgs } from 'node:util';
import { dropAllLive } from './database.ts';
import { runCrash, type CrashResult } from './run.ts';
import { killAllNow } from './server-process.ts';
import { destroyAllNow, postgresBinDir } from '../../server/testing/private-postgres.ts';

const CLI_LIMITS = {
  /** Violations printed per check; the count says how many there were. */
  violationLinesMax: 10,
  /** Lines of the server's output printed after a failure. */
  serverLogLinesMax: 30,
  /** How long an interrupted run waits for its database to be dropped before it exits anyway. */
  interruptedDropMs: 5_000,
} as const;

const { values } = parseArgs({
  options: { seed: { type: 'string' }, 'no-card-pulls': { type: 'boolean' }, 'no-database-faults': { type: 'boolean' } },
});
const databaseUrl = process.env.DATABASE_URL;
let databaseFaults = values['no-database-faults'] !== true;
if (databaseFaults && postgresBinDir() === null) {
  console.log(
    'crash: PostgreSQL server binaries (initdb, pg_ctl) not found: PostgreSQL will NOT be restarted, the server is only killed (on DATABASE_URL)',
  );
  databaseFaults = false;
}
if (!databaseFaults && !databaseUrl) {
  console.error('crash: without database faults, DATABASE_URL must name a PostgreSQL server (the role may CREATE DATABASE)');
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1_000_000);
if (!Number.isSafeInteger(seed) || seed < 0) {
  console.error('crash: a seed is a non-negative integer');
  process.exit(2);
}

// A failure anywhere, even an uncaught one, must not leave a server process or a PostgreSQL
// instance behind; an interrupted run also drops its database if PostgreSQL answers quickly.
process.on('exit', () => {
  killAllNow();
  destroyAllNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllNow();
    destroyAllNow();
    const giveUp = new Promise((resolve) => setTimeout(resolve, CLI_LIMITS.interruptedDropMs));
    void Promise.race([dropAllLive(), giveUp]).finally(() => process.exit(130));
  });
}

function report(result: CrashResult): number {
  const c = result.counters;
  const notices = [...c.notices]
    .sort()
    .map(([key, n]) => `${key.replace(/^kiosk\./, '')} ${n}`)
    .join(', ');
  console.log(
    `  storm: ${c.visits} visits, ${c.loadsAsked} loads asked, ${c.loadsDone} done, ${c.cardPulls} cards pulled mid-load, ` +
      `${c.requests} requests (${c.networkFailures} failed on the network, ${c.unavailableAnswers} answered 503, ${c.serverErrors} answered 500); ${result.outbox.total} outbox operations, ` +
      `${result.outbox.retried} pushed more than once; healing took ${result.healVisits} card visit(s)`,
  );
  if (notices) console.log(`  notices: ${notices}`);
  let failed = 0;
  const print = (label: string, violations: CrashResult['violations']): void => {
    if (violations.length === 0) return;
    failed++;
    console.log(`  FAILED ${label}: ${violations.length} violation(s)`);
    for (const v of violations.slice(0, CLI_LIMITS.violationLinesMax)) console.log(`    ${v.rule}: ${v.detail.split('\n')[0]}`);
  };
  for (const r of result.rounds) print(`fault ${r.round} (${r.fault})`, r.violations);
  print('final invariants', result.violations);
  if (failed > 0) {
    console.log('  server output (last lines):');
    for (const line of result.serverLog.trim().split('\n').slice(-CLI_LIMITS.serverLogLinesMax)) console.log(`    ${line}`);
  }
  return failed;
}

const cardPulls = values['no-card-pulls'] !== true;
const replay = `npm run crash -- --seed ${seed}${cardPulls ? '' : ' --no-card-pulls'}${databaseFaults ? '' : ' --no-database-faults'}`;
console.log(
  `crash: seed ${seed}${cardPulls ? ', cards pulled mid-load too' : ''}${databaseFaults ? ', PostgreSQL restarted and stopped too' : ''} (replay: ${replay})`,
);
const startedAt = performance.now();
let checks = 1;
let failed = 1;
try {
  const result = await runCrash({ seed, databaseFaults, databaseUrl, cardPulls, log: (line) => console.log(line) });
  checks = result.rounds.length + 1;
  failed = report(result);
} catch (error) {
  console.log(`  FAILED: the run stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
console.log(`crash: ${((performance.now() - startedAt) / 1000).toFixed(1)} s; seed ${seed}${failed > 0 ? ` — replay: ${replay}` : ''}`);
console.log(`crash checks: ${checks}, failed: ${failed}`);
// Timers a kiosk's client left behind (SyncLoop's interval, an abandoned request's abort) must not hold the process.
process.exit(failed === 0 ? 0 : 1);
