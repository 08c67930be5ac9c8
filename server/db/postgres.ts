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

/** What of pg's Query and Connection the pipelined BEGIN uses (not in pg's type declarations). */
type PgConnection = {
  parse(message: { text: string; name: string; types: unknown[] }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  execute(message: { portal: string; rows: number }): void;
  parsedStatements: Record<string, string>;
};
type PgQuery = pg.Submittable & { prepare(connection: PgConnection): void };
const PgQueryBase = pg.Query as unknown as new (config: object) => PgQuery;

/**
 * A transaction's first statement with its BEGIN in front: Parse/Bind/Execute of BEGIN, then the
 * statement's own messages, then one Sync, corked into one write (the extended protocol's
 * pipelining; PostgreSQL runs the messages in order, and an error skips the rest to the Sync).
 * Why: on these machines a write to a socket costs the server ~130 µs, a third of its CPU per
 * load (issue 5's profile), and every transaction saves one. The answer holds two results,
 * BEGIN's and the statement's.
 */
class BeginThenQuery extends PgQueryBase {
  readonly #begin: string;
  constructor(begin: string, config: object) {
    super({ ...config, queryMode: 'extended' });
    this.#begin = begin;
  }
  override prepare(connection: PgConnection): void {
    connection.parse({ text: this.#begin, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
    super.prepare(connection);
  }
}

async function queryAfterBegin<R extends Row>(client: pg.PoolClient, begin: string, text: string, params: readonly unknown[]): Promise<QueryResult<R>> {
  const name = statementName(text);
  // Only a statement this connection has parsed already (or an unnamed one) rides with BEGIN:
  // pg notes a named statement as parsed at the first ParseComplete of the pipeline, which would
  // be BEGIN's, and a Parse of the statement that then failed would leave that note wrong.
  const connection = (client as unknown as { connection: PgConnection }).connection;
  if (name !== undefined && connection.parsedStatements[name] !== text) {
    await client.query(begin);
    return wrap(client).query<R>(text, params);
  }
  return new Promise((resolve, reject) => {
    const query = new BeginThenQuery(begin, {
      ...(name === undefined ? {} : { name }),
      text,
      values: params as unknown[],
      types: { getTypeParser },
      callback: (error: Error | null, results: pg.QueryResult<R> | pg.QueryResult<R>[]) => {
        if (error) return reject(error);
        const result = Array.isArray(results) ? results.at(-1)! : results;
        resolve({ rows: result.rows, rowCount: result.rowCount ?? result.rows.length });
      },
    });
    client.query(query);
  });
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
      const begin = `BEGIN ISOLATION LEVEL ${isolation}`;
      return withRetry(async () => {
        const client = await pool.connect();
        let begun = false;
        try {
          const inner = wrap(client);
          // BEGIN goes out with the transaction's first statement (queryAfterBegin): one write fewer.
          const tx: Sql = {
            query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
              if (begun) return inner.query<R>(text, params);
              begun = true;
              return queryAfterBegin<R>(client, begin, text, params);
            },
            async exec(text: string): Promise<void> {
              if (!begun) await client.query(begin);
              begun = true;
              await inner.exec(text);
            },
          };
          const result = await fn(tx);
          if (begun) await client.query('COMMIT');
          return result;
        } catch (error) {
          if (begun) await client.query('ROLLBACK').catch(() => {});
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
