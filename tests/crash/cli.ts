/**
 * `npm run crash` runs one crash run on the PostgreSQL at DATABASE_URL with a fresh seed;
 * `npm run crash -- --seed S` replays seed S's plan. Customers also pull their cards in the middle
 * of CREDIT FOR LOAD; `--no-card-pulls` leaves that out. Prints the seed first, a line per kill, the
 * storm's figures and every violation, and ends with `crash checks: N, failed: F` (one check per
 * kill round, the ledger after the restart, and one for the final invariants); exit 1 on any
 * failure. Whatever happens, the server processes it started are killed before it exits.
 */
import { parseArgs } from 'node:util';
import { dropAllLive } from './database.ts';
import { runCrash, type CrashResult } from './run.ts';
import { killAllNow } from './server-process.ts';

const CLI_LIMITS = {
  /** Violations printed per check; the count says how many there were. */
  violationLinesMax: 10,
  /** Lines of the server's output printed after a failure. */
  serverLogLinesMax: 30,
  /** How long an interrupted run waits for its database to be dropped before it exits anyway. */
  interruptedDropMs: 5_000,
} as const;

const { values } = parseArgs({ options: { seed: { type: 'string' }, 'no-card-pulls': { type: 'boolean' } } });
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('crash: DATABASE_URL must name a PostgreSQL server (the role may CREATE DATABASE)');
  process.exit(2);
}
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1_000_000);
if (!Number.isSafeInteger(seed) || seed < 0) {
  console.error('crash: a seed is a non-negative integer');
  process.exit(2);
}

// A failure anywhere, even an uncaught one, must not leave a server process behind; an
// interrupted run also drops its database if PostgreSQL answers quickly.
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllNow();
    const giveUp = new Promise((resolve) => setTimeout(resolve, CLI_LIMITS.interruptedDropMs));
    void Promise.race([dropAllLive(), giveUp]).finally(() => process.exit(130));
  });
}

function report(result: CrashResult): number {
  const c = result.counters;
  const notices = [...c.notices].sort().map(([key, n]) => `${key.replace(/^kiosk\./, '')} ${n}`).join(', ');
  console.log(
    `  storm: ${c.visits} visits, ${c.loadsAsked} loads asked, ${c.loadsDone} done, ${c.cardPulls} cards pulled mid-load, ` +
      `${c.requests} requests (${c.networkFailures} failed on the network); ${result.outbox.total} outbox operations, ` +
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
  for (const r of result.rounds) print(`kill ${r.round}`, r.violations);
  print('final invariants', result.violations);
  if (failed > 0) {
    console.log('  server output (last lines):');
    for (const line of result.serverLog.trim().split('\n').slice(-CLI_LIMITS.serverLogLinesMax)) console.log(`    ${line}`);
  }
  return failed;
}

const cardPulls = values['no-card-pulls'] !== true;
const replay = `npm run crash -- --seed ${seed}${cardPulls ? '' : ' --no-card-pulls'}`;
console.log(`crash: seed ${seed}${cardPulls ? ', cards pulled mid-load too' : ''} (replay: ${replay})`);
const startedAt = performance.now();
let checks = 1;
let failed = 1;
try {
  const result = await runCrash({ seed, databaseUrl, cardPulls, log: (line) => console.log(line) });
  checks = result.rounds.length + 1;
  failed = report(result);
} catch (error) {
  console.log(`  FAILED: the run stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
console.log(`crash: ${((performance.now() - startedAt) / 1000).toFixed(1)} s; seed ${seed}${failed > 0 ? ` — replay: ${replay}` : ''}`);
console.log(`crash checks: ${checks}, failed: ${failed}`);
// Timers a kiosk's client left behind (SyncLoop's interval, an abandoned request's abort) must not hold the process.
process.exit(failed === 0 ? 0 : 1);
