/**
 * The contract version check of the endpoints marked `versioned` (server/contract/version.ts):
 * a request made under another CONTRACT_VERSION than this server's is refused whole with
 * CONTRACT_VERSION_MISMATCH (409, the server's version in the error body) before anything is
 * looked at: not its credentials (another version may sign differently, and an app told
 * UNAUTHENTICATED would think itself retired), not its shape (another version's shape is not
 * this one's, and INVALID_REQUEST would read as the app's fault), and no operation of it (nothing
 * recorded, nothing applied; the device keeps its queue for the app that speaks this version).
 */
import { CONTRACT_VERSION } from '../contract/version.ts';
import { ApiError } from '../errors.ts';

/** The version a request body names, read before the body is checked against its schema. */
export function claimedContractVersion(body: unknown): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as { contractVersion?: unknown }).contractVersion
    : undefined;
}

/** Refuses (CONTRACT_VERSION_MISMATCH) a request made under another version than this server's. */
export function requireContractVersion(version: unknown): void {
  if (version === CONTRACT_VERSION) return;
  // The message names the request's version only when it is a plain number: a refusal never
  // repeats whatever text a client sent.
  const theirs = typeof version === 'number' && Number.isSafeInteger(version) ? `contract version ${version}` : 'no contract version';
  throw new ApiError(
    'CONTRACT_VERSION_MISMATCH',
    `the request was made under ${theirs}; this server speaks version ${CONTRACT_VERSION}: update the app (or the server) first; nothing was done`,
    {
      contractVersion: CONTRACT_VERSION,
    },
  );
}
