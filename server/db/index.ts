/**
 * Opens the configured database: PostgreSQL when a URL is given, PGlite otherwise.
 */
import type { Database } from './types.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type { Database, Sql, QueryResult, Row, DatabaseKind, TransactionOptions, Isolation } from './types.ts';
export { PLAN_EACH_TIME } from './types.ts';

export type DatabaseTarget = { databaseUrl?: string | undefined; dataDir?: string | undefined };

export function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.databaseUrl) return openPostgres(target.databaseUrl);
  return openPglite(target.dataDir);
}
