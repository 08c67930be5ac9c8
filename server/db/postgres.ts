/**
 * PostgreSQL through node-postgres (`pg`), used when DATABASE_URL is set. Transactions run at
 * SERIALIZABLE by default on a pooled client and are retried whole on 40001/40P01.
 *
 * The server outlives a database restart or outage: a connection that fails, idle in the pool or
 * checked out by a transaction, is dropped (never an unhandled 'error' event, which would end the
 * process), the failure is thrown as DatabaseUnavailableError (answered 503), and the next request
 * opens a fresh connection once PostgreSQL is back.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PLAN_EACH_TIME, type Database, type QueryResult, type Row, type Sql, type TransactionOptions } from './types.ts';
import { guardOwnTransactions } from './guard.ts';
import { withRetry } from './retry.ts';
import { asUnavailable, isConnectionFailure, DatabaseUnavailableError } from './unavailable.ts';
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
  if (text.startsWith(PLAN_EACH_TIME)) return undefined;
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
      try {
        const result = await target.query<R>({
          ...(name === undefined ? {} : { name }),
          text,
          values: params as unknown[],
          types: { getTypeParser },
        });
        return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw asUnavailable(error);
      }
    },
    async exec(text: string): Promise<void> {
      try {
        await target.query(text);
      } catch (error) {
        throw asUnavailable(error);
      }
    },
  };
}

// int8 → bigint; everything else as pg parses it by default.
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (value: string) => BigInt(value);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** Where a transaction was when its connection failed; it decides whether it may run again. */
type Phase = 'begin' | 'body' | 'commit';

export async function openPostgres(connectionString: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: LIMITS.postgresPoolSizeMax, connectionTimeoutMillis: LIMITS.postgresConnectTimeoutMs });
  // An idle client losing its connection (PostgreSQL restarted, the backend terminated) must not
  // crash the process; the pool drops it and the next query opens a fresh one.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const root = wrap(pool);

  /** One attempt of a transaction on a connection of its own. */
  const attempt = async <T>(fn: (tx: Sql) => Promise<T>, isolation: string): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw asUnavailable(error);
    }
    // A checked-out client whose connection fails emits 'error' once, whatever it is doing; with
    // no listener that is an uncaught exception. The failure itself reaches us through the
    // statement in flight (or the next one), so the listener only keeps the process alive.
    let lost: Error | undefined;
    const onError = (error: Error): void => void (lost ??= error);
    client.on('error', onError);
    let phase: Phase = 'begin';
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      phase = 'body';
      const result = await fn(wrap(client));
      // Lost while fn did other work: COMMIT was never sent, so nothing was committed.
      if (lost !== undefined) throw lost;
      phase = 'commit';
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (lost === undefined && !isConnectionFailure(error)) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      broken = lost ?? (error as Error);
      // A business refusal thrown by fn stands: nothing was committed, the connection aside.
      if (phase === 'body' && !isConnectionFailure(error)) throw error;
      throw new ConnectionLost(phase, error);
    } finally {
      client.off('error', onError);
      // Released with the failure, the pool closes the connection instead of handing it out again.
      client.release(broken);
    }
  };

  // The same rule as on PGlite, where breaking it hangs the process (guard.ts).
  return guardOwnTransactions({
    kind: 'postgresql',
    query: root.query,
    exec: root.exec,
    transaction<T>(fn: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const isolation = (options.isolation ?? 'serializable').toUpperCase();
      return withRetry(async () => {
        for (let reconnect = 0; ; reconnect++) {
          try {
            return await attempt(fn, isolation);
          } catch (error) {
            if (!(error instanceof ConnectionLost)) throw error;
            // A pooled connection found dead at BEGIN (PostgreSQL restarted while it sat idle,
            // and the pool had not heard yet): nothing ran on it, so once more on a fresh one.
            // Cut in the body, the transaction is rolled back by the server; running it again
            // into a database that is going away would only hold the request, so it is 503.
            // Cut at COMMIT, the outcome is unknown: never run again here.
            if (error.phase === 'begin' && reconnect < LIMITS.transactionReconnectCountMax) continue;
            throw new DatabaseUnavailableError(error.cause, { outcomeUnknown: error.phase === 'commit' });
          }
        }
      }, options.retryCountMax);
    },
    async close(): Promise<void> {
      await pool.end();
    },
  });
}

/** Internal: a transaction attempt whose connection failed, and where. */
class ConnectionLost extends Error {
  readonly phase: Phase;
  constructor(phase: Phase, cause: unknown) {
    super(`connection lost at ${phase}`, { cause: cause instanceof DatabaseUnavailableError ? cause.cause : cause });
    this.phase = phase;
  }
}
