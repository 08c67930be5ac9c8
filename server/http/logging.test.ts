import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { maskCardNumbers } from './logging.ts';
import { formatLogLine } from './terminal-log.ts';

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
      config: { distDir: '/nonexistent', logLevel: 'debug' },
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

describe(`requests in the log at info, on ${testEngine()}`, () => {
  it('are not logged, health checks included, unless the server failed them', async () => {
    const db = await openTestDatabase();
    const lines: string[] = [];
    const failing = (a: FastifyInstance): void => {
      a.get('/api/test/fails', async () => {
        throw new Error('broken on purpose');
      });
    };
    const app = await buildApp({
      db,
      config: { distDir: '/nonexistent', logLevel: 'info' },
      logStream: { write: (line: string) => void lines.push(line) },
      routes: [failing],
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: `/api/v1/cards/${CARD_NO}` })).statusCode).toBe(401);
      expect(lines).toEqual([]);
      expect((await app.inject({ method: 'GET', url: '/api/test/fails' })).statusCode).toBe(500);
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; level: number; res?: { statusCode: number } });
      expect(logged.find((entry) => entry.msg === 'request completed')).toMatchObject({ level: 50, res: { statusCode: 500 } });
    } finally {
      await app.close();
      await db.close();
    }
  });
});

describe('card numbers in text', () => {
  it('keep their first 6 and last 4 digits, whatever their length from 13 digits', () => {
    expect(maskCardNumbers('/api/v1/cards/1000113100000001234')).toBe('/api/v1/cards/100011*********1234');
    expect(maskCardNumbers('/a/1234567890123?b=12345678901234567890')).toBe('/a/123456***0123?b=123456**********7890');
    expect(maskCardNumbers('/api/v1/org-units/123456789012')).toBe('/api/v1/org-units/123456789012');
  });
});

describe('log lines at a terminal', () => {
  it('read as time in Beijing, level, message and fields, with the stack of an error', () => {
    const time = Date.UTC(2026, 11, 7, 7, 4, 5);
    expect(
      formatLogLine(JSON.stringify({ level: 40, time, pid: 1, hostname: 'h', msg: 'database unavailable', code: 'X', cause: 'a b' })),
    ).toBe('15:04:05 WARN  database unavailable code=X cause="a b"\n');
    const withError = formatLogLine(
      JSON.stringify({ level: 50, time, msg: 'unhandled error', err: { message: 'm', stack: 'Error: m\n    at f' } }),
    );
    expect(withError).toBe('15:04:05 ERROR unhandled error\nError: m\n    at f\n');
    expect(formatLogLine('not json')).toBe('not json\n');
  });
});
