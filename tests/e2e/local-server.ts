/**
 * A server of the test's own: the real server process (`server/main.ts`), in demo mode unless told
 * otherwise, on a free 127.0.0.1 port with a fresh embedded database in a temp folder, so a test
 * can count money on a ledger nobody else touches, and can kill the server and start it again on
 * the same data. Playwright's shared webServer is left alone. Every process started here is
 * stopped by `stop()`, which `start()` also calls when the first start fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answersHealthz, freePort } from '../../server/testing/net.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh database is migrated and seeded (scrypt hashes) at start: slow on a shared machine. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export type LocalServerOptions = {
  /** The built app to serve; the repository's dist/ by default. */
  distDir?: string;
  /** FUELCARD_DEMO: true (the default) seeds the demo data; false starts a production-like server. */
  demo?: boolean;
  /** Runs once on the fresh data folder before the first start (the server is not running yet). */
  prepare?: (dataDir: string) => Promise<void>;
};

export class LocalServer {
  readonly port: number;
  readonly dataDir: string;
  readonly #distDir: string;
  readonly #demo: boolean;
  #child: ChildProcess | null = null;
  #log = '';
  /** The non-demo server's key-encryption key, the same at every restart. */
  readonly #kekHex = randomBytes(32).toString('hex');

  private constructor(port: number, dataDir: string, distDir: string, demo: boolean) {
    this.port = port;
    this.dataDir = dataDir;
    this.#distDir = distDir;
    this.#demo = demo;
  }

  static async start(options: LocalServerOptions = {}): Promise<LocalServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'fuelcard-e2e-local-'));
    const server = new LocalServer(await freePort(), dataDir, options.distDir ?? join(REPO_ROOT, 'dist'), options.demo ?? true);
    try {
      await options.prepare?.(dataDir);
      await server.restart();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the process (again) on the same port and data folder, and waits for /healthz. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('the local server is already running');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: REPO_ROOT,
      // A production-like server needs a KEK of its own: device keys are sealed under it.
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        FUELCARD_DATA_DIR: this.dataDir,
        FUELCARD_DIST_DIR: this.#distDir,
        DATABASE_URL: '',
        FUELCARD_DEMO: this.#demo ? '1' : '0',
        LOG_LEVEL: 'warn',
        ...(this.#demo ? {} : { FUELCARD_KEK: this.#kekHex }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const keep = (chunk: Buffer): void => void (this.#log = (this.#log + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.#child !== child) throw new Error(`the local server exited while starting:\n${this.#log}`);
      if (await answersHealthz(this.url, 2_000)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the local server did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${this.#log}`);
  }

  /** SIGKILL by default: the process dies as on a power cut, with no graceful shutdown. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
    ]);
    if (timedOut) child.kill('SIGKILL');
    this.#child = null;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  get log(): string {
    return this.#log;
  }
}
