/**
 * The management centre's link to the server (docs/operations.md § Card stock). A browser at a
 * centre is not an enrolled device: the operator signs in with user name and password (the login
 * endpoint accepts a sign-in without a device signature, and the session is then bound to no
 * device), and every later call carries the session as `Authorization: Bearer <token>`. The
 * ApiClient sends no device credentials (`credentials: () => null`); the token lives in memory
 * only, so a reload asks for the password again.
 */
import type { Role } from '../../server/contract/common.ts';
import { ApiClient } from '../lib/sync/client.ts';

export type CentreSession = { token: string; role: Role; displayName: string; expiresAtIso: string };

/** Roles the centre's screens serve (server/auth/policy.ts: stockIn and requisition). */
export const CENTRE_ROLES: readonly Role[] = ['center_operator', 'administrator'];

export function centreApi(session: () => CentreSession | null, base: typeof fetch = (...args) => fetch(...args)): ApiClient {
  const withSession = ((input: RequestInfo | URL, init: RequestInit = {}) => {
    const current = session();
    if (current === null) return base(input, init);
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${current.token}`);
    return base(input, { ...init, headers });
  }) as typeof fetch;
  return new ApiClient({ baseUrl: '', credentials: () => null, fetch: withSession });
}

export async function signIn(api: ApiClient, username: string, password: string): Promise<CentreSession> {
  const answer = await api.call('login', { body: { username, password } });
  return { token: answer.token, role: answer.role, displayName: answer.displayName, expiresAtIso: answer.expiresAt };
}
