import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { maskCardNumbers } from './logging.ts';

/** Stands for a new operator's scrypt hash: it must never be written to the log. */
const SECRET_HASH = 'scrypt$131072$8$1$5ec12e7a1f$0ddba11cafebabe5ec12e7';
const CARD_NO = '10001131000000012345';

describe(`what the log keeps out, on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const lines: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    const failingInsert = (a: FastifyInstance): void => {
      // An insert that fails with the hash among its values: no display name (NOT NULL).
      a.post('/api/test/failing-insert', async () => {
        await db.query(
          "INSERT INTO operator (username, display_name, org_unit_id, role, password_hash) VALUES ('new.operator', $1, 1, 'administrator', $2)",
          [null, SECRET_HASH],
        );
        return {};
      });
    };
    app = await buildApp({
      db,
      config: { distDir: '/nonexistent', logLevel: 'info' },
      logStream: { write: (line: string) => void lines.push(line) },
      routes: [failingInsert],
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('logs a failed insert with its code and statement but without its values or the failing row', async () => {
    lines.length = 0;
    const response = await app.inject({ method: 'POST', url: '/api/test/failing-insert', payload: {} });
    expect(response.statusCode).toBe(500);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> });
    const error = logged.find((entry) => entry.msg === 'unhandled error')?.err;
    expect(error).toMatchObject({ code: '23502' });
    expect(String(error?.message)).toMatch(/display_name/);
    expect(lines.join('\n')).not.toContain('5ec12e7');
  });

  it('masks card numbers in logged URLs to their first 6 and last 4 digits', async () => {
    lines.length = 0;
    await app.inject({ method: 'GET', url: `/api/v1/cards/${CARD_NO}/history` });
    const text = lines.join('\n');
    expect(text).toContain('/api/v1/cards/100011**********2345/history');
    expect(text).not.toContain(CARD_NO);
  });
});

describe('card numbers in text', () => {
  it('keep their first 6 and last 4 digits, whatever their length from 13 digits', () => {
    expect(maskCardNumbers('/api/v1/cards/1000113100000001234')).toBe('/api/v1/cards/100011*********1234');
    expect(maskCardNumbers('/a/1234567890123?b=12345678901234567890')).toBe('/a/123456***0123?b=123456**********7890');
    expect(maskCardNumbers('/api/v1/org-units/123456789012')).toBe('/api/v1/org-units/123456789012');
  });
});
