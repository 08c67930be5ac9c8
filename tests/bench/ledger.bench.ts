/**
 * Complete loads per second and their p99 latency: 32 simulated kiosks, each with its own
 * simulated card, doing INITIALIZE FOR LOAD → /loads/initialise → CREDIT FOR LOAD →
 * /loads/complete over real HTTP on loopback, with the full cryptography and ledger. The kiosks
 * run in processes of their own (load-kiosks.ts), as real kiosks are other machines. On PGlite
 * always; on PostgreSQL when DATABASE_URL is set (in a fresh schema, dropped afterwards).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { demoCardNo } from '../../server/demo/money.ts';
import { openTestDatabase, type TestDatabase } from '../../server/testing/db.ts';
import { simCard } from '../../server/testing/sim.ts';
import type { GroupReport, GroupStart } from './load-kiosks.ts';
import { storeDeviceSecret } from '../../server/auth/device-keys.ts';
import { ensureAccount } from '../../server/ledger/accounts.ts';
import { createTransfers } from '../../server/ledger/transfers.ts';
import { RETRY_STATS } from '../../server/db/retry.ts';
import type { BenchResult } from './types.ts';

const KIOSK_COUNT = Number(process.env.BENCH_KIOSK_COUNT ?? 32);
/** Processes the kiosks run in (load-kiosks.ts), beside the server's. */
const KIOSK_PROCESS_COUNT = Number(process.env.BENCH_KIOSK_PROCESS_COUNT ?? 2);
const LOADS_PER_KIOSK = Number(process.env.BENCH_LOADS_PER_KIOSK ?? 40);
/** Comma-separated engines to run (profiling one at a time); default PGlite, plus PostgreSQL when DATABASE_URL is set. */
const ENGINES = process.env.BENCH_LEDGER_ENGINES?.split(',');
const SECRET = 'bench-kiosk-secret-not-for-production';

/**
 * Runs the kiosk groups, one process each: all warm up, then start together; the clock and the
 * server's CPU run from the start signal until the last group reports.
 */
async function runKioskGroups(
  starts: GroupStart[],
): Promise<{ latenciesMs: number[]; elapsedS: number; serverCpuMs: number; kioskCpuMs: number }> {
  const script = fileURLToPath(new URL('./load-kiosks.ts', import.meta.url));
  const children = starts.map(() => fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    const reports = children.map(
      (child) =>
        new Promise<GroupReport>((resolve, reject) => {
          child.on('message', (m: GroupReport | { ready: true }) => {
            if (!('ready' in m)) resolve(m);
          });
          child.once('exit', (code) => reject(new Error(`a kiosk process exited with ${code} before reporting`)));
        }),
    );
    const ready = children.map(
      (child) => new Promise<void>((resolve) => child.on('message', (m: { ready?: boolean }) => m.ready && resolve())),
    );
    children.forEach((child, i) => child.send({ start: starts[i] }));
    await Promise.race([Promise.all(ready), Promise.all(reports)]);
    const cpuBefore = process.cpuUsage();
    const begin = performance.now();
    children.forEach((child) => child.send({ go: true }));
    const done = await Promise.all(reports);
    const elapsedS = (performance.now() - begin) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const failed = done.find((r): r is { error: string } => 'error' in r);
    if (failed) throw new Error(`a kiosk process failed: ${failed.error}`);
    const ok = done as Exclude<GroupReport, { error: string }>[];
    return {
      latenciesMs: ok.flatMap((r) => r.latenciesMs),
      elapsedS,
      serverCpuMs: (cpu.user + cpu.system) / 1000,
      kioskCpuMs: ok.reduce((n, r) => n + r.cpuMs, 0),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

async function runOn(engine: 'pglite' | 'postgresql'): Promise<BenchResult[]> {
  process.env.FUELCARD_TEST_DB = engine;
  const db: TestDatabase = await openTestDatabase();
  let app: FastifyInstance | undefined;
  try {
    await seedDemo(db);
    const station = (await db.query<{ org_unit_id: bigint }>("SELECT org_unit_id FROM device WHERE id = 'demo-kiosk-1'")).rows[0]!
      .org_unit_id;
    const outlet = (
      await db.query<{ org_unit_id: bigint }>(
        'SELECT cu.org_unit_id FROM card c JOIN customer cu ON cu.id = c.customer_id WHERE c.card_no = $1',
        [demoCardNo(1)],
      )
    ).rows[0]!.org_unit_id;
    const bank = (await db.query<{ id: bigint }>("SELECT id FROM account WHERE code = 'BANK'")).rows[0]!.id;
    // One device, one customer and one card per kiosk, as at 32 stations.
    const kiosks = Array.from({ length: KIOSK_COUNT }, (_, i) => ({
      ...simCard(1000 + i),
      serial: 1000 + i,
      deviceId: `bench-kiosk-${i}`,
      terminalId: `3201000010${String(i).padStart(2, '0')}`,
    }));
    for (const k of kiosks) {
      await db.query("INSERT INTO device (id, kind, org_unit_id, name, terminal_id) VALUES ($1, 'kiosk', $2, $1, $3)", [
        k.deviceId,
        station,
        k.terminalId,
      ]);
      await storeDeviceSecret(db, DEMO_KEK_HEX, k.deviceId, SECRET);
      const customer = (
        await db.query<{ id: bigint }>("INSERT INTO customer (kind, name, org_unit_id) VALUES ('personal', $1, $2) RETURNING id", [
          k.deviceId,
          outlet,
        ])
      ).rows[0]!.id;
      await db.query(
        "INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version) VALUES ($1, $2, 'user', 'single', true, 'active', 1)",
        [k.cardNo, customer],
      );
      await db.transaction(async (tx) => {
        const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: customer });
        await createTransfers(tx, [{ debitAccountId: bank, creditAccountId: quota, amountFen: 10_000_000n, code: 'OPENING' }]);
      });
    }
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX }, logger: false });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    RETRY_STATS.retried.clear();
    RETRY_STATS.exhausted = 0;
    const groups = Array.from({ length: KIOSK_PROCESS_COUNT }, (_, g) => kiosks.filter((_, i) => i % KIOSK_PROCESS_COUNT === g));
    const run = await runKioskGroups(
      groups.map((group) => ({
        address,
        kiosks: group.map(({ serial, deviceId, terminalId }) => ({ serial, deviceId, terminalId })),
        loadsPerKiosk: LOADS_PER_KIOSK,
        secret: SECRET,
      })),
    );
    const latenciesMs = run.latenciesMs.sort((a, b) => a - b);
    const p99 = latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * 0.99))]!;
    const retried = [...RETRY_STATS.retried.values()].reduce((a, b) => a + b, 0);
    return [
      { name: `server.loads_per_s.${engine}`, value: latenciesMs.length / run.elapsedS, unit: 'loads/s' },
      { name: `server.load_p99_ms.${engine}`, value: p99, unit: 'ms' },
      { name: `server.load_p50_ms.${engine}`, value: latenciesMs[Math.floor(latenciesMs.length / 2)]!, unit: 'ms' },
      // CPU per load of the server's process (HTTP, key store, ledger; PGlite too when it is the
      // engine) and of the kiosks' processes (their cards and HTTP clients): robust on a shared
      // machine where loads/s swings with the neighbours.
      { name: `server.load_server_cpu_ms.${engine}`, value: run.serverCpuMs / latenciesMs.length, unit: 'ms' },
      { name: `server.load_kiosk_cpu_ms.${engine}`, value: run.kioskCpuMs / latenciesMs.length, unit: 'ms' },
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
