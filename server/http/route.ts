/**
 * Registers an endpoint of the contract table with its checks in a fixed order: the contract
 * version of a `versioned` endpoint (contract-version.ts), authenticate, authorise by role
 * (server/auth/policy.ts), then validate params, query and body with the contract's zod schema. A
 * handler therefore never runs for an app of another contract version, an unknown caller, a
 * forbidden role or a malformed request, and it receives typed input.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ENDPOINTS, type EndpointName } from '../contract/index.ts';
import { authenticate, type Principal } from '../auth/principal.ts';
import { bodySha256Hex } from './body.ts';
import { claimedContractVersion, requireContractVersion } from './contract-version.ts';
import { ROLE_POLICY } from '../auth/policy.ts';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { Services } from './services.ts';

type Ep<N extends EndpointName> = (typeof ENDPOINTS)[N];
type BodyOf<N extends EndpointName> = Ep<N> extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
type ParamsOf<N extends EndpointName> = Ep<N> extends { params: infer P extends z.ZodType } ? z.output<P> : undefined;
type QueryOf<N extends EndpointName> = Ep<N> extends { query: infer Q extends z.ZodType } ? z.output<Q> : undefined;
type PrincipalOf<N extends EndpointName> = Ep<N> extends { public: true } ? null : Principal;

export type RouteContext<N extends EndpointName> = {
  principal: PrincipalOf<N>;
  body: BodyOf<N>;
  params: ParamsOf<N>;
  query: QueryOf<N>;
  request: FastifyRequest;
  services: Services;
};

/**
 * The first problem, as the field's path and what was expected. zod's text for unknown keys lists
 * them, which would repeat whatever a client sent, so that one is a count; the whole message is
 * cut to LIMITS.errorMessageCharsMax.
 */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'body: invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  const what = issue.code === 'unrecognized_keys' ? `${issue.keys.length} unknown field(s)` : issue.message;
  const message = `${where}: ${what}`;
  return message.length > LIMITS.errorMessageCharsMax ? `${message.slice(0, LIMITS.errorMessageCharsMax)}…` : message;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('INVALID_REQUEST', describeIssue(parsed.error.issues[0]));
  return parsed.data;
}

/** The principal behind a request's credentials (see authenticate), or null. */
export function authenticateRequest(services: Services, request: FastifyRequest): Promise<Principal | null> {
  const signed = {
    authorization: request.headers.authorization,
    method: request.method,
    url: request.url,
    bodySha256Hex: bodySha256Hex(request),
  };
  return authenticate(services.db, signed, { kekHex: services.kekHex, now: services.now() });
}

export function registerEndpoint<N extends EndpointName>(
  app: FastifyInstance,
  services: Services,
  name: N,
  handler: (ctx: RouteContext<N>) => Promise<z.input<Ep<N>['response']>>,
): void {
  const endpoint = ENDPOINTS[name] as Ep<N> & {
    public?: boolean;
    versioned?: true;
    body?: z.ZodType;
    params?: z.ZodType;
    query?: z.ZodType;
  };
  app.route({
    method: endpoint.method,
    url: endpoint.path,
    handler: async (request) => {
      if (endpoint.versioned) requireContractVersion(claimedContractVersion(request.body));
      let principal: Principal | null = null;
      if (endpoint.public !== true) {
        principal = await authenticateRequest(services, request);
        if (principal === null) throw new ApiError('UNAUTHENTICATED');
        const allowed = ROLE_POLICY[name as keyof typeof ROLE_POLICY];
        if (!allowed.includes(principal.role)) throw new ApiError('FORBIDDEN');
      }
      const body = endpoint.body ? parseWith(endpoint.body, request.body) : undefined;
      const params = endpoint.params ? parseWith(endpoint.params, request.params) : undefined;
      const query = endpoint.query ? parseWith(endpoint.query, request.query) : undefined;
      return handler({ principal, body, params, query, request, services } as RouteContext<N>);
    },
  });
}
