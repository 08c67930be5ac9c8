/**
 * The PGlite data folder is claimed by one process at a time (pglite.ts lockDataDir): PGlite
 * itself would let a second process open it, and two writers corrupt it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, openPglite } from './pglite.ts';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fuelcard-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// PGlite only: the PostgreSQL project has nothing to add here.
describe.skipIf(process.env.FUELCARD_TEST_DB === 'postgresql')('the PGlite data folder lock', () => {
  it('refuses a folder that another running process holds, naming that process', async () => {
    const dir = freshDir();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      writeFileSync(join(dir, 'fuelcard.lock'), `${sleeper.pid}\n`);
      const opening = openPglite(dir);
      await expect(opening).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(opening).rejects.toThrow(String(sleeper.pid));
      expect(readFileSync(join(dir, 'fuelcard.lock'), 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that no longer runs, and lets it go on close', async () => {
    const dir = freshDir();
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(dir, 'fuelcard.lock'), `${gone.pid}\n`);
    const db = await openPglite(dir);
    try {
      expect(readFileSync(join(dir, 'fuelcard.lock'), 'utf8')).toBe(`${process.pid}\n`);
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await db.close();
    }
    expect(() => readFileSync(join(dir, 'fuelcard.lock'))).toThrow();
  }, 60_000);
});
