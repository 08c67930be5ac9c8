/**
 * Complete loads per second and their p99 latency: 32 simulated kiosks, each with its own
 * simulated card, doing INITIALIZE FOR LOAD → /loads/initialise → CREDIT FOR LOAD →
 * /loads/complete over real HTTP on loopback, with the full cryptography and ledger. On PGlite
 * always; on PostgreSQL when DATABASE_URL is set (in a fresh schema, dropped afterwards).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { demoCardNo } from '../../server/demo/money.ts';
import { openTestDatabase, type TestDatabase } from '../../server/testing/db.ts';
import { creditForLoad, initializeForLoad, openCard, simCard } from '../../server/testing/sim.ts';
import { sha256Hex } from '../../server/auth/secrets.ts';
import { ensureAccount } from '../../server/ledger/accounts.ts';
import { createTransfers } from '../../server/ledger/transfers.ts';
import { RETRY_STATS } from '../../server/db/retry.ts';
import type { BenchResult } from './types.ts';

const KIOSK_COUNT = Number(process.env.BENCH_KIOSK_COUNT ?? 32);
const LOADS_PER_KIOSK = Number(process.env.BENCH_LOADS_PER_KIOSK ?? 40);
/** Comma-separated engines to run (profiling one at a time); default PGlite, plus PostgreSQL when DATABASE_URL is set. */
const ENGINES = process.env.BENCH_LEDGER_ENGINES?.split(',');
const SECRET = 'bench-kiosk-secret-not-for-production';

async function runOn(engine: 'pglite' | 'postgresql'): Promise<BenchResult[]> {
  process.env.FUELCARD_TEST_DB = engine;
  const db: TestDatabase = await openTestDatabase();
  let app: FastifyInstance | undefined;
  try {
    await seedDemo(db);
    const station = (await db.query<{ org_unit_id: bigint }>("SELECT org_unit_id FROM device WHERE id = 'demo-kiosk-1'")).rows[0]!.org_unit_id;
    const outlet = (await db.query<{ org_unit_id: bigint }>('SELECT cu.org_unit_id FROM card c JOIN customer cu ON cu.id = c.customer_id WHERE c.card_no = $1', [demoCardNo(1)])).rows[0]!.org_unit_id;
    const bank = (await db.query<{ id: bigint }>("SELECT id FROM account WHERE code = 'BANK'")).rows[0]!.id;
    // One device, one customer and one card per kiosk, as at 32 stations.
    const kiosks = Array.from({ length: KIOSK_COUNT }, (_, i) => ({ ...simCard(1000 + i), deviceId: `bench-kiosk-${i}`, terminalId: `3201000010${String(i).padStart(2, '0')}` }));
    for (const k of kiosks) {
      await db.query("INSERT INTO device (id, kind, org_unit_id, name, terminal_id, secret_hash) VALUES ($1, 'kiosk', $2, $1, $3, $4)", [k.deviceId, station, k.terminalId, sha256Hex(SECRET)]);
      const customer = (await db.query<{ id: bigint }>("INSERT INTO customer (kind, name, org_unit_id) VALUES ('personal', $1, $2) RETURNING id", [k.deviceId, outlet])).rows[0]!.id;
      await db.query("INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) VALUES ($1, $2, 'user', 'single', true, 'active', 1)", [k.cardNo, customer]);
      await db.transaction(async (tx) => {
        const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: customer });
        await createTransfers(tx, [{ debitAccountId: bank, creditAccountId: quota, amountFen: 10_000_000n, code: 'OPENING' }]);
      });
      openCard(k.card, k.pin);
    }
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX }, logger: false });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const latenciesMs: number[] = [];
    const oneLoad = async (k: (typeof kiosks)[number]): Promise<void> => {
      const start = performance.now();
      const headers = { authorization: `Device ${k.deviceId}:${SECRET}`, 'content-type': 'application/json' };
      const init = await fetch(`${address}/api/v1/loads/initialise`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ operationId: randomUUID(), cardNo: k.cardNo, amountFen: 100, sourceAccount: 'QUOTA', terminalId: k.terminalId, card: initializeForLoad(k.card, 100, k.terminalId) }),
      });
      const started = (await init.json()) as { load: { loadId: string }; date: string; time: string; mac2: string };
      if (init.status !== 200) throw new Error(`initialise answered ${init.status}: ${JSON.stringify(started)}`);
      const tac = creditForLoad(k.card, started);
      const done = await fetch(`${address}/api/v1/loads/complete`, { method: 'POST', headers, body: JSON.stringify({ loadId: started.load.loadId, tac }) });
      if (done.status !== 200) throw new Error(`complete answered ${done.status}`);
      await done.arrayBuffer();
      latenciesMs.push(performance.now() - start);
    };
    for (const k of kiosks) await oneLoad(k); // warm-up
    latenciesMs.length = 0;
    RETRY_STATS.retried.clear();
    RETRY_STATS.exhausted = 0;
    const cpuBefore = process.cpuUsage();
    const begin = performance.now();
    await Promise.all(kiosks.map(async (k) => {
      for (let i = 0; i < LOADS_PER_KIOSK; i++) await oneLoad(k);
    }));
    const elapsedS = (performance.now() - begin) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    latenciesMs.sort((a, b) => a - b);
    const p99 = latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * 0.99))]!;
    const retried = [...RETRY_STATS.retried.values()].reduce((a, b) => a + b, 0);
    return [
      { name: `server.loads_per_s.${engine}`, value: latenciesMs.length / elapsedS, unit: 'loads/s' },
      { name: `server.load_p99_ms.${engine}`, value: p99, unit: 'ms' },
      { name: `server.load_p50_ms.${engine}`, value: latenciesMs[Math.floor(latenciesMs.length / 2)]!, unit: 'ms' },
      // CPU of this one Node process (HTTP server and client, key store, the 32 simulated cards) per load:
      // robust on a shared machine where loads/s swings with the neighbours.
      { name: `server.load_node_cpu_ms.${engine}`, value: (cpu.user + cpu.system) / 1000 / latenciesMs.length, unit: 'ms' },
      // Whole-transaction retries on 40001/40P01 per complete load (two transactions each).
      { name: `server.load_retries_per_load.${engine}`, value: retried / latenciesMs.length, unit: 'retries' },
    ];
  } finally {
    await app?.close();
    await db.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const engines = ENGINES ?? ['pglite', ...(process.env.DATABASE_URL ? ['postgresql'] : [])];
  const results = engines.includes('pglite') ? await runOn('pglite') : [];
  if (engines.includes('postgresql')) {
    try {
      results.push(...(await runOn('postgresql')));
    } catch (error) {
      // Reported, not swallowed: the PostgreSQL figures are missing from the table when this prints.
      console.error('bench: ledger on postgresql failed:', (error as Error).message);
      process.exitCode = 1;
    }
  }
  return results;
}
