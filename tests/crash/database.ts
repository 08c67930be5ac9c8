/**
 * The crash test's database: a fresh PostgreSQL database of its own (CREATE DATABASE on the server
 * of DATABASE_URL), so the server process it starts sees nothing but the run's rows and needs no
 * schema in its connection string. Migrated and seeded here, in the test's process, before the
 * server starts; dropped at the end (WITH (FORCE): a killed server's connections may linger).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DEMO_KEK_HEX } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';

/** Databases created and not dropped yet, so an interrupted run (Ctrl-C) can still drop them. */
const LIVE = new Map<string, () => Promise<void>>();

/** Drops every database this process created and has not dropped; for a signal handler. */
export async function dropAllLive(): Promise<void> {
  await Promise.all([...LIVE.values()].map((drop) => drop().catch(() => {})));
}

export type CrashDatabase = {
  name: string;
  /** DATABASE_URL with the fresh database in its path: what the server process is given. */
  url: string;
  /** The test's own connection, for the checks. */
  db: Database;
  drop(): Promise<void>;
};

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Creates, migrates and seeds (demo issuer keys and organisation) a database of its own. */
export async function createCrashDatabase(baseUrl: string): Promise<CrashDatabase> {
  const name = `fuelcard_crash_${randomBytes(5).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE DATABASE ${name}`);
  const parsed = new URL(baseUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  let db: Database | undefined;
  const drop = async (): Promise<void> => {
    await db?.close().catch(() => {});
    await adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    LIVE.delete(name);
  };
  LIVE.set(name, drop);
  try {
    db = await openDatabase({ databaseUrl: url });
    await migrate(db);
    await seedDemo(db, { kekHex: DEMO_KEK_HEX });
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, db, drop };
}
