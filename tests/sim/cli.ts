/**
 * `npm run sim -- --seeds N` runs seeds 1..N (`--from S` to start elsewhere), `--seed S` replays
 * one seed, `--mutation NAME` plants one of the bugs of mutations.ts, `--verbose` prints every
 * event as it happens, `--adversary` puts the adversary (adversary.ts) to work in every seed and
 * `--no-adversary` in none (by default each seed draws it), `--on-path` lets it see requests
 * before the server does (README.md: a finding). On PGlite by default; on PostgreSQL
 * when DATABASE_URL is set. Prints a line per failing seed with the trace that led to it, the
 * totals, what the adversary tried and what was refused, and ends with `seeds: N, violations: V`;
 * the exit code is 1 when any seed broke an invariant.
 */
import 'fake-indexeddb/auto';
import { parseArgs } from 'node:util';
import { addAdversaryReport, ATTACKS, emptyAdversaryReport, type Attack } from './adversary.ts';
import { MUTATIONS, type Mutation } from './mutations.ts';
import { runSeed } from './run.ts';
import { SimServer } from './server.ts';

const CLI_LIMITS = {
  /** Trace lines printed before a violation. */
  traceLineCount: 40,
} as const;

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string' },
    mutation: { type: 'string' },
    verbose: { type: 'boolean' },
    adversary: { type: 'boolean' },
    'no-adversary': { type: 'boolean' },
    'on-path': { type: 'boolean' },
    'no-key-warmup': { type: 'boolean' },
  },
});

const mutation = values.mutation as Mutation | undefined;
if (mutation !== undefined && !MUTATIONS.includes(mutation)) {
  console.error(`unknown mutation ${mutation}; known: ${MUTATIONS.join(', ')}`);
  process.exit(2);
}
const seeds: number[] =
  values.seed !== undefined
    ? [Number(values.seed)]
    : Array.from({ length: Number(values.seeds ?? 10) }, (_, i) => Number(values.from ?? 1) + i);
if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) {
  console.error('seeds are non-negative integers');
  process.exit(2);
}

const adversary = values.adversary ? 'always' : values['no-adversary'] ? 'never' : 'seeded';
const databaseUrl = process.env.DATABASE_URL || undefined;
const openedAt = performance.now();
let server = await SimServer.open({ databaseUrl });
server.warmKeyStore = !values['no-key-warmup'];
console.log(
  `sim: ${databaseUrl ? 'PostgreSQL' : 'PGlite'} ready in ${Math.round(performance.now() - openedAt)} ms${mutation ? `, planted bug: ${mutation}` : ''}`,
);

const startedAt = performance.now();
let violationCount = 0;
let failedSeeds = 0;
const attacks = emptyAdversaryReport();
let adversarySeeds = 0;
const totals = {
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
  events: 0,
};
for (const seed of seeds) {
  const result = await runSeed({ seed, server, mutation, verbose: values.verbose ?? false, adversary, onPath: values['on-path'] ?? false });
  for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += result.stats[key];
  if (result.adversary) {
    adversarySeeds++;
    addAdversaryReport(attacks, result.adversary);
  }
  if (result.serverHung) {
    // Its database may hold a transaction open for ever: start the next seed on a fresh one.
    server = await SimServer.open({ databaseUrl });
    server.warmKeyStore = !values['no-key-warmup'];
  }
  if (result.violations.length === 0) continue;
  violationCount += result.violations.length;
  failedSeeds++;
  const flags = `${mutation ? ` --mutation ${mutation}` : ''}${adversary === 'seeded' ? '' : ` --${adversary === 'always' ? '' : 'no-'}adversary`}${values['on-path'] ? ' --on-path' : ''}`;
  console.log(`\nseed ${seed}: ${result.violations.length} violation(s) — replay with: npm run sim -- --seed ${seed}${flags}`);
  for (const v of result.violations.slice(0, 5)) console.log(`  ${v.rule}: ${v.detail.split('\n')[0]}`);
  console.log('  trace (last events):');
  for (const line of result.trace.slice(-CLI_LIMITS.traceLineCount)) console.log(`    ${line}`);
}
const elapsedS = (performance.now() - startedAt) / 1000;
await server.close();
console.log(
  `\n${seeds.length} seeds in ${elapsedS.toFixed(1)} s (${((seeds.length / elapsedS) * 60).toFixed(0)} seeds/min): ${totals.loads} loads (${totals.loadsInterrupted} cut off, ${totals.afterWriteFaults} hit as the card wrote), ` +
    `${totals.receipts} cash receipts, ${totals.preallocations} pre-allocations, ${totals.unloads} unloads (${totals.unloadsInterrupted} interrupted), ${totals.counterLoads} counter loads (${totals.counterLoadsInterrupted} interrupted), ${totals.pinChanges} PIN changes, ${totals.reloads} reloads, ${totals.serverRestarts} server restarts, ${totals.requests} requests; ${failedSeeds} seed(s) failed`,
);
console.log(`adversary at work in ${adversarySeeds} seed(s): ${attacks.cardSessions} cards in its reader, ${attacks.requests} requests`);
for (const attack of Object.keys(ATTACKS) as Attack[]) {
  const c = attacks.counts[attack];
  if (c.tried === 0) continue;
  const codes = Object.entries(c.codes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  console.log(
    `  ${attack}: ${c.tried} tried, ${c.refused} refused${codes ? ` (${codes})` : ''}, ${c.tried - c.refused - c.lost} accepted, ${c.lost} lost`,
  );
}
console.log(`seeds: ${seeds.length}, violations: ${violationCount}`);
// A page that died mid-request leaves its client's abort timer behind: do not wait for it.
process.exit(violationCount === 0 ? 0 : 1);
