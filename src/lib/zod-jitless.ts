/**
 * zod without its compiled parsers, for the app: zod builds object parsers with `new Function`
 * when eval is allowed and probes for it on first use, but the server's Content Security Policy
 * forbids eval (script-src 'self'), and Chromium reports even the caught probe as a violation.
 * Imported first by main.ts, so it runs before any schema parses.
 */
import { z } from 'zod';

z.config({ jitless: true });
