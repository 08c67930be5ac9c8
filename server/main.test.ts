/**
 * The server process as `npm start` runs it: it migrates, seeds the demo into an empty embedded
 * database, prints its address, answers, reuses its data on a second start, and shuts down
 * cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEngine } from './testing/db.ts';

function start(dataDir: string): { child: ChildProcess; address: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FUELCARD_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', FUELCARD_DEMO: '1' },
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(text).toMatch(/PORT/);
  }, 60_000);
});
