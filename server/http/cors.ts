/**
 * Cross-origin access for the kiosk built as an Isolated Web App: its pages come from
 * `isolated-app://<web bundle id>/`, not from this server, so the browser asks first (CORS).
 * Only origins on the configured list are answered (FUELCARD_IWA_ORIGINS: the bundle ids the
 * issuer signs); everything else gets no CORS headers and the browser blocks it. The PWA served
 * by this server is same-origin and needs none of this.
 */
import type { FastifyInstance } from 'fastify';

/** How long a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE_S = 600;

export function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/$/, '')));
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    if (request.method !== 'OPTIONS') return;
    reply.header('Access-Control-Allow-Methods', 'GET, POST');
    reply.header('Access-Control-Allow-Headers', 'authorization, content-type');
    reply.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
    return reply.status(204).send();
  });
}
