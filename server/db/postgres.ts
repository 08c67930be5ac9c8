/**
 * PostgreSQL through node-postgres (`pg`), used when DATABASE_URL is set. Transactions run at
 * SERIALIZABLE by default on a pooled client and are retried whole on 40001/40P01.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, QueryResult, Row, Sql, TransactionOptions } from './types.ts';
import { withRetry } from './retry.ts';
import { LIMITS } from '../limits.ts';

const INT8_OID = 20;

/**
 * Statements are prepared once per connection under a name derived from their text: the server
 * parses and plans each statement text once per connection instead of on every call (the load
 * path runs the same ~20 statements over and over). The names are bounded: past
 * LIMITS.preparedStatementCountMax distinct texts (dynamic SQL in tools and tests), the rest run
 * unnamed as before. Hazard: this needs session-level connections; a pooler in transaction mode
 * (PgBouncer < 1.21) would have to be told to track prepared statements.
 */
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known !== undefined || statementNames.size >= LIMITS.preparedStatementCountMax) return known;
  const name = `fc_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  statementNames.set(text, name);
  return name;
}

function wrap(target: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const name = statementName(text);
      const result = await target.query<R>({ ...(name === undefined ? {} : { name }), text, values: params as unknown[], types: { getTypeParser } });
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
