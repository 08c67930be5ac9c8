/**
 * The request body parser: JSON only, checked once here before any route sees it, so every string
 * the contract accepts is covered, the free-form payloads of sync pushes included. Refused with 400:
 * - nesting deeper than LIMITS.requestJsonDepthMax, counted on the text before it is parsed:
 *   walks over a body recurse (canonical JSON for the request hash), and a push nested ~5,000
 *   deep overflowed the stack and answered 500;
 * - a NUL character or an unpaired surrogate in any string or key: PostgreSQL refuses NUL in text
 *   and jsonb (a NUL in the sign-in name answered 500 before any credential was checked), and
 *   UTF-8 cannot encode a lone surrogate, so the drivers would store U+FFFD instead of what was sent.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

/** True when arrays and objects in JSON text are open more than `depthMax` deep; no parsing, no recursion. */
export function jsonNestingExceeds(text: string, depthMax: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped, even a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > depthMax) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A surrogate code unit without its pair (the u flag reads a pair as one code point, not Cs). */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function unstorable(text: string): boolean {
  return text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);
}

/** True when a string or an object key anywhere in a parsed JSON value cannot be stored as sent. */
export function hasUnstorableText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (unstorable(item)) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        if (unstorable(key)) return true;
        pending.push(element);
      }
    }
  }
  return false;
}

/**
 * SHA-256 (hex) of each parsed request's body bytes exactly as they arrived, for the check of a
 * device's signature (server/auth/device-signature.ts), which covers the body as sent rather
 * than as parsed.
 */
const bodyDigests = new WeakMap<FastifyRequest, string>();

const EMPTY_SHA256_HEX = createHash('sha256').digest('hex');

/** The SHA-256 of the request's body bytes, or of nothing when it had no body. */
export function bodySha256Hex(request: FastifyRequest): string {
  return bodyDigests.get(request) ?? EMPTY_SHA256_HEX;
}

/** Replaces fastify's body parsers: application/json with the checks above, and nothing else (415). */
export function registerJsonBody(app: FastifyInstance): void {
  // Fastify's own parser keeps its refusal of __proto__ and constructor.prototype keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer; // parseAs: 'buffer'
    bodyDigests.set(request, createHash('sha256').update(bytes).digest('hex'));
    const text = bytes.toString('utf8');
    if (jsonNestingExceeds(text, LIMITS.requestJsonDepthMax)) return done(new ApiError('JSON_TOO_DEEP'), undefined);
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      if (hasUnstorableText(value)) return done(new ApiError('TEXT_INVALID'), undefined);
      done(null, value);
    });
  });
}
