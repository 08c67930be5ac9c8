/**
 * Start-up failures, each run as the real server process: a port in use, an unresolvable HOST, a
 * PostgreSQL that does not answer, an unusable data folder and a URL of another database each end
 * in one line naming the problem and the variable, exit 1, before anything is migrated or seeded
 * (the data folder stays empty).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEngine } from './testing/db.ts';
import { describeUrl } from './preflight.ts';

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function emptyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fuelcard-preflight-'));
  folders.push(dir);
  return dir;
}

/** Runs the server with `env`; resolves its exit code and what it printed. */
function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: '', FUELCARD_DEMO: '1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A server that started after all is stopped, so the test fails instead of hanging.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    }),
  );
}

function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).not.toMatch(/database ready|listening/);
}

describe('a connection string is shown without its password', () => {
  it('keeps user, host, port and database', () => {
    expect(describeUrl('postgres://fuel:s3cret@db.example:6543/cards')).toBe('fuel@db.example:6543/cards');
    expect(describeUrl('postgresql://db/cards')).toBe('db:5432/cards');
  });
});

describe.runIf(testEngine() === 'pglite')('start-up failures end in one line naming the variable', () => {
  it('a port in use', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const dataDir = emptyFolder();
      const result = await run({ PORT: String(port), FUELCARD_DATA_DIR: dataDir });
      expectOneLine(result, new RegExp(`^cannot start: PORT: ${port} is already in use on 127\\.0\\.0\\.1`));
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it('a HOST that does not resolve', async () => {
    const dataDir = emptyFolder();
    const result = await run({ HOST: 'no-such-host.invalid', FUELCARD_DATA_DIR: dataDir });
    expectOneLine(result, /^cannot start: HOST: "no-such-host\.invalid" does not resolve/);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 60_000);

  it('a PostgreSQL that does not answer, without showing the password', async () => {
    const result = await run({ DATABASE_URL: 'postgres://fuel:pa55word@127.0.0.1:1/cards' });
    expectOneLine(result, /^cannot start: DATABASE_URL: PostgreSQL at fuel@127\.0\.0\.1:1\/cards does not answer \(connection refused\)$/);
    expect(result.stderr + result.stdout).not.toContain('pa55word');
  }, 60_000);

  it('a data folder that cannot be made, and one that is a file', async () => {
    expectOneLine(
      await run({ FUELCARD_DATA_DIR: '/proc/nope' }),
      /^cannot start: FUELCARD_DATA_DIR: \/proc\/nope cannot be created \(ENOENT\)$/,
    );
    const file = join(emptyFolder(), 'a-file');
    writeFileSync(file, '');
    expectOneLine(await run({ FUELCARD_DATA_DIR: file }), /^cannot start: FUELCARD_DATA_DIR: .*a-file (cannot be created|is not a folder)/);
  }, 60_000);

  it('the URL of another database', async () => {
    const result = await run({ DATABASE_URL: 'mysql://root:pw@127.0.0.1:3306/cards' });
    expectOneLine(result, /^invalid configuration: DATABASE_URL: must be a PostgreSQL URL/);
  }, 60_000);
});
