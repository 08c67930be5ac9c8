/** The operator's session on the tablet: sign-in, and every way it ends (src/staff/session.ts). */
import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import type { ApiClient } from '../lib/sync/client.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { StaffSession, type SessionClock } from './session.ts';

/** A clock whose timers run only when the test moves time on. */
function fakeClock(): SessionClock & { advance(ms: number): void } {
  let now = Date.parse('2026-01-05T02:00:00Z');
  let timers: Array<{ at: number; run: () => void; id: number }> = [];
  let nextId = 0;
  return {
    nowMs: () => now,
    setTimeout: (run, ms) => {
      const id = ++nextId;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.run();
      }
      now = until;
    },
  };
}

type Calls = string[];
function fakeApis(calls: Calls, options: { loginFails?: string; expiresInMs?: number; logoutFails?: boolean } = {}) {
  const deviceApi = {
    call: async (name: string, input: { body: { username: string } }) => {
      calls.push(`${name}:${input.body.username}`);
      if (options.loginFails) throw new BackendError(options.loginFails as 'LOGIN_FAILED', 'refused');
      return {
        token: 't'.repeat(40),
        expiresAt: new Date(Date.parse('2026-01-05T02:00:00Z') + (options.expiresInMs ?? 8 * 3_600_000)).toISOString(),
        role: 'outlet_operator',
        orgUnitId: '3',
        orgUnitName: { zh: '演示营业网点', en: 'Demo Outlet' },
        displayName: '演示营业员',
      };
    },
  } as unknown as ApiClient;
  const sessionApi = {
    call: async (name: string) => {
      calls.push(name);
      if (options.logoutFails) throw new BackendError('NETWORK', 'down');
      return { signedOut: true };
    },
  } as unknown as ApiClient;
  return { deviceApi, sessionApi };
}

const IDLE_MS = 10 * 60_000;
const COUNTDOWN_MS = 60_000;

function sessionWith(options: Parameters<typeof fakeApis>[1] = {}) {
  const calls: Calls = [];
  const clock = fakeClock();
  const session = new StaffSession({ ...fakeApis(calls, options), clock, idleMs: IDLE_MS, countdownMs: COUNTDOWN_MS });
  return { session, clock, calls };
}

describe('the operator session on the tablet', () => {
  it('signs in through the tablet, and signs out on the server too', async () => {
    const { session, calls } = sessionWith();
    await session.signIn('demo.operator', 'pw');
    expect(get(session.current)?.orgUnitName.zh).toBe('演示营业网点');
    expect(session.get()?.token).toHaveLength(40);
    await session.signOut();
    expect(calls).toEqual(['login:demo.operator', 'logout']);
    expect([session.get(), get(session.ended)]).toEqual([null, 'signed_out']);
  });

  it('keeps no session when the sign-in is refused', async () => {
    const { session } = sessionWith({ loginFails: 'LOGIN_FAILED' });
    await expect(session.signIn('demo.operator', 'wrong')).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
    expect([session.get(), get(session.ended)]).toEqual([null, null]);
  });

  it('signs out here even when the server cannot be told', async () => {
    const { session } = sessionWith({ logoutFails: true });
    await session.signIn('demo.operator', 'pw');
    await session.signOut();
    expect(get(session.ended)).toBe('signed_out');
  });

  it('counts down before the idle sign-out; a touch starts the wait again', async () => {
    const { session, clock } = sessionWith();
    await session.signIn('demo.operator', 'pw');
    clock.advance(IDLE_MS - COUNTDOWN_MS - 1);
    expect(get(session.countdown)).toBeNull();
    clock.advance(1);
    expect(get(session.countdown)).toBe(60);
    clock.advance(30_000);
    expect(get(session.countdown)).toBe(30);
    session.touch();
    expect(get(session.countdown)).toBeNull();
    clock.advance(IDLE_MS - COUNTDOWN_MS + 5_000);
    expect(get(session.countdown)).toBe(55);
    clock.advance(COUNTDOWN_MS);
    expect([session.get(), get(session.ended), get(session.countdown)]).toEqual([null, 'idle', null]);
  });

  it("ends at the session's own expiry, however busy the clerk is", async () => {
    const { session, clock } = sessionWith({ expiresInMs: 5 * 60_000 });
    await session.signIn('demo.operator', 'pw');
    clock.advance(4 * 60_000);
    session.touch();
    clock.advance(60_000);
    expect(get(session.ended)).toBe('expired');
  });

  it('ends when the server refuses the session, and only once', async () => {
    const { session } = sessionWith();
    session.refused(); // no session: nothing to end
    expect(get(session.ended)).toBeNull();
    await session.signIn('demo.operator', 'pw');
    session.refused();
    session.refused();
    expect([session.get(), get(session.ended)]).toEqual([null, 'refused']);
  });
});
