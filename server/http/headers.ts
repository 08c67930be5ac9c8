/**
 * Response headers for every answer, app and API alike: the security headers (helmet) with a
 * Content Security Policy that fits the built app, and compression (br, gzip) of JSON, HTML,
 * scripts and styles. Registered before any route, as compression attaches itself per route.
 *
 * The policy: the Svelte build is only files of this origin (scripts and styles from dist/assets,
 * no inline script or style attribute), the service worker is /sw.js with Workbox bundled in,
 * and the PWA calls its own origin's API. The Isolated Web App build never gets these headers: it
 * runs from its signed bundle under the CSP Chromium imposes on IWAs, and calls this server
 * through CORS (server/http/cors.ts).
 */
import type { FastifyInstance } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyCompress from '@fastify/compress';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** HSTS (a year) is sent only when this server itself answers over HTTPS (`hsts`). */
export async function registerHeaders(app: FastifyInstance, options: { hsts?: boolean } = {}): Promise<void> {
  await app.register(fastifyHelmet, {
    // No upgrade-insecure-requests: kiosks reach the server over plain HTTP on the station
    // network, and the upgrade would send every script and API call to an https port nobody serves.
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS belongs to whatever terminates TLS: this server when it has FUELCARD_TLS_CERT, else the
    // reverse proxy in front of it. Never over plain HTTP, where it would only mislead.
    strictTransportSecurity: options.hsts === true ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: false } : false,
  });
  // Request bodies are not inflated: clients send small JSON, and inflating what a stranger sends
  // (a compression bomb) is work the server need not offer.
  await app.register(fastifyCompress, { global: true, globalDecompression: false, encodings: ['br', 'gzip'] });
}
