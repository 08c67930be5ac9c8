/**
 * The server through a PostgreSQL restart and an outage (issue 11): on an instance of the test's
 * own (server/testing/private-postgres.ts), restarted and stopped under the app. Requests meanwhile
 * are answered 503 DATABASE_UNAVAILABLE with Retry-After, never 500; a transaction cut mid-way or at
 * COMMIT is not run again; and once PostgreSQL is back the same app serves again by itself. A
 * checked-out connection's unhandled 'error' event would be an uncaught exception here, which
 * fails the run.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { demoCardNo } from '../demo/money.ts';
import { DEMO_OPERATOR_PASSWORD, seedDemo } from '../demo/seed.ts';
import { LIMITS } from '../limits.ts';
import { checkLedger } from '../ledger/check.ts';
import { deviceHeader, withDeviceSigning } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { postgresBinDir, PrivatePostgres } from '../testing/private-postgres.ts';
import { openDatabase, type Database } from './index.ts';
import { migrate } from './migrate.ts';
import { DatabaseUnavailableError } from './unavailable.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';
import { openTestShift } from '../testing/shifts.ts';

const kiosk = deviceHeader('demo-kiosk-1');
const tablet = deviceHeader('demo-tablet-1');

/** Transactions held open on the server (pg_sleep) while PostgreSQL goes away under them. */
const SLOW_TRANSACTION_COUNT = 3;

function expectUnavailable(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers['retry-after']).toBe(String(LIMITS.retryAfterS));
  expect(response.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });
}

describe.runIf(testEngine() === 'postgresql' && postgresBinDir() !== null)('the server through a PostgreSQL restart and outage', () => {
  let instance: PrivatePostgres;
  let db: Database;
  let app: FastifyInstance;
  let operator: Record<string, string>;

  beforeAll(async () => {
    instance = await PrivatePostgres.create();
    await instance.createDatabase('fuelcard');
    db = await openDatabase({ databaseUrl: instance.url('fuelcard') });
    await migrate(db);
    await seedDemo(db);
    await openTestShift(db);
    await db.exec('CREATE TABLE outage_probe (n int)');
    const slowTransaction = (server: FastifyInstance): void => {
      server.post('/test/slow-transaction', async () => {
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO outage_probe VALUES (1)');
          await tx.query('SELECT pg_sleep(30)');
        });
        return { done: true };
      });
    };
    app = withDeviceSigning(
      await buildApp({
        db,
        config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX },
        logger: false,
        routes: [slowTransaction],
      }),
    );
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'demo.operator', password: DEMO_OPERATOR_PASSWORD },
      headers: tablet,
    });
    expect(login.statusCode).toBe(200);
    operator = { authorization: `Bearer ${login.json().token}` };
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => {});
    await instance?.destroy();
  });

  const inquiry = (): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: kiosk });

  /** Backends of the test database sleeping in pg_sleep, seen from a connection of its own. */
  async function sleepingBackends(): Promise<number> {
    const client = new pg.Client({ connectionString: instance.url() });
    await client.connect();
    try {
      const r = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'fuelcard' AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
      );
      return Number(r.rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  it('answers 503 with Retry-After, never 500, while PostgreSQL restarts under open transactions and a burst, and serves again without a restart of the server', async () => {
    expect((await inquiry()).statusCode).toBe(200);
    const slow = Array.from({ length: SLOW_TRANSACTION_COUNT }, () => app.inject({ method: 'POST', url: '/test/slow-transaction' }));
    while ((await sleepingBackends()) < SLOW_TRANSACTION_COUNT) await new Promise((resolve) => setTimeout(resolve, 20));

    let restarting = true;
    const restarted = instance.restart().finally(() => (restarting = false));
    const burst: LightMyRequestResponse[] = [];
    while (restarting) {
      burst.push(...(await Promise.all([inquiry(), app.inject({ method: 'GET', url: '/healthz' })])));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await restarted;

    // Cut in the middle by the restart: answered 503, rolled back, not run again.
    for (const response of await Promise.all(slow)) expectUnavailable(response);
    expect((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM outage_probe')).rows[0]!.n).toBe(0n);
    for (const response of burst) {
      expect([200, 503]).toContain(response.statusCode);
      if (response.statusCode === 503) expectUnavailable(response);
    }
    expect((await inquiry()).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', database: 'postgresql' });
  });

  it('answers 503 with Retry-After while PostgreSQL is stopped, /healthz included, and applies a money operation once by its id when it is back', async () => {
    const customerId = String((await db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'")).rows[0]!.id);
    const quota = async (): Promise<bigint> => {
      const r = await db.query<{ balance: bigint }>(
        "SELECT credits_posted - debits_posted AS balance FROM account WHERE code = 'QUOTA' AND owner_key = $1",
        [`customer:${customerId}`],
      );
      return r.rows[0]!.balance;
    };
    const before = await quota();
    const seq =
      Number(
        (await db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-tablet-1'")).rows[0]?.last_seq ??
          0n,
      ) + 1;
    const receipt = { id: randomUUID(), deviceId: 'demo-tablet-1', seq, type: 'receipt.cash', payload: { customerId, amountFen: 1_000 } };
    const push = (): Promise<LightMyRequestResponse> =>
      app.inject({
        method: 'POST',
        url: '/api/v1/sync/push',
        payload: { contractVersion: CONTRACT_VERSION, operations: [receipt] },
        headers: operator,
      });

    await instance.stop('immediate');
    try {
      expectUnavailable(await inquiry());
      expectUnavailable(await push());
      expectUnavailable(await app.inject({ method: 'GET', url: '/healthz' }));
    } finally {
      await instance.start();
    }

    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const first = await push();
    expect(first.statusCode).toBe(200);
    expect(first.json().results[0]).toMatchObject({ status: 'applied', replayed: false });
    const again = await push();
    expect(again.json().results[0]).toMatchObject({ status: 'applied', replayed: true });
    expect(await quota()).toBe(before + 1_000n);
    expect(await checkLedger(db)).toEqual([]);
  });

  it('answers a transaction whose connection is cut in its body as unavailable, without running it again', async () => {
    let attempts = 0;
    const cut = db.transaction(async (tx) => {
      attempts++;
      await tx.query('INSERT INTO outage_probe VALUES (2)');
      await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    await expect(cut).rejects.toSatisfy((error) => error instanceof DatabaseUnavailableError && !error.outcomeUnknown);
    expect(attempts).toBe(1);
    expect((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM outage_probe')).rows[0]!.n).toBe(0n);
  });

  it('never runs a transaction again once its COMMIT met a dead connection: unavailable, outcome unknown', async () => {
    // A deferred trigger runs inside COMMIT: this one ends its own session there.
    await db.exec(`
      CREATE TABLE commit_cut (n int);
      CREATE FUNCTION commit_cut_die() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER commit_cut_at_commit AFTER INSERT ON commit_cut DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION commit_cut_die();
    `);
    let attempts = 0;
    const cut = db.transaction(async (tx) => {
      attempts++;
      await tx.query('INSERT INTO commit_cut VALUES (1)');
    });
    await expect(cut).rejects.toSatisfy((error) => error instanceof DatabaseUnavailableError && error.outcomeUnknown);
    expect(attempts).toBe(1);
    // The pool goes on with a fresh connection.
    expect((await db.query<{ n: bigint }>('SELECT count(*) AS n FROM commit_cut')).rows[0]!.n).toBe(0n);
  });
});
