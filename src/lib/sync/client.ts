/**
 * The app's HTTP client, built from the server's endpoint table (server/contract/endpoints.ts):
 * the path, method and shapes come from the contract, requests are checked before they leave and
 * answers are checked when they arrive, so a shape mismatch is caught at the edge. Devices
 * authenticate with `Authorization: Device <id>:<secret>`.
 *
 * Failures are BackendError: NETWORK when the server could not be reached (or took too long),
 * otherwise the server's error code. The caller never sees a raw fetch error.
 */
import type { z } from 'zod';
import { ENDPOINTS, type EndpointName } from '../../../server/contract/endpoints.ts';
import { ApiErrorBody } from '../../../server/contract/errors.ts';
import { BackendError } from '../../kiosk/backend.ts';

export type DeviceCredentials = { deviceId: string; secret: string };

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
};

const DEFAULT_TIMEOUT_MS = 15_000;

export class ApiClient {
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  async call<K extends EndpointName>(name: K, input: { body?: BodyOf<K>; params?: ParamsOf<K> } = {}): Promise<ResponseOf<K>> {
    const endpoint: { method: string; path: string; body?: z.ZodType; params?: z.ZodType; response: z.ZodType } = ENDPOINTS[name];
    const params = endpoint.params ? (endpoint.params.parse(input.params) as Record<string, string>) : {};
    const path = endpoint.path.replace(/:([a-zA-Z]+)/g, (_, key: string) => encodeURIComponent(params[key] ?? ''));
    const headers: Record<string, string> = { accept: 'application/json' };
    const credentials = this.#options.credentials();
    if (credentials) headers.authorization = `Device ${credentials.deviceId}:${credentials.secret}`;
    let body: string | undefined;
    if (endpoint.body) {
      body = JSON.stringify(endpoint.body.parse(input.body));
      headers['content-type'] = 'application/json';
    }
    const response = await this.#fetch(`${this.#options.baseUrl}${path}`, { method: endpoint.method, headers, ...(body === undefined ? {} : { body }) });
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = ApiErrorBody.safeParse(json);
      throw new BackendError(error.success ? error.data.error.code : `HTTP_${response.status}`, error.success ? error.data.error.message : response.statusText);
    }
    const parsed = endpoint.response.safeParse(json);
    if (!parsed.success) throw new BackendError('RESPONSE_INVALID', `${name}: the server's answer does not match the contract`);
    return parsed.data as ResponseOf<K>;
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
