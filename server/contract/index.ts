/**
 * The wire contract between the app (src/) and the server: zod schemas of every request and
 * response, and the types derived from them. The only part of server/ that src/ imports.
 * CONTRACT_VERSION changes whenever a shape changes (tests/unit/contract.test.ts enforces it).
 */
export const CONTRACT_VERSION = 1;
export * from './health.ts';
export * from './errors.ts';
