/**
 * PostgreSQL through node-postgres (`pg`), used when DATABASE_URL is set. Transactions run at
 * SERIALIZABLE by default on a pooled client and are retried whole on 40001/40P01.
 */
import pg from 'pg';
import type { Database, QueryResult, Row, Sql, TransactionOptions } from './types.ts';
import { withRetry } from './retry.ts';
import { LIMITS } from '../limits.ts';

const INT8_OID = 20;

function wrap(target: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>({ text, values: params as unknown[], types: { getTypeParser } });
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await target.query(text);
    },
  };
}

// int8 → bigint; everything else as pg parses it by default.
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (value: string) => BigInt(value);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export async function openPostgres(connectionString: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: LIMITS.postgresPoolSizeMax });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const root = wrap(pool);
  return {
    kind: 'postgresql',
    query: root.query,
    exec: root.exec,
    transaction<T>(fn: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const isolation = (options.isolation ?? 'serializable').toUpperCase();
      return withRetry(async () => {
        const client = await pool.connect();
        try {
          await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      }, options.retryCountMax);
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
