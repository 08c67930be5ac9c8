/**
 * The PGlite data folder is claimed by one process at a time (data-dir-lock.ts): PGlite itself
 * would let a second process open it, and two writers corrupt it. Exactly one of many processes
 * starting at once wins it, also when they all find the lock of a dead process (issue 11, item 5a).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimPath, LOCK_FILE } from './data-dir-lock.ts';
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
      expect(readFileSync(join(dir, 'fuelcard.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\n$`));
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await db.close();
    }
    expect(() => readFileSync(join(dir, 'fuelcard.lock'))).toThrow();
  }, 60_000);
});

/** A process that ran and exited: its pid is dead (for as long as the kernel does not reuse it). */
async function deadPid(): Promise<number> {
  const gone = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => gone.once('exit', resolve));
  return gone.pid!;
}

/**
 * One racer: a process of its own that takes the lock when told (`lock DIR`), answers `won`,
 * `refused PID` or `failed MESSAGE`, holds what it won until `release`, and ends with its stdin.
 */
const RACER = `
import { createInterface } from 'node:readline';
const { lockDataDir, DataDirInUseError } = await import(process.argv[1]);
let unlock;
const say = (line) => process.stdout.write(line + '\\n');
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, dir] = line.split(' ');
  if (command === 'lock') {
    try {
      unlock = await lockDataDir(dir);
      say('won');
    } catch (error) {
      say(error instanceof DataDirInUseError ? 'refused ' + error.pid : 'failed ' + String(error.message).replaceAll('\\n', ' '));
    }
  } else if (command === 'release') {
    await unlock?.();
    unlock = undefined;
    say('released');
  }
}
`;

type Racer = { pid: number; send(line: string): void; next(): Promise<string>; child: ChildProcessWithoutNullStreams };

function startRacer(): Racer {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const modulePath = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RACER, modulePath], { cwd: repoRoot });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    pid: child.pid!,
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    next: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`racer ${child.pid} ended`);
      return value as string;
    },
  };
}

/** Racing processes, and the rounds they race: enough that a takeover letting two through shows. */
const RACER_COUNT = 10;
const ROUND_COUNT = 12;

describe.skipIf(process.env.FUELCARD_TEST_DB === 'postgresql')('the PGlite data folder lock, raced by processes', () => {
  const racers: Racer[] = [];
  beforeAll(async () => {
    for (let i = 0; i < RACER_COUNT; i++) racers.push(startRacer());
    // All loaded before the first round, so each round's commands reach them at once.
    for (const racer of racers) expect(await racer.next()).toBe('ready');
  }, 120_000);
  afterAll(() => {
    for (const racer of racers) racer.child.stdin.end();
  });

  /** One round: every racer told to lock `dir` at once; their answers, after which the winner lets go. */
  async function race(dir: string): Promise<{ answers: string[]; leftInDir: string[]; lockText: string }> {
    for (const racer of racers) racer.send(`lock ${dir}`);
    const answers = await Promise.all(racers.map((racer) => racer.next()));
    const leftInDir = readdirSync(dir).sort();
    const lockText = readFileSync(join(dir, LOCK_FILE), 'utf8');
    for (const racer of racers) racer.send('release');
    for (const racer of racers) expect(await racer.next()).toBe('released');
    return { answers, leftInDir, lockText };
  }

  /** Exactly one racer won, holds the lock file alone, and every other one was refused naming a live racer. */
  function expectOneWinner(round: { answers: string[]; leftInDir: string[]; lockText: string }): void {
    const winners = racers.filter((_racer, i) => round.answers[i] === 'won');
    expect(round.answers.filter((a) => a !== 'won' && !a.startsWith('refused '))).toEqual([]);
    expect(winners.map((w) => w.pid)).toHaveLength(1);
    expect(round.lockText.startsWith(`${winners[0]!.pid} `)).toBe(true);
    const racerPids = new Set(racers.map((r) => String(r.pid)));
    for (const answer of round.answers.filter((a) => a !== 'won')) expect(racerPids.has(answer.split(' ')[1]!)).toBe(true);
    // No temporary file or claim is left behind.
    expect(round.leftInDir).toEqual([LOCK_FILE]);
  }

  it('lets exactly one of ten processes starting at once take over the lock of a dead process, round after round', async () => {
    for (let round = 0; round < ROUND_COUNT; round++) {
      const dir = freshDir();
      // Half the rounds with the lock text of the previous release (pid only), half with today's.
      const dead = await deadPid();
      writeFileSync(join(dir, LOCK_FILE), round % 2 === 0 ? `${dead}\n` : `${dead} 0123456789abcdef\n`);
      const result = await race(dir);
      expectOneWinner(result);
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 120_000);

  it('lets exactly one win when a process was killed in the middle of its takeover, leaving a dead claim', async () => {
    for (let round = 0; round < ROUND_COUNT / 2; round++) {
      const dir = freshDir();
      const lockText = `${await deadPid()} 00000000000000aa\n`;
      writeFileSync(join(dir, LOCK_FILE), lockText);
      // The killed claimant's claim, and in odd rounds a claim on that one by another killed process.
      const claimText = `${await deadPid()} 00000000000000bb\n`;
      writeFileSync(claimPath(join(dir, LOCK_FILE), lockText), claimText);
      if (round % 2 === 1) writeFileSync(claimPath(join(dir, LOCK_FILE), claimText), `${await deadPid()} 00000000000000cc\n`);
      expectOneWinner(await race(dir));
    }
  }, 120_000);

  it('lets none of them take a lock whose owner runs', async () => {
    const dir = freshDir();
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), `${owner.pid} 00000000000000dd\n`);
      for (const racer of racers) racer.send(`lock ${dir}`);
      const answers = await Promise.all(racers.map((racer) => racer.next()));
      expect(answers).toEqual(racers.map(() => `refused ${owner.pid}`));
      expect(readdirSync(dir)).toEqual([LOCK_FILE]);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${owner.pid} 00000000000000dd\n`);
    } finally {
      owner.kill('SIGKILL');
    }
  });
});
