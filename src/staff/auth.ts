/**
 * How an operator works on an outlet tablet (server/auth): the tablet is an enrolled device that
 * signs its requests with its secret (`Authorization: Device-HMAC-SHA256 <id>:<time>:<nonce>:
 * <signature>`, server/contract/device-auth.ts, src/lib/sync/device-signer.ts); the operator signs
 * in on it, and because the sign-in is signed by the tablet the server binds the session to the
 * tablet — its device id numbers the outbox's operations and its terminal id is the one the card
 * puts in its MACs. Every later call carries the session (`Authorization: Bearer <token>`)
 * instead of the device's signature: the server then knows the person and the tablet at once.
 *
 * The token lives in memory only: a reload asks the operator to sign in again, while what the
 * outbox holds waits (a push without a session is refused as UNAUTHENTICATED, which the outbox
 * treats like a network failure and keeps queued).
 */
import type { Role } from '../../server/contract/common.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { ApiClient } from '../lib/sync/client.ts';

export type OperatorSession = {
  token: string;
  expiresAtIso: string;
  role: Role;
  displayName: string;
  /** The operator's unit (the outlet), by name, for the status bar. */
  orgUnitName: { zh: string; en: string };
  /** The session's public id and operation key (a session bound to this tablet): what queued operations are stamped with. */
  maker?: { sessionId: string; operationKey: string };
};

/** Roles that may unload (server/auth/policy.ts ROLE_POLICY.unloadInitialise). */
export const UNLOAD_ROLES: readonly Role[] = ['outlet_operator', 'outlet_supervisor'];

/**
 * Signs the operator in through `deviceApi`, a client that presents the tablet's own device
 * credentials, so the session is bound to the tablet. Throws BackendError (LOGIN_FAILED,
 * ACCOUNT_LOCKED, NETWORK ...); the password is sent once and kept nowhere.
 */
export async function signInOnTablet(options: { deviceApi: ApiClient; username: string; password: string }): Promise<OperatorSession> {
  const answer = await options.deviceApi.call('login', { body: { username: options.username, password: options.password } });
  return {
    token: answer.token,
    expiresAtIso: answer.expiresAt,
    role: answer.role,
    displayName: answer.displayName,
    orgUnitName: answer.orgUnitName,
    ...(answer.sessionId && answer.operationKey ? { maker: { sessionId: answer.sessionId, operationKey: answer.operationKey } } : {}),
  };
}

/**
 * A fetch that presents the operator's session: give it to an ApiClient built with
 * `credentials: () => null`. Without a session the request goes out bare and the server answers
 * UNAUTHENTICATED, which the staff layer reports as SIGN_IN_REQUIRED.
 */
export function withOperatorSession(base: typeof fetch, session: () => OperatorSession | null): typeof fetch {
  return ((input: RequestInfo | URL, init: RequestInit = {}) => {
    const current = session();
    if (current === null) return base(input, init);
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${current.token}`);
    return base(input, { ...init, headers });
  }) as typeof fetch;
}

/** Refuses, before any card command, a session whose role may not unload. */
export function requireUnloadRole(session: OperatorSession): void {
  if (!UNLOAD_ROLES.includes(session.role)) throw new BackendError('FORBIDDEN', `role ${session.role} may not unload`);
}
