/**
 * `npm test`: every gate, in order, on a fresh clone. Installs from the lock file when needed,
 * then: type check (tsc for app/server/ccid, tsc for the service worker, svelte-check), lint, the
 * format check, the import rules,
 * Vitest (unit, server on PGlite and, with DATABASE_URL, server on PostgreSQL), the fault
 * simulation, with DATABASE_URL the crash test (tests/crash), build, and the
 * end-to-end tests in Chromium with Playwright. A gate that is one command counts as one test;
 * Vitest and Playwright count their own tests. The last line is `N passed, N failed`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureBuilt, ensureChromium, ensureInstalled, run } from '../server/bin/prepare.mjs';

const results = [];
const record = (gate, passed, failed, note = '') => results.push({ gate, passed, failed, note });

function commandGate(gate, command, args) {
  console.log(`\n=== ${gate}: ${command} ${args.join(' ')}`);
  const status = run(command, args);
  record(gate, status === 0 ? 1 : 0, status === 0 ? 0 : 1);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function vitestGate(workDir) {
  const out = join(workDir, 'vitest.json');
  console.log(`\n=== vitest (projects: unit, server-pglite${process.env.DATABASE_URL ? ', server-postgresql' : ''})`);
  const status = run('npx', ['vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out);
  if (!report) return record('vitest', 0, 1, `no report (exit ${status})`);
  // A suite that fails to load counts as a failure even when it had no tests to count.
  const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
  record(
    'vitest',
    report.numPassedTests,
    report.numFailedTests + failedSuites + (status !== 0 && report.numFailedTests + failedSuites === 0 ? 1 : 0),
  );
}

/**
 * The fault simulation (tests/sim): its last line is `seeds: N, violations: V`; each seed counts
 * as one test. 200 seeds on PGlite, and 50 on PostgreSQL when DATABASE_URL is set.
 */
function simGate(engine, seedCount) {
  if (!existsSync(join(ROOT, 'tests', 'sim', 'cli.ts'))) return;
  console.log(`\n=== simulation on ${engine}: ${seedCount} seeds`);
  const env = { ...process.env };
  if (engine === 'pglite') delete env.DATABASE_URL;
  const result = spawnSync('npm', ['run', '-s', 'sim', '--', '--seeds', String(seedCount)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(result.stdout ?? '');
  const match = /seeds: (\d+), violations: (\d+)\s*$/.exec(result.stdout ?? '');
  if (!match) return record(`sim (${engine})`, 0, 1, `no summary (exit ${result.status})`);
  const [seeds, violations] = [Number(match[1]), Number(match[2])];
  record(`sim (${engine})`, seeds - violations, violations + (result.status !== 0 && violations === 0 ? 1 : 0));
}

/**
 * The crash test (tests/crash), PostgreSQL only: the real server SIGKILLed during a storm of
 * loads. Its last line is `crash checks: N, failed: F` (a check per kill round and one for the
 * final invariants); it prints its seed for a replay.
 */
function crashGate() {
  if (!existsSync(join(ROOT, 'tests', 'crash', 'cli.ts'))) return;
  console.log('\n=== crash test on postgresql: the server SIGKILLed during a storm of loads');
  // About a minute; a run that hangs is stopped (SIGTERM: it still kills its server and drops its database).
  const result = spawnSync('node', ['--import', 'tsx', 'tests/crash/cli.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  process.stdout.write(result.stdout ?? '');
  const match = /crash checks: (\d+), failed: (\d+)\s*$/.exec(result.stdout ?? '');
  if (!match) return record('crash (postgresql)', 0, 1, `no summary (exit ${result.status})`);
  const [checks, failed] = [Number(match[1]), Number(match[2])];
  const seed = /crash: seed (\d+)/.exec(result.stdout ?? '')?.[1];
  record(
    'crash (postgresql)',
    checks - failed,
    failed + (result.status !== 0 && failed === 0 ? 1 : 0),
    failed > 0 && seed ? `replay: npm run crash -- --seed ${seed}` : '',
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function e2eGate(workDir) {
  const chromium = ensureChromium();
  if (!chromium) {
    console.error('\nChromium is missing: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.');
    return record('e2e', 0, 1, 'chromium missing');
  }
  try {
    ensureBuilt({ force: true });
  } catch {
    return record('build', 0, 1);
  }
  record('build', 1, 0);
  const out = join(workDir, 'playwright.json');
  const env = {
    ...process.env,
    CHROMIUM_PATH: chromium,
    E2E_PORT: String(await freePort()),
    E2E_DATA_DIR: join(workDir, 'e2e-data'),
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
  };
  console.log('\n=== end-to-end (Playwright, Chromium)');
  const status = run('npx', ['playwright', 'test', '--reporter=list,json'], { env });
  const report = readJson(out);
  if (!report?.stats) return record('e2e', 0, 1, `no report (exit ${status})`);
  const { expected, unexpected, flaky } = report.stats;
  record('e2e', expected + flaky, unexpected + (status !== 0 && unexpected === 0 ? 1 : 0));
}

async function main() {
  ensureInstalled();
  const workDir = mkdtempSync(join(tmpdir(), 'fuelcard-test-'));
  try {
    commandGate('tsc', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    commandGate('tsc (service worker)', 'npx', ['tsc', '--noEmit', '-p', 'sw/tsconfig.json']);
    commandGate('svelte-check', 'npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human']);
    commandGate('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
    // One format (Prettier, .prettierrc.json): `npm run format` rewrites what this finds.
    commandGate('format', 'npx', ['prettier', '--check', '.']);
    // Imports point one way and never in a circle (.dependency-cruiser.cjs, docs/architecture.md §2).
    commandGate('imports', 'npx', [
      'depcruise',
      'src',
      'ccid',
      'server',
      'sw',
      'tests',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
    ]);
    vitestGate(workDir);
    simGate('pglite', 200);
    if (process.env.DATABASE_URL) simGate('postgresql', 50);
    if (process.env.DATABASE_URL) crashGate();
    await e2eGate(workDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  console.log('\n=== summary');
  for (const r of results)
    console.log(`${r.gate.padEnd(22)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed ${r.note}`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (!existsSync(join(ROOT, 'package.json'))) throw new Error('run from the repository');
await main();
