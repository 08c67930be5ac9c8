/**
 * Embedded PGlite (PostgreSQL compiled to WebAssembly), the default database: data in a folder,
 * nothing to install. One connection per process; PGlite runs one transaction at a time, so the
 * retry loop never fires here, but the same code runs unchanged on PostgreSQL.
 */
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, Isolation, QueryResult, Row, Sql, TransactionOptions } from './types.ts';
import { withRetry } from './retry.ts';

type PgliteQueryable = Pick<PGlite, 'query' | 'exec'>;

const SESSION_ISOLATION: Isolation = 'read committed';

function wrap(target: PgliteQueryable): Sql {
  return {
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(text, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await target.exec(text);
    },
  };
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the data folder ${dataDir} is in use by process ${pid} (a server or an admin command): stop it first. ` +
        `Only if no such process runs, delete ${join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

const LOCK_FILE = 'fuelcard.lock';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the data folder for this process. PGlite itself does not lock its folder: a second
 * process opens it silently, and two writers corrupt it. The lock file holds the owner's pid; a
 * lock left by a process that no longer runs (killed with SIGKILL) is taken over. The same
 * process may open the folder again (a restart within one process, as tests do).
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
        if (owner === process.pid) await unlink(path).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isSafeInteger(owner) && owner !== process.pid && isRunning(owner)) throw new DataDirInUseError(dataDir, owner);
    await unlink(path).catch(() => {});
  }
  throw new Error(`assertion: could not take the lock ${path}`);
}

/** `dataDir` undefined means in memory (tests). */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let unlock = async (): Promise<void> => {};
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  const pglite = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    parsers: { [types.INT8]: (value: string) => BigInt(value) },
  }).catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  // The session default is pinned, so a transaction that asks for it needs no SET TRANSACTION of
  // its own (one round trip less on every money path, which runs at read committed).
  await pglite.exec(`SET default_transaction_isolation TO '${SESSION_ISOLATION}'`);
  const root = wrap(pglite);
  return {
    kind: 'pglite',
    query: root.query,
    exec: root.exec,
    transaction<T>(fn: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      return withRetry(
        () =>
          pglite.transaction(async (tx) => {
            const isolation = options.isolation ?? 'serializable';
            if (isolation !== SESSION_ISOLATION) await tx.query(`SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`);
            return fn(wrap(tx));
          }),
        options.retryCountMax,
      );
    },
    async close(): Promise<void> {
      if (!pglite.closed) await pglite.close();
      await unlock();
    },
  };
}
