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
 * Failures are BackendError: NETWORK when the server could not be reached (or took too long),
 * otherwise the server's error code (ErrorCode), or HTTP_<status> when the refusal carries no
 * catalogue body this app knows. The caller never sees a raw fetch error.
 */
import type { z } from 'zod';
import { ENDPOINTS, type EndpointName } from '../../../server/contract/endpoints.ts';
import { ApiErrorBody } from '../../../server/contract/errors.ts';
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
  if (!isSafeForDeviceCredentials(url)) throw new BackendError('INSECURE_SERVER', `device credentials are sent only over HTTPS (or to localhost), not to ${url.origin}`);
}

/** The page's own address (the PWA), or a placeholder where there is no page (Node). */
function pageOrigin(): string {
  return typeof location === 'undefined' ? 'http://localhost' : location.href;
}

type Table = typeof ENDPOINTS;
type BodyOf<K extends EndpointName> = Table[K] extends { body: z.ZodType } ? z.input<Table[K]['body']> : undefined;
type ParamsOf<K extends EndpointName> = Table[K] extends { params: z.ZodType } ? z.input<Table[K]['params']> : undefined;
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
};

type Prepared = { url: string; method: string; headers: Record<string, string>; body: string | undefined; pathWithQuery: string };

const DEFAULT_TIMEOUT_MS = 15_000;

export class ApiClient {
  readonly #options: ApiClientOptions;
  readonly #crypto: DeviceCrypto;
  /** Server clock minus device clock, learnt from DEVICE_CLOCK_SKEW; 0 until the server says otherwise. */
  #clockOffsetMs = 0;

  constructor(options: ApiClientOptions) {
    this.#options = options;
    this.#crypto = options.deviceCrypto ?? webDeviceCrypto();
  }

  async call<K extends EndpointName>(name: K, input: { body?: BodyOf<K>; params?: ParamsOf<K> } = {}): Promise<ResponseOf<K>> {
    const endpoint: { method: string; path: string; body?: z.ZodType; params?: z.ZodType; response: z.ZodType } = ENDPOINTS[name];
    const params = endpoint.params ? (endpoint.params.parse(input.params) as Record<string, string>) : {};
    const path = endpoint.path.replace(/:([a-zA-Z]+)/g, (_, key: string) => encodeURIComponent(params[key] ?? ''));
    const target = new URL(`${this.#options.baseUrl}${path}`, pageOrigin());
    const request: Prepared = {
      url: `${this.#options.baseUrl}${path}`,
      method: endpoint.method,
      headers: { accept: 'application/json' },
      body: endpoint.body ? JSON.stringify(endpoint.body.parse(input.body)) : undefined,
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
      throw new BackendError(error ? error.code : `HTTP_${answer.response.status}`, error ? error.message : answer.response.statusText);
    }
    const parsed = endpoint.response.safeParse(answer.json);
    if (!parsed.success) throw new BackendError('RESPONSE_INVALID', `${name}: the server's answer does not match the contract`);
    return parsed.data as ResponseOf<K>;
  }

  #deviceNowMs(): number {
    return (this.#options.nowMs ?? Date.now)();
  }

  async #send(request: Prepared, credentials: DeviceCredentials | null): Promise<{ response: Response; json: unknown; error: ApiErrorBody['error'] | null }> {
    const headers = { ...request.headers };
    if (credentials) {
      const timestampMs = this.#deviceNowMs() + this.#clockOffsetMs;
      headers.authorization = await signDeviceRequest(this.#crypto, credentials, { method: request.method, pathWithQuery: request.pathWithQuery, body: request.body, timestampMs });
    }
    const response = await this.#fetch(request.url, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }) });
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
