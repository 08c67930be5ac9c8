/**
 * Sign-in under attack (issue 11, item 4): the throttle holds under parallel requests, locks an
 * address out of a name rather than a person out of the system, answers unknown names like real
 * ones, rate-limits by address, bounds the password hashes running at once; sessions end when
 * idle and ended sessions are deleted; hashes made with an older scrypt cost still verify.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { demoCardNo } from '../demo/money.ts';
import { DEMO_OPERATOR_PASSWORD } from '../demo/seed.ts';
import { LIMITS } from '../limits.ts';
import { expectSound, openTestApp, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { deleteEndedSessions } from './principal.ts';
import { hashPassword, passwordHashing, sha256Hex, verifyPassword } from './secrets.ts';
import { deleteStaleThrottleRows } from './throttle.ts';

const OLD_COST = { N: 16_384, r: 8, p: 1 };

describe(`sign-in throttling on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const signIn = (username: string, password: string, remoteAddress: string): Promise<LightMyRequestResponse> =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
  const codeOf = (r: LightMyRequestResponse) => (r.statusCode === 200 ? 'SIGNED_IN' : (r.json().error.code as string));
  const hashesDuring = async <T>(work: () => Promise<T>): Promise<{ result: T; hashes: number }> => {
    const before = passwordHashing.stats.started;
    const result = await work();
    return { result, hashes: passwordHashing.stats.started - before };
  };

  it.each([
    [40, 'demo.operator'],
    [60, 'demo.supervisor'],
  ])(
    'checks at most the allowed number of passwords when %i sign-ins with one right password arrive at once, and never signs in past the limit',
    async (n, username) => {
      const address = `10.1.${n}.1`;
      const right = Math.floor(n / 2);
      const { result: answers, hashes } = await hashesDuring(() =>
        Promise.all(
          Array.from({ length: n }, (_, i) => signIn(username, i === right ? DEMO_OPERATOR_PASSWORD : `wrong-password-${i}`, address)),
        ),
      );
      const codes = answers.map(codeOf);
      const count = (code: string) => codes.filter((c) => c === code).length;
      expect(hashes).toBeGreaterThan(0);
      expect(hashes).toBeLessThanOrEqual(LIMITS.loginFailureCountMax);
      // Every checked password was answered with its result; every other request was refused unchecked.
      expect(count('SIGNED_IN') + count('LOGIN_FAILED')).toBe(hashes);
      expect(count('SIGNED_IN')).toBeLessThanOrEqual(1);
      expect(count('ACCOUNT_LOCKED') + count('RATE_LIMITED')).toBe(n - hashes);
      expect(count('RATE_LIMITED')).toBe(n - LIMITS.loginRequestCountPerAddressMax);
    },
  );

  it('lets the administrator sign in from another address while one address is locked out of the name', async () => {
    for (let i = 0; i < LIMITS.loginFailureCountMax; i++)
      expect(codeOf(await signIn('demo.admin', 'guessed-wrong', '10.3.0.66'))).toBe('LOGIN_FAILED');
    const locked = await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, '10.3.0.66');
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(LIMITS.loginLockoutMs / 1000 - 60);
    const elsewhere = await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, '10.3.0.7');
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.json().role).toBe('administrator');
  });

  it("keeps a name reachable from an address it signed in from when attackers spend the name's budget for new addresses", async () => {
    // Signing in from the office makes that address known (its check is the first of the budget).
    expect((await signIn('demo.center', DEMO_OPERATOR_PASSWORD, '10.4.0.1')).statusCode).toBe(200);
    const spent = (await t.db.query<{ checks: number }>('SELECT checks FROM sign_in_name WHERE name_hash = $1', [sha256Hex('demo.center')]))
      .rows[0]!.checks;
    const attackers = Array.from({ length: LIMITS.loginNameCheckCountMax - spent }, (_, i) => `10.4.1.${i + 1}`);
    const guesses = await Promise.all(attackers.map((address) => signIn('demo.center', 'guessed-wrong', address)));
    expect(guesses.map(codeOf)).toEqual(attackers.map(() => 'LOGIN_FAILED'));
    // The budget is spent: a new address is refused before any check, even with the right password.
    const { result: newcomer, hashes } = await hashesDuring(() => signIn('demo.center', DEMO_OPERATOR_PASSWORD, '10.4.2.1'));
    expect(codeOf(newcomer)).toBe('ACCOUNT_LOCKED');
    expect(hashes).toBe(0);
    // ... and gets its pair's reservation back, so its own later attempts are not held against it.
    const pair = await t.db.query<{ checks: number }>('SELECT checks FROM sign_in_pair WHERE name_hash = $1 AND client_address = $2', [
      sha256Hex('demo.center'),
      '10.4.2.1',
    ]);
    expect(pair.rows[0]?.checks).toBe(0);
    // The person at the address they signed in from is not held back by the name's budget.
    expect((await signIn('demo.center', DEMO_OPERATOR_PASSWORD, '10.4.0.1')).statusCode).toBe(200);
  });

  it('answers an unknown name exactly as a real one, wrong or locked out, after the same number of password hashes', async () => {
    const address = '10.5.0.1';
    const answer = async (username: string, password: string) => {
      const { result, hashes } = await hashesDuring(() => signIn(username, password, address));
      return { status: result.statusCode, body: result.json() as unknown, hashes };
    };
    for (let i = 0; i < LIMITS.loginFailureCountMax; i++) {
      const real = await answer('demo.other', 'guessed-wrong');
      expect(real).toEqual({ status: 401, body: { error: { code: 'LOGIN_FAILED', message: 'wrong user name or password' } }, hashes: 1 });
      expect(await answer('no.such.operator', 'guessed-wrong')).toEqual(real);
    }
    const lockedReal = await answer('demo.other', DEMO_OPERATOR_PASSWORD);
    expect(lockedReal).toEqual({
      status: 423,
      body: { error: { code: 'ACCOUNT_LOCKED', message: 'too many failed sign-ins; try again later' } },
      hashes: 0,
    });
    expect(await answer('no.such.operator', DEMO_OPERATOR_PASSWORD)).toEqual(lockedReal);
  });

  it('refuses sign-in requests past the limit per address with RATE_LIMITED 429 in the error shape, with Retry-After', async () => {
    const address = '10.6.0.1';
    // Malformed bodies count too (the limit runs before the body is read) and cost no hash.
    for (let i = 0; i < LIMITS.loginRequestCountPerAddressMax; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {}, remoteAddress: address });
      expect(r.json().error.code).toBe('INVALID_REQUEST');
    }
    const limited = await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: 'too many requests from this address; retry after the time in Retry-After' },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(LIMITS.loginRequestWindowMs / 1000);
    // Another address is not affected.
    expect((await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, '127.0.0.1')).statusCode).toBe(200);
  });

  it('runs one password hash at a time and answers SIGN_IN_BUSY at once to 60 sign-ins with unknown names past the queue, giving their reservations back', async () => {
    const peakBefore = passwordHashing.stats.runningPeak;
    const names = Array.from({ length: 60 }, (_, i) => `unknown.name.${i}`);
    const started = performance.now();
    const answers = names.map((name, i) =>
      signIn(name, 'any-password', `10.7.0.${i + 1}`).then((r) => ({ r, ms: performance.now() - started })),
    );
    // Kiosks keep being answered while the sign-ins hash.
    const inquiry = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: t.kiosk });
    expect(inquiry.statusCode).toBe(200);
    const settled = await Promise.all(answers);
    const busy = settled.filter(({ r }) => codeOf(r) === 'SIGN_IN_BUSY');
    const checked = settled.filter(({ r }) => codeOf(r) === 'LOGIN_FAILED');
    expect(busy.length + checked.length).toBe(60);
    // All 60 arrive within the first hash; a slow machine may let a few more in as hashes finish.
    expect(checked.length).toBeGreaterThanOrEqual(LIMITS.passwordHashesRunningMax + LIMITS.passwordHashesWaitingMax);
    expect(busy.length).toBeGreaterThan(60 / 2);
    expect(Math.max(peakBefore, passwordHashing.stats.runningPeak)).toBeLessThanOrEqual(LIMITS.passwordHashesRunningMax);
    for (const { r } of busy) {
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
    }
    // Refused at once, not after waiting behind the hashes.
    expect(Math.max(...busy.map(({ ms }) => ms))).toBeLessThan(Math.max(...checked.map(({ ms }) => ms)));
    const reserved = await t.db.query<{ n: bigint }>(
      "SELECT coalesce(sum(checks), 0)::bigint AS n FROM sign_in_pair WHERE client_address LIKE '10.7.0.%'",
    );
    expect(reserved.rows[0]!.n).toBe(BigInt(checked.length));
  });

  it('verifies a password hashed with the old scrypt cost and stores it again at the current cost', async () => {
    const old = await hashPassword(DEMO_OPERATOR_PASSWORD, OLD_COST);
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    await t.db.query("UPDATE operator SET password_hash = $1 WHERE username = 'demo.admin'", [old]);
    expect((await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, '127.0.0.1')).statusCode).toBe(200);
    const stored = (await t.db.query<{ password_hash: string }>("SELECT password_hash FROM operator WHERE username = 'demo.admin'"))
      .rows[0]!.password_hash;
    const { N, r, p } = LIMITS.scryptCost;
    expect(stored.startsWith(`scrypt$${N}$${r}$${p}$`)).toBe(true);
    expect(await verifyPassword(DEMO_OPERATOR_PASSWORD, stored)).toBe(true);
    expect((await signIn('demo.admin', DEMO_OPERATOR_PASSWORD, '127.0.0.1')).statusCode).toBe(200);
  });

  it('refuses a stored hash that asks for more memory than the limit, without computing it', async () => {
    const greedy = `scrypt$${2 ** 22}$8$1$${'00'.repeat(16)}$${'00'.repeat(32)}`;
    const { result, hashes } = await hashesDuring(() => verifyPassword('anything', greedy));
    expect(result).toBe(false);
    expect(hashes).toBe(0);
  });
});

describe(`operator sessions on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());

  const signIn = async (): Promise<string> => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'demo.center', password: DEMO_OPERATOR_PASSWORD },
    });
    expect(r.statusCode).toBe(200);
    return r.json().token as string;
  };
  const inquire = (token: string) =>
    t.app.inject({ method: 'GET', url: `/api/v1/cards/${demoCardNo(1)}`, headers: { authorization: `Bearer ${token}` } });
  const lastSeen = async (token: string) =>
    (await t.db.query<{ at: string }>('SELECT last_seen_at::text AS at FROM operator_session WHERE token_hash = $1', [sha256Hex(token)]))
      .rows[0]?.at;
  const setLastSeen = (token: string, secondsAgo: number) =>
    t.db.query("UPDATE operator_session SET last_seen_at = now() - ($2 || ' seconds')::interval WHERE token_hash = $1", [
      sha256Hex(token),
      String(secondsAgo),
    ]);

  it('ends a session after the idle limit, and writes its last use at most once a minute', async () => {
    const token = await signIn();
    const touchS = LIMITS.operatorSessionTouchIntervalMs / 1000;
    await setLastSeen(token, touchS / 2);
    const recent = await lastSeen(token);
    expect((await inquire(token)).statusCode).toBe(200);
    expect(await lastSeen(token)).toBe(recent);
    await setLastSeen(token, touchS * 2);
    expect((await inquire(token)).statusCode).toBe(200);
    const touched = await t.db.query<{ fresh: boolean }>(
      "SELECT last_seen_at > now() - interval '10 seconds' AS fresh FROM operator_session WHERE token_hash = $1",
      [sha256Hex(token)],
    );
    expect(touched.rows[0]!.fresh).toBe(true);
    await setLastSeen(token, LIMITS.operatorSessionIdleMs / 1000 + 1);
    const idle = await inquire(token);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('deletes sessions past their absolute or idle end when someone signs in', async () => {
    const expired = await signIn();
    const idle = await signIn();
    const live = await signIn();
    await t.db.query("UPDATE operator_session SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(expired)]);
    await setLastSeen(idle, LIMITS.operatorSessionIdleMs / 1000 + 1);
    const next = await signIn();
    const left = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM operator_session WHERE token_hash = ANY($1)', [
      [expired, idle, live, next].map(sha256Hex),
    ]);
    expect(left.rows.map((row) => row.token_hash).sort()).toEqual([live, next].map(sha256Hex).sort());
    // The scheduled sweep does the same without a sign-in.
    await t.db.query("UPDATE operator_session SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(live)]);
    await deleteEndedSessions(t.db);
    expect((await t.db.query('SELECT 1 FROM operator_session WHERE token_hash = $1', [sha256Hex(live)])).rows).toHaveLength(0);
  });

  it('deletes throttle rows that no longer lock anything out nor mark a known address', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'someone.else', password: 'guessed-wrong' },
      remoteAddress: '10.8.0.1',
    });
    const rows = async () =>
      Number(
        (await t.db.query<{ n: bigint }>("SELECT count(*)::bigint AS n FROM sign_in_pair WHERE client_address = '10.8.0.1'")).rows[0]!.n,
      );
    expect(await rows()).toBe(1);
    await deleteStaleThrottleRows(t.db);
    expect(await rows()).toBe(1);
    await t.db.query("UPDATE sign_in_pair SET resets_at = now() - interval '1 second' WHERE client_address = '10.8.0.1'");
    await t.db.query("UPDATE sign_in_name SET resets_at = now() - interval '1 second' WHERE name_hash = $1", [sha256Hex('someone.else')]);
    await deleteStaleThrottleRows(t.db);
    expect(await rows()).toBe(0);
    expect((await t.db.query('SELECT 1 FROM sign_in_name WHERE name_hash = $1', [sha256Hex('someone.else')])).rows).toHaveLength(0);
    // An address the name signed in from is remembered while it is known.
    const known = await t.db.query<{ n: bigint }>(
      'SELECT count(*)::bigint AS n FROM sign_in_pair WHERE name_hash = $1 AND known_until > now()',
      [sha256Hex('demo.center')],
    );
    expect(known.rows[0]!.n).toBeGreaterThan(0n);
  });
});
