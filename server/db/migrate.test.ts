import { describe, expect, it } from 'vitest';
import { openDatabase } from './index.ts';
import { loadMigrations, migrate, MigrationError, type Migration } from './migrate.ts';
import { openEmptyTestDatabase, testEngine } from '../testing/db.ts';

const fake = (version: number, sql: string): Migration => ({ version, name: `m${version}`, sql, checksum: `sum-${version}-${sql.length}` });

describe(`migrations on ${testEngine()}`, () => {
  it('applies every migration file in order and records each one', async () => {
    const db = await openEmptyTestDatabase();
    try {
      const files = await loadMigrations();
      const result = await migrate(db);
      expect(result.applied).toEqual(files.map((m) => m.version));
      const recorded = await db.query<{ version: number }>('SELECT version FROM schema_migration ORDER BY version');
      expect(recorded.rows.map((r) => r.version)).toEqual(result.applied);
    } finally {
      await db.close();
    }
  });

  it('is safe to run twice: the second run applies nothing', async () => {
    const db = await openEmptyTestDatabase();
    try {
      await migrate(db);
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(second.skipped.length).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });

  it('rolls back a failing migration whole and applies nothing of it', async () => {
    const db = await openEmptyTestDatabase();
    try {
      const bad = [fake(1, 'CREATE TABLE t1 (id int)'), fake(2, 'CREATE TABLE t2 (id int); SELECT * FROM no_such_table')];
      await expect(migrate(db, bad)).rejects.toBeInstanceOf(MigrationError);
      const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 't2' AND table_schema = current_schema()");
      expect(tables.rows).toHaveLength(0);
      const recorded = await db.query<{ version: number }>('SELECT version FROM schema_migration');
      expect(recorded.rows.map((r) => r.version)).toEqual([1]);
    } finally {
      await db.close();
    }
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const db = await openEmptyTestDatabase();
    try {
      await migrate(db, [fake(1, 'CREATE TABLE t1 (id int)')]);
      await expect(migrate(db, [{ ...fake(1, 'CREATE TABLE t1 (id int)'), checksum: 'changed' }])).rejects.toThrow(
        /changed after it was applied/,
      );
    } finally {
      await db.close();
    }
  });

  it('accepts an installation that applied an earlier text of 0001 or 0002 differing only in comments, and nothing else', async () => {
    const db = await openEmptyTestDatabase();
    try {
      await migrate(db);
      // What an installation made before the comments of 0001 and 0002 cited docs/ recorded.
      await db.query(
        `UPDATE schema_migration SET checksum = '6b8e20f8aa1a15429668a2fc844700fbd8287974386931e7bfa67302290990dd' WHERE version = 1`,
      );
      await db.query(
        `UPDATE schema_migration SET checksum = '05225beacd813f0693b17455b41f4059efcee1af583a977e90159623ea8aaf97' WHERE version = 2`,
      );
      expect((await migrate(db)).applied).toEqual([]);
      await db.query(
        `UPDATE schema_migration SET checksum = '05225beacd813f0693b17455b41f4059efcee1af583a977e90159623ea8aaf97' WHERE version = 3`,
      );
      await expect(migrate(db)).rejects.toThrow(/changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it.runIf(testEngine() === 'postgresql')('applies each migration once when two processes migrate at the same time', async () => {
    const db = await openEmptyTestDatabase();
    const second = await openDatabase({ databaseUrl: db.connectionString });
    try {
      const slow = [fake(1, 'CREATE TABLE t1 (id int); SELECT pg_sleep(0.2)'), fake(2, 'CREATE TABLE t2 (id int)')];
      const [a, b] = await Promise.all([migrate(db, slow), migrate(second, slow)]);
      expect([...a.applied, ...b.applied].sort()).toEqual([1, 2]);
      const recorded = await db.query<{ version: number }>('SELECT version FROM schema_migration ORDER BY version');
      expect(recorded.rows.map((r) => r.version)).toEqual([1, 2]);
    } finally {
      await second.close();
      await db.close();
    }
  });
});

describe('migration files', () => {
  it('are numbered without gaps or duplicates from 1', async () => {
    const files = await loadMigrations();
    expect(files.map((m) => m.version)).toEqual(files.map((_, i) => i + 1));
  });
});
