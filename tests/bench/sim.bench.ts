/**
 * Seeds of the fault simulation (tests/sim) per minute on PGlite: the whole run of a seed — reset
 * of the database, kiosks, tablets, cards, faults, the final settling and every check. The database
 * is opened once (as the CLI does); `BENCH_SIM_SEEDS` seeds are timed after one warm-up seed.
 */
import 'fake-indexeddb/auto';
import { runSeed } from '../sim/run.ts';
import { SimServer } from '../sim/server.ts';
import type { BenchResult } from './types.ts';

const SEED_COUNT = Number(process.env.BENCH_SIM_SEEDS ?? 10);

export async function run(): Promise<BenchResult[]> {
  const server = await SimServer.open();
  try {
    await runSeed({ seed: 1_000_000, server });
    const start = performance.now();
    let violations = 0;
    for (let seed = 1; seed <= SEED_COUNT; seed++) violations += (await runSeed({ seed, server })).violations.length;
    const elapsedMin = (performance.now() - start) / 60_000;
    if (violations > 0) throw new Error(`the simulation found ${violations} violations while being timed: run npm run sim`);
    return [{ name: 'sim.seeds_per_min', value: SEED_COUNT / elapsedMin, unit: 'seeds/min' }];
  } finally {
    await server.close();
  }
}
