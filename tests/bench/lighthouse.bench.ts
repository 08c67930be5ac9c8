/**
 * Issue 19's kiosk figures (docs/operations.md "Performance"): Lighthouse's mobile performance
 * score of the kiosk's start page (`/`, the demo kiosk enrolling itself on its first visit as a
 * browser opening the demo does), the median of three runs, with its FCP, LCP, TBT and the
 * script KB transferred, each against the same figure of a trivial static page measured in the same
 * process (the baseline: what this shared machine does with nothing to do). Goal: score ≥ 90.
 *
 * Builds first (`npm run build`: dist/ and the compiled server, as `npm start` serves them), then
 * runs `node dist-server/main.mjs` in demo mode on a fresh data folder. LIGHTHOUSE_REPORT_DIR keeps
 * every run's whole JSON report there, to see what costs (audits bootup-time, unused-javascript…).
 * The machine's load average is reported too: a busy machine scores lower.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CompiledServer, lighthouseMedian, startBaselinePage, type LighthouseFigures } from './lighthouse-run.ts';
import type { BenchResult } from './types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_COUNT = 3;

function figures(prefix: string, kiosk: LighthouseFigures, baseline: LighthouseFigures): BenchResult[] {
  const row = (name: string, unit: string, value: number, base: number): BenchResult => ({
    name: `${prefix}.${name}`,
    value,
    unit,
    baseline: base,
    ratio: base === 0 ? undefined : value / base,
  });
  return [
    row('lighthouse_mobile_performance', 'score', kiosk.score, baseline.score),
    row('lighthouse_mobile_fcp_ms', 'ms', kiosk.fcpMs, baseline.fcpMs),
    row('lighthouse_mobile_lcp_ms', 'ms', kiosk.lcpMs, baseline.lcpMs),
    row('lighthouse_mobile_tbt_ms', 'ms', kiosk.tbtMs, baseline.tbtMs),
    { name: `${prefix}.lighthouse_start_js_kb`, value: kiosk.scriptKb, unit: 'KB' },
  ];
}

export async function run(): Promise<BenchResult[]> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const reportDir = process.env.LIGHTHOUSE_REPORT_DIR;
  const loadBefore = loadavg()[0]!;
  const baselinePage = await startBaselinePage();
  let baseline: LighthouseFigures;
  try {
    baseline = await lighthouseMedian(baselinePage.url, RUN_COUNT, reportDir, 'baseline');
  } finally {
    await baselinePage.close();
  }
  const server = await CompiledServer.start();
  let kiosk: LighthouseFigures;
  try {
    kiosk = await lighthouseMedian(`${server.url}/`, RUN_COUNT, reportDir, 'kiosk');
  } finally {
    await server.stop();
  }
  const loadAfter = loadavg()[0]!;
  return [
    ...figures('kiosk', kiosk, baseline),
    // The 1-minute load average before and after: the figures above are only as good as the quiet.
    { name: 'kiosk.lighthouse_load_average', value: Math.max(loadBefore, loadAfter), unit: 'load' },
  ];
}
