/**
 * Foundation figures: the cost of a health check through the whole HTTP stack and one query on
 * the embedded database, against a no-op route measured in the same process as the baseline.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import type { BenchResult } from './types.ts';
import { measureUs } from './measure.ts';

export async function run(): Promise<BenchResult[]> {
  const db = await openDatabase({});
  await migrate(db);
  const noop = (app: FastifyInstance): void => {
    app.get('/api/bench/noop', async () => ({ status: 'ok' }));
  };
  const app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent' }, logger: false, routes: [noop] });
  try {
    const iterationsPerRound = 300;
    const baseline = await measureUs(() => app.inject({ method: 'GET', url: '/api/bench/noop' }), { iterationsPerRound });
    const healthz = await measureUs(() => app.inject({ method: 'GET', url: '/healthz' }), { iterationsPerRound });
    const select1 = await measureUs(() => db.query('SELECT 1'), { iterationsPerRound });
    return [
      { name: 'server.healthz_inject_us', value: healthz, unit: 'us', baseline, ratio: healthz / baseline },
      { name: 'db.pglite_select1_us', value: select1, unit: 'us' },
    ];
  } finally {
    await app.close();
    await db.close();
  }
}
