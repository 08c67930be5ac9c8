/**
 * Lighthouse for the benchmarks (issue 19, docs/operations.md "Performance"): runs Lighthouse's
 * Node API in Debian's Chromium (never a downloaded browser), with its default configuration (the
 * mobile preset: a Moto G Power-sized screen, simulated slow 4G and a 4× slower CPU), the
 * performance category only, and keeps the figures the issue names: the score, FCP, LCP, TBT and
 * the JavaScript transferred.
 *
 * Also here: the compiled server (`node dist-server/main.mjs`, as `npm start` runs it) in demo mode
 * on a fresh data folder, and a trivial static page served on loopback, the baseline measured in
 * the same process so that the figures read against what this machine does with nothing to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { answersHealthz, freePort } from '../../server/testing/net.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 90_000;

/** playwright.config.ts's flags: headless, and no calls home on a closed network. */
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type LighthouseFigures = {
  /** 0–100. */
  score: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  /** Script bytes transferred (compressed, as served), in KB of 1,000 bytes. */
  scriptKb: number;
  /** Lighthouse's measure of the host's CPU at the start of the run (its "CPU/Memory Power"). */
  benchmarkIndex: number;
};

/**
 * Lighthouse's 4× CPU slowdown takes a high-end desktop (benchmark index 1,500 to 2,000 in
 * Lighthouse's docs/throttling.md) to a mid-tier phone. A slower or busier host is already part
 * of the way there: its multiplier is scaled down in proportion, as that document's calibration
 * advises, never above the default 4 nor below 1.
 */
export const HIGH_END_DESKTOP_INDEX = 1500;
export function calibratedCpuSlowdown(benchmarkIndex: number): number {
  return Math.min(4, Math.max(1, (4 * benchmarkIndex) / HIGH_END_DESKTOP_INDEX));
}

type Audits = Record<string, { numericValue?: number; details?: unknown } | undefined>;

function numeric(audits: Audits, id: string): number {
  const value = audits[id]?.numericValue;
  if (value === undefined) throw new Error(`Lighthouse reported no ${id}`);
  return value;
}

function scriptKb(audits: Audits): number {
  const details = audits['resource-summary']?.details as { items?: { resourceType: string; transferSize: number }[] } | undefined;
  const script = details?.items?.find((item) => item.resourceType === 'script');
  return (script?.transferSize ?? 0) / 1000;
}

export type RunOptions = {
  /** Keeps each run's whole JSON report in this folder, as `<label>-<n>.json`. */
  reportDir?: string;
  label?: string;
  /** Lighthouse's default (4) unless given: see calibratedCpuSlowdown. */
  cpuSlowdownMultiplier?: number;
};

/** One Lighthouse run in a fresh Chromium (a fresh profile: a first visit, as the review measured). */
export async function lighthouseOnce(url: string, reportPath?: string, cpuSlowdownMultiplier?: number): Promise<LighthouseFigures> {
  const chrome = await launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags: CHROME_FLAGS,
    logLevel: 'silent',
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
      ...(cpuSlowdownMultiplier === undefined ? {} : { throttling: { cpuSlowdownMultiplier } }),
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    if (reportPath) writeFileSync(reportPath, typeof result.report === 'string' ? result.report : JSON.stringify(lhr));
    const score = lhr.categories.performance?.score;
    if (score === null || score === undefined) throw new Error(`Lighthouse gave no performance score for ${url}`);
    const audits = lhr.audits as Audits;
    return {
      score: score * 100,
      fcpMs: numeric(audits, 'first-contentful-paint'),
      lcpMs: numeric(audits, 'largest-contentful-paint'),
      tbtMs: numeric(audits, 'total-blocking-time'),
      scriptKb: scriptKb(audits),
      benchmarkIndex: lhr.environment.benchmarkIndex,
    };
  } finally {
    chrome.kill();
  }
}

/** The run with the median score of `count` runs (its other figures with it, so they belong together). */
export async function lighthouseMedian(url: string, count: number, options: RunOptions = {}): Promise<LighthouseFigures> {
  const { reportDir, label = 'run', cpuSlowdownMultiplier } = options;
  if (reportDir) mkdirSync(reportDir, { recursive: true });
  const runs: LighthouseFigures[] = [];
  for (let i = 0; i < count; i++)
    runs.push(await lighthouseOnce(url, reportDir ? join(reportDir, `${label}-${i + 1}.json`) : undefined, cpuSlowdownMultiplier));
  runs.sort((a, b) => a.score - b.score || b.lcpMs - a.lcpMs);
  return runs[Math.floor(runs.length / 2)]!;
}

/** `node dist-server/main.mjs` in demo mode on a fresh data folder and a free loopback port. */
export class CompiledServer {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #dataDir: string;

  private constructor(url: string, child: ChildProcess, dataDir: string) {
    this.url = url;
    this.#child = child;
    this.#dataDir = dataDir;
  }

  static async start(): Promise<CompiledServer> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'fuelcard-bench-lighthouse-'));
    let log = '';
    const child = spawn(process.execPath, ['dist-server/main.mjs'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        FUELCARD_DATA_DIR: dataDir,
        DATABASE_URL: '',
        FUELCARD_DEMO: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => void (log = (log + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const server = new CompiledServer(`http://127.0.0.1:${port}`, child, dataDir);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await answersHealthz(server.url, 2_000)) return server;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await server.stop();
    throw new Error(`the compiled server did not start:\n${log}`);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    }
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/** The baseline: a trivial static page (a heading and a line of text, no script) on loopback. */
export async function startBaselinePage(): Promise<{ url: string; close(): Promise<void> }> {
  const html =
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>baseline</title></head><body><h1>请插入您的加油卡</h1><p>A trivial static page: the baseline.</p></body></html>';
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    response.end(html);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
