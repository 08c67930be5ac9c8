/**
 * The PGlite data folder's lock: one process at a time. PGlite itself does not lock its folder:
 * a second process opens it silently, and two writers corrupt it. The lock file `fuelcard.lock`
 * holds the owner's pid and a random nonce; a lock left by a process that no longer runs (killed
 * with SIGKILL) is taken over.
 *
 * Every step is one atomic file-system call, so however many processes start at once, exactly
 * one wins (the lock it replaced took two starts through at once in 2 tries of 12 when it deleted
 * a dead owner's file and wrote its own: both saw the same dead pid, both deleted, both wrote).
 *
 * - A lock file is made whole in a temporary file, then put in place with link(2), which fails
 *   if the name exists: nobody ever reads a half-written lock, and a free folder has one winner.
 * - A dead owner's lock is taken over through a claim: the file `fuelcard.lock.<id>.next`, where
 *   <id> names that one lock file (a hash of its text, unique by its nonce), made with link(2)
 *   too. Only the process that made the claim may replace that lock file, and only with rename(2)
 *   of its claim over it, after checking that the lock file (and the claims it walked) are still
 *   the ones it saw dead. So of any number of processes that saw the same dead owner, one makes
 *   the claim; the others find the claim's live owner and are refused.
 * - A claimant killed before its rename leaves its claim, which is then a dead lock of its own:
 *   the next start walks from the lock file along the claims to the last one, claims that, and
 *   the winner removes the dead claims it walked. Nothing is ever deleted that a process still
 *   holding a claim could need: a claim's name is freed only after the lock file it claims has
 *   been replaced, and lock texts never repeat (the nonce), so a late claim on it cannot win.
 *
 * The same process may open the folder again (a restart within one process, as tests do; a
 * container restarted with the same pid): a lock or claim naming this process's pid counts as
 * dead. A pid reused by an unrelated running process makes the folder look in use; the error says
 * what to delete then.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '../limits.ts';

export const LOCK_FILE = 'fuelcard.lock';

export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data folder ${dataDir} is in use by process ${pid} (a server or an admin command): stop it first. ` +
        `Only if no such process runs, delete ${join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a lock text's owner if that process runs (and is not this one), else null. */
function liveOwner(text: string): number | null {
  const pid = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return null;
  return isRunning(pid) ? pid : null;
}

/** The claim on the lock file whose text is `text` (exported for tests that plant a dead claim). */
export const claimPath = (lockPath: string, text: string): string =>
  `${lockPath}.${createHash('sha256').update(text).digest('hex').slice(0, 16)}.next`;

/** link(2): puts `from`'s file at `to` unless `to` exists (false then). */
async function linkUnlessTaken(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

type Seen = { path: string; text: string };

/**
 * One try at taking over a lock whose owner looked dead: walks from the lock file along the
 * claims to the last one, and claims it with this process's lock text (the file `made`). True when this process now holds the lock; false when
 * what it walked changed under it (try again); DataDirInUseError when a live process holds the
 * lock or a claim on it.
 */
async function takeOver(dataDir: string, lockPath: string, made: string): Promise<boolean> {
  const walked: Seen[] = [];
  let path = lockPath;
  for (let step = 0; step < LIMITS.dataDirLockClaimChainLengthMax; step++) {
    const text = await readText(path);
    // Gone: its owner let it go, or a winner replaced it and removed the claims it walked.
    if (text === null) return false;
    const owner = liveOwner(text);
    if (owner !== null) throw new DataDirInUseError(dataDir, owner);
    walked.push({ path, text });
    const claim = claimPath(lockPath, text);
    if (!(await linkUnlessTaken(made, claim))) {
      path = claim;
      continue;
    }
    // This process alone holds the claim on the last dead lock it walked. It replaces the lock
    // file only if nothing it walked changed meanwhile (only this claim's holder can change the
    // lock file now, and walked files are never rewritten, only replaced or removed).
    for (const seen of walked) {
      if ((await readText(seen.path)) !== seen.text) {
        await unlink(claim).catch(() => {});
        return false;
      }
    }
    await rename(claim, lockPath);
    for (const seen of walked.slice(1)) await unlink(seen.path).catch(() => {});
    return true;
  }
  throw new Error(
    `more than ${LIMITS.dataDirLockClaimChainLengthMax} processes were killed while taking over the lock ${lockPath}: ` +
      `if no server or admin command runs on ${dataDir}, delete ${lockPath} and ${lockPath}.*.next`,
  );
}

/** Claims the data folder for this process; resolves to the function that lets it go. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, LOCK_FILE);
  const mine = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  const made = join(dataDir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(made, mine, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < LIMITS.dataDirLockAttemptCountMax; attempt++) {
      if ((await linkUnlessTaken(made, lockPath)) || (await takeOver(dataDir, lockPath, made))) {
        return async () => {
          // Only this lock file: after a takeover within this process it is another one's.
          if ((await readText(lockPath)) === mine) await unlink(lockPath).catch(() => {});
        };
      }
    }
    throw new Error(`the lock ${lockPath} changed hands ${LIMITS.dataDirLockAttemptCountMax} times while this process tried to take it`);
  } finally {
    await unlink(made).catch(() => {});
  }
}
