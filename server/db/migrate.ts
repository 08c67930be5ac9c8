/**
 * Migration runner over plain numbered SQL files (`0001_name.sql`, ...), applied in order,
 * each in its own transaction together with its row in `schema_migration`.
 *
 * Safe to run twice (applied versions are skipped; a changed file is refused by checksum) and
 * from two processes at once: each migration takes a transaction-scoped advisory lock, then
 * re-reads `schema_migration` before applying. That re-read must see the other process's commit,
 * so these transactions run at READ COMMITTED (a SERIALIZABLE snapshot taken before the lock
 * was granted would miss it and apply the file twice).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Sql } from './types.ts';
import { LIMITS } from '../limits.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** 'fuelcard' in ASCII: the advisory lock every migrating process queues on. */
const MIGRATION_LOCK_KEY = 0x6675656c63617264n;
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export type Migration = { version: number; name: string; sql: string; checksum: string };

/**
 * Checksums of earlier texts of a migration file whose only change since is in its comments (an
 * installation that applied the earlier text is not refused). Only comment edits belong here:
 * the SQL an installation ran must be the SQL of the file. 0001 and 0002 once cited design notes
 * outside the repository; their comments now cite docs/.
 */
const COMMENT_ONLY_EDITS: Readonly<Record<number, readonly string[]>> = {
  1: ['6b8e20f8aa1a15429668a2fc844700fbd8287974386931e7bfa67302290990dd'],
  2: ['05225beacd813f0693b17455b41f4059efcee1af583a977e90159623ea8aaf97'],
};

/** Whether the checksum an installation recorded is this file's, or an earlier text of it differing only in comments. */
export function checksumAccepted(migration: Migration, recorded: string): boolean {
  return recorded === migration.checksum || (COMMENT_ONLY_EDITS[migration.version] ?? []).includes(recorded);
}

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  if (names.length > LIMITS.migrationCountMax) throw new MigrationError(`too many migration files in ${dir}`);
  const migrations: Migration[] = [];
  for (const fileName of names) {
    const match = FILE_NAME.exec(fileName);
    if (!match) throw new MigrationError(`migration file name must look like 0001_name.sql: ${fileName}`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) throw new MigrationError(`two migrations numbered ${version}`);
    const sql = await readFile(join(dir, fileName), 'utf8');
    migrations.push({ version, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

async function ensureTable(tx: Sql): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS schema_migration (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

/** Applies one migration under the lock; returns false when another run already applied it. */
async function applyOne(db: Database, migration: Migration): Promise<boolean> {
  return db.transaction(
    async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      await ensureTable(tx);
      const found = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migration WHERE version = $1', [migration.version]);
      const applied = found.rows[0];
      if (applied) {
        if (!checksumAccepted(migration, applied.checksum)) {
          throw new MigrationError(`migration ${migration.version}_${migration.name} changed after it was applied`);
        }
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    },
    { isolation: 'read committed' },
  );
}

export type MigrateResult = { applied: number[]; skipped: number[] };

export async function migrate(db: Database, migrations?: Migration[]): Promise<MigrateResult> {
  const all = migrations ?? (await loadMigrations());
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of all) {
    if (await applyOne(db, migration)) result.applied.push(migration.version);
    else result.skipped.push(migration.version);
  }
  return result;
}
