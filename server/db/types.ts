/**
 * The one database interface the server uses, over PGlite (embedded, the default) and
 * PostgreSQL (DATABASE_URL). docs/architecture.md decision 8: one set of SQL runs on both.
 *
 * Values: BIGINT (int8) columns come back as `bigint` on both engines, so money read from the
 * ledger is never a float and never a string.
 */

export type Row = Record<string, unknown>;

export type QueryResult<R extends Row = Row> = { rows: R[]; rowCount: number };

/** What a statement can be run on: the database itself or an open transaction. */
/**
 * A statement that starts with this comment is planned for its parameters every time it runs, not
 * prepared once with a generic plan (server/db/postgres.ts names and prepares every other
 * statement). For a statement whose best plan depends on its values: the customer search by part
 * of a name reads a common character's rows in id order and a rare one's through the name index.
 */
export const PLAN_EACH_TIME = '/* plan each time */';

export interface Sql {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements separated by semicolons, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export type Isolation = 'serializable' | 'read committed';

export type TransactionOptions = {
  /** Default serializable (decision 3). Migrations use read committed: see migrate.ts. */
  isolation?: Isolation;
  /** Retries on 40001/40P01 before giving up; default LIMITS.transactionRetryCountMax. */
  retryCountMax?: number;
};

export type DatabaseKind = 'pglite' | 'postgresql';

export interface Database extends Sql {
  readonly kind: DatabaseKind;
  /** Runs fn in one transaction, retried whole on serialization failure and deadlock. */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}
