/**
 * The simulation as tests: a clean run keeps every invariant, a seed replays the same story, and
 * each planted bug of mutations.ts is caught within a few seeds. One database for the file (PGlite
 * opens slowly). Always on PGlite: only there is a replay byte-for-byte deterministic (PostgreSQL's
 * own scheduling of concurrent transactions is not ours to seed); the simulation's PostgreSQL run
 * is `npm run sim` with DATABASE_URL set, a gate of its own in `npm test`.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTATIONS } from './mutations.ts';
import { runSeed } from './run.ts';
import { SimServer } from './server.ts';

/** Seeds each planted bug gets to show itself (CI runs 200 clean seeds; a bug must show in far fewer). */
const MUTATION_SEEDS_MAX = 8;

let server: SimServer;
beforeAll(async () => {
  server = await SimServer.open({ databaseUrl: undefined });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('the fault simulation', () => {
  it('keeps every invariant over a few seeds with every fault on', async () => {
    for (let seed = 1; seed <= 3; seed++) {
      const result = await runSeed({ seed, server });
      expect(result.violations, result.trace.slice(-30).join('\n')).toEqual([]);
      expect(result.stats.requests).toBeGreaterThan(0);
    }
  }, 120_000);

  it('replays a seed exactly: the same trace twice', async () => {
    // Seed 6 also has the faults that strike as a card writes a load (a link drop, a pulled card that comes back).
    for (const seed of [7, 6]) {
      const first = await runSeed({ seed, server });
      const second = await runSeed({ seed, server });
      expect(second.trace).toEqual(first.trace);
      expect(second.stats).toEqual(first.stats);
    }
  }, 120_000);

  for (const mutation of MUTATIONS) {
    it(`catches a planted bug (${mutation}) within ${MUTATION_SEEDS_MAX} seeds`, async () => {
      let caughtAt: number | null = null;
      for (let seed = 1; seed <= MUTATION_SEEDS_MAX && caughtAt === null; seed++) {
        const result = await runSeed({ seed, server, mutation });
        if (result.violations.length > 0) caughtAt = seed;
      }
      expect(caughtAt).not.toBeNull();
    }, 300_000);
  }
});
