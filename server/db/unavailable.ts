/**
 * The database out of reach: which failures mean the connection (not the statement) failed, and
 * the one error the database layer throws for them. PostgreSQL restarting, stopped, starting up,
 * or a connection cut under a statement all end here; the HTTP layer answers them 503 with
 * Retry-After (DATABASE_UNAVAILABLE), and the client retries with the same operation id, which is
 * safe because every money operation is exactly-once by that id.
 */

/**
 * SQLSTATEs of a session the server ended or would not start: 57P01 admin_shutdown (fast or
 * immediate stop, pg_terminate_backend), 57P02 crash_shutdown (another backend crashed), 57P03
 * cannot_connect_now (starting up, shutting down, in recovery), 53300 too_many_connections.
 * Class 08 (connection exception) is matched by prefix.
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors from connecting to, or talking with, a server that is not there. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * node-postgres reports a lost or unusable connection by message only: the socket ended under a
 * client ("Connection terminated unexpectedly", "Connection terminated due to connection
 * timeout"), a client used after its connection failed ("... is not queryable"), or the pool's
 * wait for a connection timing out.
 */
const LOST_MESSAGES = [/^Connection terminated/, /is not queryable$/, /^timeout exceeded when trying to connect$/];

/** True when `error` says the connection to the database failed, not the statement on it. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  // Connecting to a name with several addresses fails with one error per address.
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every(isConnectionFailure);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_SQLSTATES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && LOST_MESSAGES.some((pattern) => pattern.test(message));
}

export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  /**
   * COMMIT was sent and no answer came back: the transaction may have committed or not. Never
   * retried here; the client's retry with the same operation id finds what happened.
   */
  readonly outcomeUnknown: boolean;
  constructor(cause: unknown, options: { outcomeUnknown?: boolean } = {}) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`the database cannot be reached${options.outcomeUnknown ? ' (COMMIT sent, outcome unknown)' : ''}: ${detail}`, { cause });
    this.name = 'DatabaseUnavailableError';
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/** `error` as a DatabaseUnavailableError when it is a connection failure, else unchanged. */
export function asUnavailable(error: unknown, options: { outcomeUnknown?: boolean } = {}): unknown {
  if (error instanceof DatabaseUnavailableError || !isConnectionFailure(error)) return error;
  return new DatabaseUnavailableError(error, options);
}
