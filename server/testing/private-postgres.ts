/**
 * A PostgreSQL instance of a test's own, made with initdb in a temporary folder and started on a
 * free loopback port, for tests that restart or stop the database under the server (the
 * server-postgresql outage test, the crash test). The PostgreSQL at DATABASE_URL is shared with
 * other tests and other people, so it is never restarted; this one is, as often as a test likes.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: then initdb and pg_ctl run as the
 * `postgres` user (or `nobody`), which owns the folder. The server binaries are found with
 * pg_config, then under /usr/lib/postgresql, then on PATH. Every instance made here is recorded,
 * and `destroyAllNow()` (synchronous, for an exit handler) stops and removes any left behind.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './net.ts';

export const PRIVATE_POSTGRES_LIMITS = {
  /** initdb, a start, a stop or a restart; a start after an immediate stop replays the WAL first. */
  commandTimeoutMs: 60_000,
  /** Lines of the instance's log put into an error. */
  logLinesMax: 20,
} as const;

/** The superuser initdb creates; the password is random per instance. */
const SUPERUSER = 'fuelcard';

type RunAs = { uid: number; gid: number } | null;

const LIVE = new Set<PrivatePostgres>();

function hasServerBinaries(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

/** The folder holding initdb and pg_ctl, or null when PostgreSQL's server binaries are not installed. */
export function postgresBinDir(): string | null {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServerBinaries(dir)) return dir;
  } catch {
    // no pg_config: look elsewhere
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasServerBinaries(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && hasServerBinaries(dir)) return dir;
  return null;
}

/** As root, the unprivileged user PostgreSQL runs as (`postgres`, else `nobody`); otherwise null (ourselves). */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return null;
  const users = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = users.find((fields) => fields[0] === name);
    if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as');
}

export class PrivatePostgres {
  readonly port: number;
  readonly #bin: string;
  readonly #dir: string;
  readonly #password: string;
  readonly #as: RunAs;
  #destroyed = false;

  private constructor(parts: { port: number; bin: string; dir: string; password: string; as: RunAs }) {
    this.port = parts.port;
    this.#bin = parts.bin;
    this.#dir = parts.dir;
    this.#password = parts.password;
    this.#as = parts.as;
  }

  /** initdb into a fresh temporary folder, then start; the caller must destroy() it. */
  static async create(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    if (bin === null)
      throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: not with pg_config, under /usr/lib/postgresql, nor on PATH');
    const as = runAs();
    const dir = mkdtempSync(join(tmpdir(), 'fuelcard-pg-'));
    const password = randomBytes(16).toString('hex');
    const instance = new PrivatePostgres({ port: await freePort(), bin, dir, password, as });
    LIVE.add(instance);
    try {
      chmodSync(dir, 0o700);
      const passwordFile = join(dir, 'password');
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
      if (as) {
        chownSync(dir, as.uid, as.gid);
        chownSync(passwordFile, as.uid, as.gid);
      }
      // C locale, UTF-8: the same on every machine. No fsync: nothing here must survive the machine.
      await instance.#run('initdb', [
        '-D',
        instance.#dataDir,
        '-U',
        SUPERUSER,
        '--auth=scram-sha-256',
        `--pwfile=${passwordFile}`,
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]);
      rmSync(passwordFile);
      await instance.start();
    } catch (error) {
      await instance.destroy();
      throw error;
    }
    return instance;
  }

  get #dataDir(): string {
    return join(this.#dir, 'data');
  }

  get #logFile(): string {
    return join(this.#dir, 'log');
  }

  /** A connection string for `database` (default: the `postgres` database) as the superuser. */
  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}:${this.#password}@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`assertion: a plain database name, not ${name}`);
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
  }

  /** Starts the instance and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.#run('pg_ctl', [
      '-D',
      this.#dataDir,
      '-l',
      this.#logFile,
      '-o',
      options,
      '-w',
      '-t',
      String(PRIVATE_POSTGRES_LIMITS.commandTimeoutMs / 1000),
      'start',
    ]);
  }

  /**
   * Stops the instance. `fast` (as pg_ctlcluster stops a cluster): sessions are ended with 57P01
   * and the server shuts down cleanly. `immediate`: every process quits at once, as in a crash,
   * and the next start replays the WAL.
   */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.#run('pg_ctl', [
      '-D',
      this.#dataDir,
      '-m',
      mode,
      '-w',
      '-t',
      String(PRIVATE_POSTGRES_LIMITS.commandTimeoutMs / 1000),
      'stop',
    ]);
  }

  /** A fast stop and a start, as `pg_ctlcluster … restart` does. */
  async restart(): Promise<void> {
    await this.#run('pg_ctl', [
      '-D',
      this.#dataDir,
      '-l',
      this.#logFile,
      '-m',
      'fast',
      '-w',
      '-t',
      String(PRIVATE_POSTGRES_LIMITS.commandTimeoutMs / 1000),
      'restart',
    ]);
  }

  /** Stops the instance if it runs and removes its folder. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    if (existsSync(join(this.#dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => {});
    this.#remove();
  }

  /** destroy(), synchronously: for an exit handler. */
  destroyNow(): void {
    if (this.#destroyed) return;
    if (existsSync(join(this.#dataDir, 'postmaster.pid')))
      spawnSync(join(this.#bin, 'pg_ctl'), ['-D', this.#dataDir, '-m', 'immediate', '-w', 'stop'], {
        ...this.#spawnOptions(),
        stdio: 'ignore',
      });
    this.#remove();
  }

  #remove(): void {
    this.#destroyed = true;
    LIVE.delete(this);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #spawnOptions(): { cwd: string; uid?: number; gid?: number; timeout: number } {
    return { cwd: this.#dir, timeout: PRIVATE_POSTGRES_LIMITS.commandTimeoutMs, ...(this.#as ?? {}) };
  }

  /** Runs one of the binaries (as the unprivileged user when we are root); rejects with its output and the log's tail. */
  #run(command: 'initdb' | 'pg_ctl', args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(join(this.#bin, command), args, { ...this.#spawnOptions(), encoding: 'utf8' }, (error, stdout, stderr) => {
        if (!error) return resolve();
        const log = existsSync(this.#logFile)
          ? readFileSync(this.#logFile, 'utf8').trim().split('\n').slice(-PRIVATE_POSTGRES_LIMITS.logLinesMax).join('\n')
          : '';
        reject(
          new Error(
            `${command} ${args.at(-1)} failed in ${dirname(this.#dataDir)}: ${error.message}\n${stdout}${stderr}${log ? `\nlog:\n${log}` : ''}`,
          ),
        );
      });
    });
  }
}

/** Stops and removes every instance this process made and has not destroyed; synchronous, for process.on('exit'). */
export function destroyAllNow(): void {
  for (const instance of [...LIVE]) instance.destroyNow();
}
