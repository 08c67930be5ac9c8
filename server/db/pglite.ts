/**
 * Embedded PGlite (PostgreSQL compiled to WebAssembly), the default database: data in a folder,
 * nothing to install. One connection per process; PGlite runs one transaction at a time, so the
 * retry loop never fires here, but the same code runs unchanged on PostgreSQL.
 */
import { makeFolder } from './folder.ts';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, Isolation, QueryResult, Row, Sql, TransactionOptions } from './types.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { guardOwnTransactions } from './guard.ts';
import { withRetry } from './retry.ts';

export { DataDirInUseError } from './data-dir-lock.ts';

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

/** `dataDir` undefined means in memory (tests). */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let unlock = async (): Promise<void> => {};
  if (dataDir !== undefined) {
    await makeFolder(dataDir);
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
  // The guard matters most here: a statement on the Database inside a transaction would wait for
  // the one connection that transaction holds, for ever (guard.ts).
  return guardOwnTransactions({
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
  });
}
