/**
 * Every limit the server enforces, in one place (STYLE.md: a named limit on everything).
 * Units come last in the names.
 */
export const LIMITS = {
  /** Whole-transaction retries on 40001 (serialization failure) and 40P01 (deadlock). */
  transactionRetryCountMax: 8,
  /** First retry back-off; doubles each attempt, with jitter. */
  transactionRetryBackoffMs: 5,
  /** Largest request body accepted, in bytes (a sync push of a full batch fits well inside). */
  requestBodyBytesMax: 1_048_576,
  /** Longest a graceful shutdown waits for in-flight requests before exiting. */
  shutdownGraceMs: 10_000,
  /** PostgreSQL pool size per server process. */
  postgresPoolSizeMax: 10,
  /** Migration files the runner accepts: more means a mistake (e.g. the wrong folder). */
  migrationCountMax: 1_000,
} as const;
