/**
 * The operator's session on the tablet, as the staff screens live with it: sign-in (through the
 * tablet's own signature, so the server binds the session to this tablet: auth.ts), and its end,
 * whichever comes first — the operator signs out, nobody touched the screen for the idle limit
 * (a countdown first, which any touch stops), the session's own expiry, or the server refusing the
 * session (expired there, or the tablet disabled: every call then answers UNAUTHENTICATED). Each
 * end says why, so the sign-in screen can tell the operator. Headless, with its clock and timers
 * injectable, so the unit tests drive it without waiting.
 */
import { writable, type Readable } from 'svelte/store';
import { BackendError } from '../lib/net/backend-error.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import { signInOnTablet, type OperatorSession } from './auth.ts';
import { STAFF_LIMITS } from './limits.ts';

/** Why the last session ended (what the sign-in screen says). */
export type SessionEnd = 'signed_out' | 'idle' | 'expired' | 'refused';

export type SessionClock = {
  nowMs: () => number;
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

const realClock: SessionClock = {
  nowMs: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type SessionOptions = {
  /** A client that signs with the tablet's own credentials (the login is bound to the tablet). */
  deviceApi: ApiClient;
  /** A client that presents the session (withOperatorSession), for the sign-out call. */
  sessionApi: ApiClient;
  clock?: SessionClock;
  idleMs?: number;
  countdownMs?: number;
};

export class StaffSession {
  readonly #deviceApi: ApiClient;
  readonly #sessionApi: ApiClient;
  readonly #clock: SessionClock;
  readonly #idleMs: number;
  readonly #countdownMs: number;
  readonly #current = writable<OperatorSession | null>(null);
  readonly #ended = writable<SessionEnd | null>(null);
  /** Seconds left before the idle sign-out, while the countdown shows; null otherwise. */
  readonly #countdown = writable<number | null>(null);
  #session: OperatorSession | null = null;
  #timers: unknown[] = [];

  readonly current: Readable<OperatorSession | null> = this.#current;
  readonly ended: Readable<SessionEnd | null> = this.#ended;
  readonly countdown: Readable<number | null> = this.#countdown;

  constructor(options: SessionOptions) {
    this.#deviceApi = options.deviceApi;
    this.#sessionApi = options.sessionApi;
    this.#clock = options.clock ?? realClock;
    this.#idleMs = options.idleMs ?? STAFF_LIMITS.idleSignOutMs;
    this.#countdownMs = options.countdownMs ?? STAFF_LIMITS.idleCountdownMs;
  }

  /** The session as the fetch wrapper presents it (withOperatorSession). */
  get(): OperatorSession | null {
    return this.#session;
  }

  /** Throws BackendError (LOGIN_FAILED, ACCOUNT_LOCKED, RATE_LIMITED, UNAUTHENTICATED for a disabled tablet, NETWORK ...). */
  async signIn(username: string, password: string): Promise<OperatorSession> {
    const session = await signInOnTablet({ deviceApi: this.#deviceApi, username, password });
    this.#session = session;
    this.#current.set(session);
    this.#ended.set(null);
    this.touch();
    return session;
  }

  /** A touch anywhere: the idle countdown starts again from the full limit. */
  touch(): void {
    if (this.#session === null) return;
    this.#clearTimers();
    this.#countdown.set(null);
    const expiresInMs = Date.parse(this.#session.expiresAtIso) - this.#clock.nowMs();
    this.#timers.push(this.#clock.setTimeout(() => this.end('expired'), Math.max(0, expiresInMs)));
    this.#timers.push(this.#clock.setTimeout(() => this.#startCountdown(), Math.max(0, this.#idleMs - this.#countdownMs)));
  }

  #startCountdown(): void {
    let left = Math.ceil(this.#countdownMs / 1000);
    const tick = (): void => {
      if (this.#session === null) return;
      if (left <= 0) return this.end('idle');
      this.#countdown.set(left);
      left--;
      this.#timers.push(this.#clock.setTimeout(tick, 1000));
    };
    tick();
  }

  /** The server refused the session (UNAUTHENTICATED on a call that presented it): it is over. */
  refused(): void {
    if (this.#session !== null) this.end('refused');
  }

  /** The operator signs out: the server forgets the session too (best effort; it expires there anyway). */
  async signOut(): Promise<void> {
    if (this.#session === null) return;
    try {
      await this.#sessionApi.call('logout', { body: {} });
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
    }
    this.end('signed_out');
  }

  /** Ends the session here, saying why; the token is forgotten. */
  end(reason: SessionEnd): void {
    if (this.#session === null) return;
    this.#clearTimers();
    this.#session = null;
    this.#current.set(null);
    this.#countdown.set(null);
    this.#ended.set(reason);
  }

  #clearTimers(): void {
    for (const handle of this.#timers) this.#clock.clearTimeout(handle);
    this.#timers = [];
  }
}
