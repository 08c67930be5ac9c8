/**
 * The HTTP application: routes, error handling and the built app, without listening.
 * Tests call buildApp() and use fastify.inject(); main.ts adds the listener and signals.
 *
 * Fastify was chosen because it is well kept, fast, validates and serialises by schema, logs
 * structured JSON through pino out of the box, and has a clean close() for graceful shutdown.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { DestinationStream } from 'pino';
import type { Database } from './db/index.ts';
import type { Config } from './config.ts';
import { ApiError, API_ERRORS } from './errors.ts';
import { LIMITS } from './limits.ts';
import { CONTRACT_VERSION, openApiDocument, type HealthResponse } from './contract/index.ts';
import { isRetryable } from './db/retry.ts';
import { isConnectionFailure } from './db/unavailable.ts';
import type { KeyStore } from './keys/keystore.ts';
import { SoftwareKeyStore } from './keys/software.ts';
import { clearKeySchedules } from '../ccid/crypto/index.ts';
import type { Services } from './http/services.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { registerCardRoutes } from './cards/routes.ts';
import { registerLoadRoutes } from './loads/routes.ts';
import { registerLedgerRoutes } from './ledger/routes.ts';
import { registerAuditRoutes } from './audit/routes.ts';
import type { AuditCheckpointSource } from './audit/search.ts';
import { auditKeyOf } from './audit/checkpoints.ts';
import { registerApprovalRoutes } from './auth/approvals.ts';
import { registerSyncRoutes } from './sync/routes.ts';
import { registerCustomerRoutes } from './customers/routes.ts';
import { registerShiftRoutes } from './shifts/routes.ts';
import { registerInfoRoutes } from './info/routes.ts';
import { registerStockRoutes } from './stock/routes.ts';
import { registerStationRoutes } from './stations/routes.ts';
import { registerStationCardRoutes } from './cards/station-routes.ts';
import { registerCalendarRoutes } from './calendar/routes.ts';
import { registerLossReportRoutes } from './cards/loss-routes.ts';
import { registerCors } from './http/cors.ts';
import { registerJsonBody } from './http/body.ts';
import { registerHeaders } from './http/headers.ts';
import { registerApiDocs } from './http/api-docs.ts';
import { ROLE_POLICY } from './auth/policy.ts';
import { logOptions } from './http/logging.ts';
import { answerClientError, CLIENT_ERROR_BY_STATUS, trackRoutes } from './http/refusals.ts';

export type AppOptions = {
  db: Database;
  config: Pick<Config, 'distDir' | 'logLevel'> &
    Partial<
      Pick<
        Config,
        | 'kekHex'
        | 'purseMaxNamedFen'
        | 'purseMaxAnonymousFen'
        | 'cashReceiptMaxFen'
        | 'approvalAboveFen'
        | 'demoDevicesPerAddressMax'
        | 'auditDir'
        | 'auditKeyHex'
        | 'iwaOrigins'
        | 'tls'
        | 'trustProxy'
      >
    >;
  /** Default: the software key store over `issuer_key`, when a key-encryption key is configured. */
  keyStore?: KeyStore;
  /** The server clock; tests pass a fixed one. */
  now?: () => Date;
  /** Tests pass false to keep their output clean. */
  logger?: boolean;
  /** Where log lines go instead of stdout (tests read what was logged). */
  logStream?: DestinationStream;
  /** Route modules registered after the built-in ones (tests add probes this way). */
  routes?: Array<(app: FastifyInstance) => void>;
};

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.retryAfterS !== undefined) reply.header('retry-after', String(error.retryAfterS));
  const serverTime = error.serverTime === undefined ? {} : { serverTime: error.serverTime.toISOString() };
  const contractVersion = error.contractVersion === undefined ? {} : { contractVersion: error.contractVersion };
  return reply.status(error.status).send({ error: { code: error.code, message: error.message, ...serverTime, ...contractVersion } });
}

/**
 * Maps fastify's own failures (bad JSON, too large, wrong content type, a bad URL) into the
 * catalogue. Their messages are never passed on: fastify's repeat the request (a 9 KB URL came
 * back whole in a 414), so the answer carries the catalogue's fixed text.
 */
function toApiError(error: FastifyError): ApiError | undefined {
  if (error instanceof ApiError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('INVALID_JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_BAD_URL':
      return new ApiError('URL_INVALID');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('URL_TOO_LONG');
  }
  // PostgreSQL restarting, stopped or cut off: the client retries soon with the same operation
  // id, which finds the first outcome if a COMMIT went through unanswered.
  if (isConnectionFailure(error)) return new ApiError('DATABASE_UNAVAILABLE', undefined, { retryAfterS: LIMITS.retryAfterS });
  // Still conflicting after the bounded retries: the client retries later with the same id.
  if (isRetryable(error)) return new ApiError('UNAVAILABLE', undefined, { retryAfterS: LIMITS.retryAfterS });
  if (error.validation) return new ApiError('INVALID_REQUEST');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError(CLIENT_ERROR_BY_STATUS[error.statusCode] ?? 'INVALID_REQUEST');
  }
  return undefined;
}

function registerErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError) {
      // Said louder than a refusal: the operator needs to see the database is out of reach.
      if (apiError.code === 'DATABASE_UNAVAILABLE')
        request.log.warn(
          { code: apiError.code, cause: error.message, outcomeUnknown: (error as { outcomeUnknown?: boolean }).outcomeUnknown === true },
          'database unavailable',
        );
      // A refusal is the answer to a request (a wrong PIN, a pending load), logged with it at debug.
      else request.log.debug({ code: apiError.code }, 'request refused');
      return sendError(reply, apiError);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new ApiError('INTERNAL'));
  });
}

function isAppNavigation(request: FastifyRequest): boolean {
  return request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/healthz';
}

function registerApp(app: FastifyInstance, distDir: string, methodsOf: (path: string) => string[]): void {
  const built = existsSync(join(distDir, 'index.html'));
  if (built) {
    app.register(fastifyStatic, {
      root: distDir,
      wildcard: false,
      cacheControl: false,
      // Source maps are not served: they would hand out the whole client source.
      allowedPath: (path: string) => !path.endsWith('.map'),
      setHeaders(reply: FastifyReply, filePath: string) {
        // Hashed assets never change; everything else (index.html, sw.js, manifest) is revalidated.
        const immutable = filePath.startsWith(join(distDir, 'assets'));
        reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsOf(path);
    if (allowed.length > 0 && !allowed.includes(request.method))
      return sendError(reply.header('Allow', allowed.join(', ')), new ApiError('METHOD_NOT_ALLOWED'));
    // A missing file (a name with an extension, such as a source map) is not a client-side route.
    if (!isAppNavigation(request) || extname(path) !== '') return sendError(reply, new ApiError('NOT_FOUND'));
    if (!built) return sendError(reply, new ApiError('APP_NOT_BUILT'));
    // Client-side routes (/staff, /admin ...) all load the app shell.
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}

/** Where the verification finds the signed checkpoints: only with a folder and a key (the KEK's or the audit key). */
function auditCheckpointsOf(config: AppOptions['config']): AuditCheckpointSource {
  const key = auditKeyOf({ auditKeyHex: config.auditKeyHex, kekHex: config.kekHex });
  return config.auditDir === undefined || key === undefined ? undefined : { dir: config.auditDir, key };
}

function servicesOf(options: AppOptions): Services {
  const { config } = options;
  const keyStore = options.keyStore ?? (config.kekHex ? new SoftwareKeyStore(config.kekHex) : undefined);
  return {
    db: options.db,
    keyStore,
    kekHex: config.kekHex,
    now: options.now ?? (() => new Date()),
    purseMaxNamedFen: config.purseMaxNamedFen ?? 500_000,
    purseMaxAnonymousFen: config.purseMaxAnonymousFen ?? 100_000,
    cashReceiptMaxFen: config.cashReceiptMaxFen ?? 10_000_000,
    approvalAboveFen: config.approvalAboveFen ?? 2_000_000,
    demoDevicesPerAddressMax: config.demoDevicesPerAddressMax ?? LIMITS.demoKioskRequestCountPerAddressMax,
    auditCheckpoints: auditCheckpointsOf(config),
  };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { tls, trustProxy } = options.config;
  // Fastify's types tie the instance to http or https; the app is the same either way.
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    // The client address the sign-in and demo limits count by comes from X-Forwarded-For only
    // when the request arrives from a proxy named in FUELCARD_TRUST_PROXY.
    trustProxy: trustProxy ?? false,
    logger: options.logger === false ? false : logOptions(options.config.logLevel, options.logStream),
    bodyLimit: LIMITS.requestBodyBytesMax,
    // Requests are logged by the onResponse hook below: at debug, or as errors when the server failed.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => crypto.randomUUID(),
    // A malformed or over-long URL, refused before any route is looked for.
    frameworkErrors: (error, request, reply) => {
      const refusal = toApiError(error) ?? new ApiError('URL_INVALID');
      request.log.debug({ code: refusal.code }, 'request refused');
      return sendError(reply, refusal);
    },
    clientErrorHandler: answerClientError,
  });
  registerErrors(app);
  // Every request (health checks included) at debug, so that a server at info logs what needs a
  // person: its start, warnings and failures. A 5xx answer is an error whatever the level.
  app.addHook('onResponse', async (request, reply) => {
    const level = reply.statusCode >= 500 ? 'error' : 'debug';
    request.log[level]({ req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  });
  const methodsOf = trackRoutes(app);
  app.addHook('onRequest', async (request) => {
    if (request.url.length > LIMITS.requestUrlCharsMax) throw new ApiError('URL_TOO_LONG');
  });
  await registerHeaders(app, { hsts: tls !== undefined });
  // The API speaks JSON only; anything else is refused with 415 instead of parsed as text.
  registerJsonBody(app);

  app.get('/healthz', async (): Promise<HealthResponse> => {
    await options.db.query('SELECT 1');
    return { status: 'ok', database: options.db.kind };
  });

  registerCors(app, options.config.iwaOrigins ?? []);
  // Built once: the contract does not change while the server runs.
  const openApi = openApiDocument(CONTRACT_VERSION, { catalogue: API_ERRORS, roles: ROLE_POLICY });
  app.get('/api/openapi.json', async () => openApi);
  registerApiDocs(app);
  const services = servicesOf(options);
  // Keys are decrypted up front: a key-encryption key that does not open them stops the start.
  // (Warming is no longer what keeps a first key use inside a transaction from hanging PGlite:
  // the key store reads through the caller's connection, keystore.ts.)
  await services.keyStore?.warm(options.db);
  for (const register of [
    registerInfoRoutes,
    registerAuthRoutes,
    registerCardRoutes,
    registerLoadRoutes,
    registerSyncRoutes,
    registerCustomerRoutes,
    registerShiftRoutes,
    registerLedgerRoutes,
    registerAuditRoutes,
    registerApprovalRoutes,
    registerStockRoutes,
    registerStationRoutes,
    registerStationCardRoutes,
    registerCalendarRoutes,
    registerLossReportRoutes,
  ])
    register(app, services);

  for (const register of options.routes ?? []) register(app);
  registerApp(app, options.config.distDir, methodsOf);
  // Keys leave memory with the app (main.ts closes it on SIGTERM and SIGINT): the key store's
  // master and card keys and the cached DES key schedules are zeroised. The app owns the store,
  // even one passed in.
  app.addHook('onClose', async () => {
    services.keyStore?.close();
    clearKeySchedules();
  });
  await app.ready();
  return app;
}

export { API_ERRORS };
