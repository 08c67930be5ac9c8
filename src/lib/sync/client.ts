/**
 * The app's HTTP client, built from the server's endpoint table (server/contract/endpoints.ts):
 * the path, method and shapes come from the contract, requests are checked before they leave and
 * answers are checked when they arrive, so a shape mismatch is caught at the edge. Devices sign
 * every request with their secret (device-signer.ts); the secret itself never travels. A device
 * whose clock is off is told the server's time (DEVICE_CLOCK_SKEW): the client keeps the offset
 * and signs the same request again, once, so a kiosk with a wrong clock keeps working.
 *
 * Device credentials go only to a server reached over HTTPS, or to this machine itself
 * (localhost, 127.0.0.1, ::1) for development: over plain HTTP anyone on the network would read
 * the enrolment answer, which carries the secret (INSECURE_SERVER, checked before anything is sent).
 *
 * The contract's version travels with every `versioned` endpoint (sync push and pull,
 * server/contract/version.ts): the client fills this app's CONTRACT_VERSION into the request
 * (callers never name it) and refuses an answer made under another version, before its shape is
 * checked, with CONTRACT_VERSION_MISMATCH, the code the server refuses a request of another
 * version with. Either way the listeners of onContractMismatch hear of it (the sync loop stops
 * and the status bar asks for an update); nothing of the request is retried.
 *
 * Failures are BackendError: NETWORK when the server could not be reached (or took too long),
 * otherwise the server's error code (ErrorCode), or HTTP_<status> when the refusal carries no
 * catalogue body this app knows. The caller never sees a raw fetch error.
 */
import type { z } from 'zod';
import { ENDPOINTS, type EndpointName } from '../../../server/contract/endpoints.ts';
import { ApiErrorBody } from '../../../server/contract/errors.ts';
import { CONTRACT_VERSION } from '../../../server/contract/version.ts';
import { BackendError } from '../net/backend-error.ts';
import { signDeviceRequest, webDeviceCrypto, type DeviceCrypto } from './device-signer.ts';

export type DeviceCredentials = { deviceId: string; secret: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when device credentials may be sent to `url`: HTTPS, or a server on this very machine. */
export function isSafeForDeviceCredentials(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost'));
}

/** Refuses (INSECURE_SERVER) before a credential or an enrolment code would cross plain HTTP. */
export function assertSafeForDeviceCredentials(url: URL): void {
  if (!isSafeForDeviceCredentials(url))
    throw new BackendError('INSECURE_SERVER', `device credentials are sent only over HTTPS (or to localhost), not to ${url.origin}`);
}

/** The page's own address (the PWA), or a placeholder where there is no page (Node). */
function pageOrigin(): string {
  return typeof location === 'undefined' ? 'http://localhost' : location.href;
}

type Table = typeof ENDPOINTS;
/** A request body as callers write it: without `contractVersion`, which the client fills in on versioned endpoints. */
type BodyOf<K extends EndpointName> = Table[K] extends { body: z.ZodType }
  ? Table[K] extends { versioned: true }
    ? Omit<z.input<Table[K]['body']>, 'contractVersion'>
    : z.input<Table[K]['body']>
  : undefined;
type ParamsOf<K extends EndpointName> = Table[K] extends { params: z.ZodType } ? z.input<Table[K]['params']> : undefined;
type QueryOf<K extends EndpointName> = Table[K] extends { query: z.ZodType } ? z.input<Table[K]['query']> : undefined;
export type ResponseOf<K extends EndpointName> = z.output<Table[K]['response']>;

export type ApiClientOptions = {
  /** '' for the page's own origin; a full URL for the Isolated Web App. */
  baseUrl: string;
  credentials: () => DeviceCredentials | null;
  fetch?: typeof fetch;
  /** A request that takes longer is abandoned and reported as NETWORK. */
  timeoutMs?: number;
  /** The device's clock, which signatures are stamped with (before any correction the server asks for). */
  nowMs?: () => number;
  /** Hashing and HMAC for signatures; Web Crypto by default. */
  deviceCrypto?: DeviceCrypto;
  /** The contract version this app speaks: CONTRACT_VERSION; tests set another to play an app of another release. */
  contractVersion?: number;
};

/** What a contract mismatch listener hears: the server's version when it said which (null otherwise). */
export type ContractMismatch = { appVersion: number; serverVersion: number | null };

type Prepared = { url: string; method: string; headers: Record<string, string>; body: string | undefined; pathWithQuery: string };

const DEFAULT_TIMEOUT_MS = 15_000;

export class ApiClient {
  readonly #options: ApiClientOptions;
  readonly #crypto: DeviceCrypto;
  readonly #contractVersion: number;
  readonly #mismatchListeners = new Set<(mismatch: ContractMismatch) => void>();
  /** Server clock minus device clock, learnt from DEVICE_CLOCK_SKEW; 0 until the server says otherwise. */
  #clockOffsetMs = 0;

  constructor(options: ApiClientOptions) {
    this.#options = options;
    this.#crypto = options.deviceCrypto ?? webDeviceCrypto();
    this.#contractVersion = options.contractVersion ?? CONTRACT_VERSION;
  }

  /** The contract version this client speaks. */
  get contractVersion(): number {
    return this.#contractVersion;
  }

  /** Called whenever the server refuses this app's contract version or answers under another one. */
  onContractMismatch(listener: (mismatch: ContractMismatch) => void): () => void {
    this.#mismatchListeners.add(listener);
    return () => this.#mismatchListeners.delete(listener);
  }

  /** Tells the listeners, then returns the error the call fails with. */
  #contractMismatch(serverVersion: number | null, message: string): BackendError {
    const mismatch: ContractMismatch = { appVersion: this.#contractVersion, serverVersion };
    for (const listener of this.#mismatchListeners) listener(mismatch);
    return new BackendError('CONTRACT_VERSION_MISMATCH', message);
  }

  async call<K extends EndpointName>(
    name: K,
    input: { body?: BodyOf<K>; params?: ParamsOf<K>; query?: QueryOf<K> } = {},
  ): Promise<ResponseOf<K>> {
    const endpoint: {
      method: string;
      path: string;
      versioned?: true;
      body?: z.ZodType;
      params?: z.ZodType;
      query?: z.ZodType;
      response: z.ZodType;
    } = ENDPOINTS[name];
    const params = endpoint.params ? (endpoint.params.parse(input.params) as Record<string, string>) : {};
    const query = endpoint.query ? (endpoint.query.parse(input.query) as Record<string, string | number | undefined>) : {};
    const search = new URLSearchParams(
      Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
    ).toString();
    const path =
      endpoint.path.replace(/:([a-zA-Z]+)/g, (_, key: string) => encodeURIComponent(params[key] ?? '')) +
      (search === '' ? '' : `?${search}`);
    const target = new URL(`${this.#options.baseUrl}${path}`, pageOrigin());
    const request: Prepared = {
      url: `${this.#options.baseUrl}${path}`,
      method: endpoint.method,
      headers: { accept: 'application/json' },
      body: endpoint.body
        ? JSON.stringify(
            endpoint.body.parse(endpoint.versioned ? { ...(input.body as object), contractVersion: this.#contractVersion } : input.body),
          )
        : undefined,
      // What the server sees on the request line, which the signature covers.
      pathWithQuery: `${target.pathname}${target.search}`,
    };
    if (request.body !== undefined) request.headers['content-type'] = 'application/json';
    const credentials = this.#options.credentials();
    if (credentials) assertSafeForDeviceCredentials(target);
    let answer = await this.#send(request, credentials);
    // A clock the server finds too far off: sign again with the server's time, once. The request
    // was refused before anything ran, so sending it again is safe whatever it does.
    if (answer.error?.code === 'DEVICE_CLOCK_SKEW' && answer.error.serverTime !== undefined && credentials) {
      this.#clockOffsetMs = Date.parse(answer.error.serverTime) - this.#deviceNowMs();
      answer = await this.#send(request, credentials);
    }
    if (!answer.response.ok) {
      const error = answer.error;
      if (error?.code === 'CONTRACT_VERSION_MISMATCH') throw this.#contractMismatch(error.contractVersion ?? null, error.message);
      throw new BackendError(error ? error.code : `HTTP_${answer.response.status}`, error ? error.message : answer.response.statusText);
    }
    // Another version's answer is refused as such, before its shape is held against this one's.
    if (endpoint.versioned) {
      const theirs = (answer.json as { contractVersion?: unknown } | null)?.contractVersion;
      if (theirs !== this.#contractVersion) {
        const serverVersion = typeof theirs === 'number' && Number.isSafeInteger(theirs) ? theirs : null;
        throw this.#contractMismatch(
          serverVersion,
          `${name}: the server answered under contract version ${serverVersion ?? '(none)'}; this app speaks ${this.#contractVersion}`,
        );
      }
    }
    const parsed = endpoint.response.safeParse(answer.json);
    if (!parsed.success) throw new BackendError('RESPONSE_INVALID', `${name}: the server's answer does not match the contract`);
    return parsed.data as ResponseOf<K>;
  }

  #deviceNowMs(): number {
    return (this.#options.nowMs ?? Date.now)();
  }

  async #send(
    request: Prepared,
    credentials: DeviceCredentials | null,
  ): Promise<{ response: Response; json: unknown; error: ApiErrorBody['error'] | null }> {
    const headers = { ...request.headers };
    if (credentials) {
      const timestampMs = this.#deviceNowMs() + this.#clockOffsetMs;
      headers.authorization = await signDeviceRequest(this.#crypto, credentials, {
        method: request.method,
        pathWithQuery: request.pathWithQuery,
        body: request.body,
        timestampMs,
      });
    }
    const response = await this.#fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const json: unknown = await response.json().catch(() => null);
    if (response.ok) return { response, json, error: null };
    const error = ApiErrorBody.safeParse(json);
    return { response, json, error: error.success ? error.data.error : null };
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      return await (this.#options.fetch ?? fetch)(url, { ...init, signal: controller.signal, cache: 'no-store' });
    } catch {
      throw new BackendError('NETWORK', 'the server could not be reached');
    } finally {
      clearTimeout(timer);
    }
  }
}
