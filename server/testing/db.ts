/**
 * Test databases: FUELCARD_TEST_DB picks the engine (the vitest projects set it), so the same
 * server test runs on PGlite and on PostgreSQL. Each call gets an isolated, empty database:
 * an in-memory PGlite, or a fresh schema on the PostgreSQL at DATABASE_URL (dropped on close).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';

export type TestDatabase = Database & { connectionString?: string };

export function testEngine(): 'pglite' | 'postgresql' {
  return process.env.FUELCARD_TEST_DB === 'postgresql' ? 'postgresql' : 'pglite';
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** An empty database (no migrations applied). */
export async function openEmptyTestDatabase(): Promise<TestDatabase> {
  if (testEngine() === 'pglite') return openDatabase({});
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('FUELCARD_TEST_DB=postgresql needs DATABASE_URL');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const connectionString = withSearchPath(url, schema);
  const db = await openDatabase({ databaseUrl: connectionString });
  return {
    ...db,
    connectionString,
    async close(): Promise<void> {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

/** An empty database with every migration applied. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const db = await openEmptyTestDatabase();
  await migrate(db);
  return db;
}
