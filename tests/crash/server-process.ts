/**
 * The real server process (`node --import tsx server/main.ts`, as `npm run serve` starts it) on
 * 127.0.0.1 and a fixed port, so kiosks keep their address across restarts, against the run's own
 * PostgreSQL database. `kill()` is SIGKILL: no graceful shutdown, transactions cut wherever they
 * are, answers lost on the wire. Every process started here is tracked in `LIVE`, and
 * `killAllNow()` (synchronous, for an exit handler) ends any still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answersHealthz } from '../../server/testing/net.ts';
import { DEMO_KEK_HEX } from '../../server/config.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const SERVER_LIMITS = {
  /** The database is migrated already: a start is tsx's compile and the key store's warm-up. */
  startTimeoutMs: 60_000,
  /** A SIGKILLed or SIGTERMed process is gone in milliseconds; past this it is killed again. */
  exitTimeoutMs: 10_000,
  /** Server output kept for a failure report. */
  logCharsMax: 8_000,
  healthPollMs: 50,
} as const;

const LIVE = new Set<ChildProcess>();

/** SIGKILLs every server process still running; synchronous, so it may run in process.on('exit'). */
export function killAllNow(): void {
  for (const child of LIVE) child.kill('SIGKILL');
}

export class ServerProcess {
  readonly port: number;
  readonly #databaseUrl: string;
  #child: ChildProcess | null = null;
  #log = '';
  #killing = false;
  startCount = 0;
  /** Exits nobody asked for: the server died by itself (a crash the test did not cause). */
  unexpectedExits = 0;
  /** The run's audit checkpoints: its own folder, not the ./data/audit of a server in this checkout. */
  readonly auditDir = mkdtempSync(join(tmpdir(), 'fuelcard-crash-audit-'));

  constructor(options: { port: number; databaseUrl: string }) {
    this.port = options.port;
    this.#databaseUrl = options.databaseUrl;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  get log(): string {
    return this.#log;
  }

  /** Starts the process and waits until /healthz answers; throws with the output if it exits first. */
  async start(): Promise<void> {
    if (this.#child) throw new Error('assertion: the server process is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATABASE_URL: this.#databaseUrl,
        // Not demo mode: the database is seeded already, and the KEK that protects its test keys is given.
        FUELCARD_DEMO: '0',
        FUELCARD_KEK: DEMO_KEK_HEX,
        FUELCARD_AUDIT_DIR: this.auditDir,
        FUELCARD_DIST_DIR: '/nonexistent',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.startCount++;
    LIVE.add(child);
    const keep = (chunk: Buffer): void => void (this.#log = (this.#log + chunk.toString()).slice(-SERVER_LIMITS.logCharsMax));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      LIVE.delete(child);
      if (!this.#killing) this.unexpectedExits++;
      if (this.#child === child) this.#child = null;
    });
    const deadline = Date.now() + SERVER_LIMITS.startTimeoutMs;
    while (Date.now() < deadline) {
      if (this.#child !== child) throw new Error(`the server exited while starting:\n${this.#log}`);
      if (await answersHealthz(this.url, 1_000)) return;
      await new Promise((resolve) => setTimeout(resolve, SERVER_LIMITS.healthPollMs));
    }
    throw new Error(`the server did not answer /healthz within ${SERVER_LIMITS.startTimeoutMs} ms:\n${this.#log}`);
  }

  /** SIGKILL by default: the process dies as on a power cut. Resolves once it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#killing = true;
    child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), SERVER_LIMITS.exitTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
    this.#killing = false;
  }

  /** A graceful stop (SIGTERM), at the end of a run: its audit checkpoints go with it. */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.auditDir, { recursive: true, force: true });
  }
}
