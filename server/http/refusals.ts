/**
 * Refusals made before a route runs, in the API's error shape ({ error: { code, message } }) with
 * catalogue codes: node's own HTTP-level errors (headers too large, a request that is not HTTP),
 * and 405 for a known path asked with another method. None of them repeats the request.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { API_ERRORS, type ApiErrorCode } from '../errors.ts';

/** The catalogue entry for a refusal by fastify or a plugin that has no code of its own. */
export const CLIENT_ERROR_BY_STATUS: Partial<Record<number, ApiErrorCode>> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  414: 'URL_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * Node's refusals, before fastify has a request: headers (request line included) past node's
 * limit, bytes that do not parse as HTTP, a request that took too long to arrive. The error is
 * not logged whole: node attaches the raw bytes received, Authorization header included.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ApiErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'HEADERS_TOO_LARGE'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'REQUEST_TIMEOUT'
        : 'HTTP_MALFORMED';
  const { status, message } = API_ERRORS[code];
  this.log.debug({ code, cause: error.code }, 'connection refused');
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** A route's path as a pattern over request paths (`:name` stands for one segment). */
function pathPattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * Records every route's methods as it is registered (call before registering any), and answers
 * which methods a request path has: none means 404, some means 405 with an Allow header.
 */
export function trackRoutes(app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    routes.push({ pattern: pathPattern(route.url), methods: [route.method].flat() });
  });
  return (path) => [...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods))];
}
