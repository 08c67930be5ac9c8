/**
 * The server process as `npm start` runs it: it migrates, seeds the demo into an empty embedded
 * database, prints its address, answers, reuses its data on a second start, and shuts down
 * cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEngine } from './testing/db.ts';
import { auditKeyOf } from './audit/checkpoints.ts';
import { DEMO_OPERATOR_PASSWORD } from './demo/seed.ts';

function start(dataDir: string, env: Record<string, string> = {}): { child: ChildProcess; address: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      FUELCARD_DATA_DIR: dataDir,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      FUELCARD_DEMO: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const address = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
  });
  return { child, address, output: () => text };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe.runIf(testEngine() === 'pglite')('the server process', () => {
  it('starts on an empty folder, seeds the demo once, serves, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fuelcard-main-'));
    const first = start(dataDir);
    const base = await first.address;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', database: 'pglite' });
    expect(first.output()).toMatch(/DEMO data and TEST keys seeded/);
    const stopped = exited(first.child);
    first.child.kill('SIGTERM');
    expect(await stopped).toBe(0);

    const second = start(dataDir);
    const again = await second.address;
    expect((await fetch(`${again}/healthz`)).status).toBe(200);
    expect(second.output()).not.toMatch(/seeded/);
    const stoppedAgain = exited(second.child);
    second.child.kill('SIGTERM');
    expect(await stoppedAgain).toBe(0);
  }, 120_000);

  it('refuses a bad configuration at start with a message naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(text).toMatch(/PORT/);
  }, 60_000);

  it('writes a signed audit checkpoint of what it wrote when it shuts down, and logs neither key at any level', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fuelcard-main-'));
    const kek = randomBytes(32).toString('hex');
    try {
      const server = start(dataDir, { FUELCARD_KEK: kek, LOG_LEVEL: 'trace' });
      const base = await server.address;
      // A sign-in is audited: a row the start's checkpoint has not seen, so the one at shutdown writes it.
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo.admin', password: DEMO_OPERATOR_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const stopped = exited(server.child);
      server.child.kill('SIGTERM');
      expect(await stopped).toBe(0);
      expect(server.output()).toContain('audit checkpoint written at shutdown');
      const [file, ...others] = readdirSync(join(dataDir, 'audit'));
      expect(others).toEqual([]);
      const lines = readFileSync(join(dataDir, 'audit', file!), 'utf8')
        .trim()
        .split('\n');
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({
        // The administrator's chain, whose last row is the sign-in (the demo seed's stock-in is before it).
        chains: [
          [expect.stringMatching(/^operator:\d+$/), expect.stringMatching(/^[1-9][0-9]*$/), expect.stringMatching(/^[0-9a-f]{64}$/)],
        ],
      });
      for (const secret of [kek, auditKeyOf({ auditKeyHex: undefined, kekHex: kek })!.toString('hex')])
        expect(server.output()).not.toContain(secret);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
