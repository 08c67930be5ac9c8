/**
 * Inside a transaction, only its tx (guard.ts): the database itself, used from inside one of its
 * own transactions, throws at once instead of hanging PGlite (issue 11).
 */
import { describe, expect, it } from 'vitest';
import { openEmptyTestDatabase as openTestDatabase, testEngine } from '../testing/db.ts';
import { DatabaseMisuseError } from './guard.ts';

/** Settles `promise`, or rejects when it has not settled within `ms` (a hang shows as this, not as a stuck test run). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: it hangs`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const ANSWER_MS = 5_000;

describe(`the database used inside its own transaction on ${testEngine()}`, () => {
  it('throws a programmer error at once for a query, an exec or a nested transaction, and rolls the transaction back', async () => {
    const db = await openTestDatabase();
    try {
      await db.exec('CREATE TABLE t (n int)');
      const misuses = [
        (): Promise<unknown> => db.query('SELECT 1'),
        (): Promise<unknown> => db.exec('SELECT 1'),
        (): Promise<unknown> => db.transaction((inner) => inner.query('SELECT 1')),
      ];
      for (const misuse of misuses) {
        const attempt = db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (1)');
          return misuse();
        });
        await expect(within(ANSWER_MS, attempt)).rejects.toBeInstanceOf(DatabaseMisuseError);
        await expect(attempt).rejects.toMatchObject({ code: 'DATABASE_USED_INSIDE_OWN_TRANSACTION' });
      }
      // Nothing was committed, and the database answers afterwards.
      expect((await within(ANSWER_MS, db.query<{ n: number }>('SELECT count(*)::int AS n FROM t'))).rows[0]!.n).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('catches the misuse however deep in the awaited work it happens', async () => {
    const db = await openTestDatabase();
    try {
      const deep = async (depth: number): Promise<unknown> => {
        await new Promise((resolve) => setImmediate(resolve));
        return depth === 0 ? db.query('SELECT 1') : deep(depth - 1);
      };
      await expect(
        within(
          ANSWER_MS,
          db.transaction(() => deep(5)),
        ),
      ).rejects.toBeInstanceOf(DatabaseMisuseError);
    } finally {
      await db.close();
    }
  });

  it('lets the transaction use its tx, another database inside it, and the database again once it is over', async () => {
    const db = await openTestDatabase();
    const other = await openTestDatabase();
    try {
      const inside = await db.transaction(async (tx) => {
        const mine = await tx.query<{ n: number }>('SELECT 1 AS n');
        const theirs = await other.query<{ n: number }>('SELECT 2 AS n');
        return mine.rows[0]!.n + theirs.rows[0]!.n;
      });
      expect(inside).toBe(3);
      expect((await within(ANSWER_MS, db.query<{ n: number }>('SELECT 4 AS n'))).rows[0]!.n).toBe(4);
      // Two transactions of one database one after the other, each with its own tx.
      for (const n of [5, 6])
        expect(await db.transaction(async (tx) => (await tx.query<{ n: number }>(`SELECT ${n} AS n`)).rows[0]!.n)).toBe(n);
    } finally {
      await other.close();
      await db.close();
    }
  });
});
