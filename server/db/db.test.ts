import { describe, expect, it } from 'vitest';
import { openTestDatabase, testEngine } from '../testing/db.ts';
import { isRetryable, withRetry } from './retry.ts';

describe(`the database layer on ${testEngine()}`, () => {
  it('returns BIGINT columns as bigint, never as a float or a string', async () => {
    const db = await openTestDatabase();
    try {
      const result = await db.query<{ v: bigint }>('SELECT 9007199254740993::bigint AS v');
      expect(result.rows[0]!.v).toBe(9007199254740993n);
    } finally {
      await db.close();
    }
  });

  it('commits a transaction whole and rolls it back whole on error', async () => {
    const db = await openTestDatabase();
    try {
      await db.exec('CREATE TABLE t (n int)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (1)');
        await tx.query('INSERT INTO t VALUES (2)');
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (3)');
          throw new Error('business rule refused');
        }),
      ).rejects.toThrow('business rule refused');
      const rows = await db.query<{ n: number }>('SELECT n FROM t ORDER BY n');
      expect(rows.rows.map((r) => r.n)).toEqual([1, 2]);
    } finally {
      await db.close();
    }
  });

  it('runs a transaction at read committed when asked, and the next one at serializable again by default', async () => {
    const db = await openTestDatabase();
    try {
      const level = (options?: { isolation: 'read committed' }) =>
        db.transaction(
          async (tx) => (await tx.query<{ transaction_isolation: string }>('SHOW transaction_isolation')).rows[0]!.transaction_isolation,
          options,
        );
      expect(await level({ isolation: 'read committed' })).toBe('read committed');
      expect(await level()).toBe('serializable');
      expect(await level({ isolation: 'read committed' })).toBe('read committed');
    } finally {
      await db.close();
    }
  });

  it('runs transactions at serializable isolation by default', async () => {
    const db = await openTestDatabase();
    try {
      const level = await db.transaction((tx) => tx.query<{ transaction_isolation: string }>('SHOW transaction_isolation'));
      expect(level.rows[0]!.transaction_isolation).toBe('serializable');
    } finally {
      await db.close();
    }
  });
});

describe('retry on serialization failure and deadlock', () => {
  it('retries a transaction that failed with 40001 or 40P01 and returns its result', async () => {
    let attempts = 0;
    const result = await withRetry(async () => {
      attempts++;
      if (attempts < 3) throw Object.assign(new Error('conflict'), { code: attempts === 1 ? '40001' : '40P01' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
  });

  it('gives up after the retry cap and rethrows the last error', async () => {
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw Object.assign(new Error('always conflicting'), { code: '40001' });
      }, 2),
    ).rejects.toThrow('always conflicting');
    expect(attempts).toBe(3);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await expect(
      withRetry(async () => {
        attempts++;
        throw Object.assign(new Error('unique violation'), { code: '23505' });
      }),
    ).rejects.toThrow('unique violation');
    expect(attempts).toBe(1);
    expect(isRetryable(null)).toBe(false);
  });
});
