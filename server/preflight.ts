/**
 * Checks made at start, after the configuration is read and before anything is migrated or
 * seeded: the listen address resolves and its port is free, the database answers, the data folder
 * is a folder the server can write. Each failure is one `StartupError` whose message names the
 * problem and the variable to change (docs/operations.md "Starting"), so `npm start` ends in one
 * line and exit 1 instead of a stack trace, a hang or a half-started server.
 *
 * The port check binds and releases the port: another process may still take it before the server
 * listens, and then `listen` fails with the same message (main.ts maps EADDRINUSE the same way).
 */
import { constants } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from './config.ts';
import { makeFolder } from './db/folder.ts';
import { LIMITS } from './limits.ts';

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The listen address: HOST must resolve to an address of this machine, PORT must be free on it. */
export async function checkListenAddress(host: string, port: number): Promise<void> {
  try {
    await lookup(host);
  } catch (error) {
    throw new StartupError(`cannot start: HOST: "${host}" does not resolve to an address (${errorCode(error)})`);
  }
  if (port === 0) return; // any free port: nothing to be in use
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new StartupError(listenProblem(error, host, port))));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The words for a failed listen, from its error code; used by the probe and by the real listen. */
export function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot start: PORT: ${port} is already in use on ${host} (another server is running there; stop it or choose another PORT)`;
    case 'EACCES':
      return `cannot start: PORT: ${port} needs privileges this process lacks (choose a PORT above 1023)`;
    case 'EADDRNOTAVAIL':
      return `cannot start: HOST: ${host} is not an address of this machine`;
    default:
      return `cannot start: HOST, PORT: cannot listen on ${host}:${port} (${error.code ?? error.message})`;
  }
}

/** PostgreSQL answers `SELECT 1` within the connect timeout; the message never shows the password. */
export async function checkPostgres(databaseUrl: string): Promise<void> {
  const where = describeUrl(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: LIMITS.startupDatabaseCheckMs });
  // A connection that dies after the answer must not end the process with an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new StartupError(`cannot start: DATABASE_URL: PostgreSQL at ${where} does not answer (${databaseProblem(error)})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The embedded database's folder: created if absent, a folder, and writable (a file written and removed). */
export async function checkDataDir(dataDir: string): Promise<void> {
  const problem = (why: string) => new StartupError(`cannot start: FUELCARD_DATA_DIR: ${dataDir} ${why}`);
  try {
    await makeFolder(dataDir);
  } catch (error) {
    throw problem(`cannot be created (${errorCode(error)})`);
  }
  const info = await stat(dataDir).catch((error: unknown) => {
    throw problem(`cannot be read (${errorCode(error)})`);
  });
  if (!info.isDirectory()) throw problem('is not a folder');
  const probe = join(dataDir, `.write-check-${process.pid}`);
  try {
    await access(dataDir, constants.W_OK);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw problem(`is not writable (${errorCode(error)})`);
  }
}

/** Every check for `config`, in the order a person would fix them. */
export async function preflight(config: Pick<Config, 'host' | 'port' | 'databaseUrl' | 'dataDir'>): Promise<void> {
  await checkListenAddress(config.host, config.port);
  if (config.databaseUrl === undefined) await checkDataDir(config.dataDir);
  else await checkPostgres(config.databaseUrl);
}

/** user@host:port/database, without the password. */
export function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
    return `${user}${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function databaseProblem(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === '28P01') return 'password authentication failed';
  if (e.code === '3D000') return 'the database does not exist';
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (/timeout/i.test(e.message ?? '')) return `no answer within ${LIMITS.startupDatabaseCheckMs / 1000} s`;
  return e.code ?? e.message ?? 'unknown error';
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'unknown error';
}
