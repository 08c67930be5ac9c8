/**
 * The simulated network between the devices and the server: a `fetch` per device that hands the
 * request to the real server (fastify's inject, no socket, so the run stays deterministic) and
 * may, as the seed's fault profile says, lose the request, deliver it late (after the client gave
 * up: a stale request that arrives after newer ones), deliver it twice, lose the answer, or find
 * the server down or crashing mid-request. A device in an offline period reaches nothing. A device
 * whose page died mid-request never gets its answer (its code stays suspended there, as a closed
 * tab's would).
 */
import type { LightMyRequestResponse } from 'fastify';
import type { SimRandom } from './random.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimServer } from './server.ts';

export type NetworkProfile = {
  requestLossRate: number;
  answerLossRate: number;
  /** The request reaches the server only after the client timed out, 1–120 s later. */
  lateDeliveryRate: number;
  duplicateRate: number;
  /** The server crashes after handling the request and before answering. */
  serverCrashRate: number;
  /** One-way latency, ms. */
  latencyMsMax: number;
};

export const NO_FAULTS: NetworkProfile = {
  requestLossRate: 0,
  answerLossRate: 0,
  lateDeliveryRate: 0,
  duplicateRate: 0,
  serverCrashRate: 0,
  latencyMsMax: 20,
};

/** One page's life on a device: when it dies, its requests hang forever. */
export type Incarnation = { readonly dead: boolean; crashAtNextRequest: boolean; kill(): void };

export type Endpoint = { deviceId: string; incarnation: Incarnation; authorization: () => string | null };

export type Delivery = { deviceId: string; method: string; path: string; body: unknown; status: number; answer: unknown; replay: boolean };

export type NetworkHooks = {
  /** Called with every answer the server gives (also to requests whose answer is then lost). */
  onDelivered?(delivery: Delivery): Promise<void>;
  /** Called with every request as it enters the network, before anything happens to it (what an observer on the wire sees first); `body` as sent. */
  onSent?(sent: { deviceId: string; path: string; body: string | undefined }): void;
};

const NEVER = new Promise<never>(() => {});

export const NETWORK_LIMITS = {
  /** Real (not simulated) time the server may take to answer one request before the run calls it hung. */
  serverAnswerRealMsMax: 10_000,
} as const;

function networkError(): TypeError {
  return new TypeError('fetch failed (simulated network)');
}

export class SimNetwork {
  readonly #server: SimServer;
  readonly #scheduler: Scheduler;
  readonly #random: SimRandom;
  profile: NetworkProfile;
  readonly hooks: NetworkHooks;
  readonly #offlineUntilMs = new Map<string, number>();
  #serverDownUntilMs = 0;
  /** Requests and their fates, for the summary. */
  readonly counts = { requests: 0, lost: 0, late: 0, duplicated: 0, answersLost: 0, crashes: 0, refusedOffline: 0 };
  /** Set when the server stopped answering (a liveness violation: the run ends, the database is not reused). */
  hung: string | null = null;
  /** Restarts the server (app, and sometimes the database); set by the run. */
  restartServer: (reason: string) => Promise<void> = async () => {};

  constructor(options: { server: SimServer; scheduler: Scheduler; random: SimRandom; profile: NetworkProfile; hooks?: NetworkHooks }) {
    this.#server = options.server;
    this.#scheduler = options.scheduler;
    this.#random = options.random;
    this.profile = options.profile;
    this.hooks = options.hooks ?? {};
  }

  setOffline(deviceId: string, untilMs: number): void {
    this.#offlineUntilMs.set(deviceId, untilMs);
  }

  setServerDown(untilMs: number): void {
    this.#serverDownUntilMs = untilMs;
  }

  isOffline(deviceId: string): boolean {
    return (this.#offlineUntilMs.get(deviceId) ?? 0) > this.#scheduler.clock.nowMs();
  }

  heal(): void {
    this.profile = NO_FAULTS;
    this.#offlineUntilMs.clear();
    this.#serverDownUntilMs = 0;
  }

  fetchFor(endpoint: Endpoint): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined) };
      const authorization = endpoint.authorization();
      if (authorization) headers.authorization = authorization;
      const request = {
        method: (init?.method ?? 'GET') as 'GET' | 'POST',
        path: url.pathname,
        headers,
        body: typeof init?.body === 'string' ? init.body : undefined,
      };
      return this.#exchange(endpoint, request);
    }) as typeof fetch;
  }

  /**
   * Everything chance decides about one request, drawn the moment it enters the network. Drawn
   * later (after the server answered), the draws of two requests in flight at once (a kiosk's
   * pull and history, another device's push) came in the order the real server happened to
   * finish them, and a seed no longer told one story: the replay test caught it.
   */
  #fateOf(endpoint: Endpoint): Fate {
    const p = this.profile;
    const lost = this.#random.chance(p.requestLossRate);
    const late = !lost && this.#random.chance(p.lateDeliveryRate);
    const lateDelayMs = late ? this.#random.int(1_000, 120_000) : 0;
    const duplicated = this.#random.chance(p.duplicateRate);
    const serverCrash = this.#random.chance(p.serverCrashRate);
    const answerLost = this.#random.chance(p.answerLossRate);
    const returnLatencyMs = this.#random.int(1, p.latencyMsMax);
    // The page's death waits for an answer; the request that takes the flag is the one that entered first.
    const killsPage = !lost && !late && endpoint.incarnation.crashAtNextRequest;
    if (killsPage) endpoint.incarnation.crashAtNextRequest = false;
    return { lost, late, lateDelayMs, duplicated, serverCrash, answerLost, returnLatencyMs, killsPage };
  }

  async #exchange(endpoint: Endpoint, request: Request_): Promise<Response> {
    const clock = this.#scheduler.clock;
    this.counts.requests++;
    if (endpoint.incarnation.dead) return NEVER;
    clock.advance(this.#random.int(1, this.profile.latencyMsMax));
    if (this.isOffline(endpoint.deviceId) || this.#serverDownUntilMs > clock.nowMs()) {
      this.counts.refusedOffline++;
      throw networkError();
    }
    this.hooks.onSent?.({ deviceId: endpoint.deviceId, path: request.path, body: request.body });
    const fate = this.#fateOf(endpoint);
    const label = `${endpoint.deviceId} ${request.method} ${request.path.replace('/api/v1/', '')}`;
    if (fate.lost) {
      this.counts.lost++;
      this.#scheduler.note(`net: ${label} request lost`);
      throw networkError();
    }
    if (fate.late) {
      this.counts.late++;
      this.#scheduler.note(`net: ${label} request delayed ${Math.round(fate.lateDelayMs / 1000)}s (client gives up)`);
      this.#scheduler.after(fate.lateDelayMs, `net:late ${label}`, async () => {
        if (this.#serverDownUntilMs > clock.nowMs()) return;
        try {
          const late = await this.#deliver(endpoint.deviceId, request, true);
          this.#scheduler.note(`net: late ${label} delivered → ${late.statusCode}`);
        } catch {
          // The server was down or crashed when the late copy arrived: that copy is simply lost.
          this.#scheduler.note(`net: late ${label} lost (server not there)`);
        }
      });
      throw networkError();
    }
    if (process.env.SIM_DEBUG) this.#scheduler.note(`net: ${label} sending`);
    const response = await this.#deliver(endpoint.deviceId, request, false);
    if (process.env.SIM_DEBUG) this.#scheduler.note(`net: ${label} answered ${response.statusCode}`);
    if (fate.duplicated) {
      this.counts.duplicated++;
      const copy = await this.#deliver(endpoint.deviceId, request, true);
      this.#scheduler.note(`net: ${label} duplicated → ${response.statusCode}, copy → ${copy.statusCode}`);
    }
    if (fate.killsPage) {
      endpoint.incarnation.kill();
      this.#scheduler.note(`dev: ${endpoint.deviceId} page dies waiting for ${label} (${response.statusCode})`);
      return NEVER;
    }
    if (fate.serverCrash) {
      this.counts.crashes++;
      await this.restartServer(`crash after ${label}`);
      throw networkError();
    }
    if (fate.answerLost) {
      this.counts.answersLost++;
      this.#scheduler.note(`net: ${label} answer lost (${response.statusCode})`);
      throw networkError();
    }
    clock.advance(fate.returnLatencyMs);
    return new Response(response.body, { status: response.statusCode, headers: { 'content-type': 'application/json' } });
  }

  async #deliver(deviceId: string, request: Request_, replay: boolean): Promise<LightMyRequestResponse> {
    const app = this.#server.app;
    if (!app || this.hung) throw networkError();
    // A request caught by a crash (the app or its database closed under it) is a dropped
    // connection to the device, not a harness failure; fastify answers handler errors with a 5xx.
    const injected = app
      .inject({
        method: request.method,
        url: request.path,
        headers: request.headers,
        ...(request.body === undefined ? {} : { payload: request.body }),
      })
      .catch(() => {
        throw networkError();
      });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      watchdog = setTimeout(() => resolve('hung'), NETWORK_LIMITS.serverAnswerRealMsMax);
    });
    const response = await Promise.race([injected, hung]).finally(() => clearTimeout(watchdog));
    if (response === 'hung') {
      this.hung ??= `${request.method} ${request.path} from ${deviceId} got no answer in ${NETWORK_LIMITS.serverAnswerRealMsMax} ms of real time`;
      throw networkError();
    }
    if (this.hooks.onDelivered) {
      let answer: unknown;
      try {
        answer = response.json();
      } catch {
        answer = null;
      }
      const body = request.body === undefined ? undefined : (JSON.parse(request.body) as unknown);
      await this.hooks.onDelivered({
        deviceId,
        method: request.method,
        path: request.path,
        body,
        status: response.statusCode,
        answer,
        replay,
      });
    }
    return response;
  }
}

type Fate = {
  lost: boolean;
  late: boolean;
  lateDelayMs: number;
  duplicated: boolean;
  serverCrash: boolean;
  answerLost: boolean;
  returnLatencyMs: number;
  killsPage: boolean;
};

type Request_ = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body: string | undefined };
