/**
 * What goes into the log, for the HTTP app and the process alike (pino options), and what must
 * not: an error from the database carries the statement's values (PGlite attaches `params`, and
 * PostgreSQL's `detail` repeats the failing row), so a failed insert of a new operator wrote their
 * scrypt hash into the log. Those fields are dropped from every logged error. Card numbers in
 * request URLs are masked to their first 6 and last 4 digits, as on a printed receipt, and a URL
 * is cut to LIMITS.loggedUrlCharsMax characters.
 */
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { FastifyRequest } from 'fastify';
import { LIMITS } from '../limits.ts';

/** Error fields that carry the values of a statement or of the row it wrote. */
const FIELDS_WITH_VALUES = new Set(['params', 'parameters', 'values', 'detail', 'queryOptions']);
/** How far into an error (causes, aggregated errors) the fields are looked for. */
const ERROR_NESTING_MAX = 8;

function withoutValues(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > ERROR_NESTING_MAX) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutValues(item, depth + 1));
  const kept = Object.entries(value as Record<string, unknown>).filter(([key]) => !FIELDS_WITH_VALUES.has(key));
  return Object.fromEntries(kept.map(([key, item]) => [key, withoutValues(item, depth + 1)]));
}

/** pino's error serializer (type, message, stack, own fields), minus the statement's values. */
export function serializeError(error: unknown): unknown {
  return withoutValues(pino.stdSerializers.err(error as Error), 0);
}

/** Card numbers (runs of 13 or more digits) shown as their first 6 and last 4 digits. */
export function maskCardNumbers(text: string): string {
  return text.replace(/[0-9]{13,}/g, (digits) => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`);
}

export function logUrl(url: string): string {
  const masked = maskCardNumbers(url);
  return masked.length > LIMITS.loggedUrlCharsMax ? `${masked.slice(0, LIMITS.loggedUrlCharsMax)}…` : masked;
}

/** Fastify's request serializer, with the URL masked and cut. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: logUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export type LogOptions = LoggerOptions & { stream?: DestinationStream };

/** The options of every logger of the server; `stream` lets a test read what would be written. */
export function logOptions(level: string, stream?: DestinationStream): LogOptions {
  return {
    level,
    serializers: { err: serializeError, error: serializeError, req: serializeRequest },
    ...(stream ? { stream } : {}),
  };
}
