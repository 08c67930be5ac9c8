/**
 * How many passwords may be tried, by whom: the sign-in throttle. The policy, in order:
 *
 * 1. Per client address, at most LIMITS.loginRequestCountPerAddressMax sign-in requests a minute,
 *    whatever they carry (@fastify/rate-limit in routes.ts; RATE_LIMITED 429 with Retry-After).
 * 2. Per (user name, client address) pair, at most LIMITS.loginFailureCountMax password checks;
 *    then the pair is locked until LIMITS.loginLockoutMs after its last check. A successful
 *    sign-in clears the pair. Locking the pair, not the operator, is what keeps an
 *    administrator reachable: five requests from one address lock that address out of that
 *    name, not the administrator out of the system.
 * 3. Per user name, at most LIMITS.loginNameCheckCountMax checks per LIMITS.loginNameWindowMs
 *    from addresses the name has not signed in from; this caps guessing from many addresses at
 *    once. Addresses the name signed in from in the last LIMITS.loginKnownAddressMs are exempt,
 *    so an attacker who spends a name's budget slows only newcomers, never locks the person out
 *    from their own address: it cannot become a permanent lockout.
 *
 * A check is reserved in the database before the password is hashed, by one statement that
 * counts and decides at once (INSERT ... ON CONFLICT DO UPDATE ... WHERE checks < limit), so no
 * number of parallel requests gets more checks than the limits allow: the check-then-count code it
 * replaces let 47 of 60 parallel requests hash a password. A check that does not happen after all
 * (the hash queue was full) gives its reservation back.
 *
 * Names are throttled whether or not an operator has them: an unknown name is counted, locked
 * and answered exactly like a real one (LOGIN_FAILED after a check, ACCOUNT_LOCKED when refused
 * before one), so neither the answers nor the work done tell which names exist.
 */
import type { FastifyRequest } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import type { Sql } from '../db/index.ts';
import { LIMITS } from '../limits.ts';
import { sha256Hex } from './secrets.ts';

/** IPv6 clients are counted by /64: one host holds a whole /64 and could rotate through it. */
const IPV6_PREFIX_BITS = 64;

export type Reservation =
  { granted: true; nameHash: string; address: string; fromKnownAddress: boolean } | { granted: false; retryAfterS: number };

/** The address a request came from, as the throttle counts it. */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip, IPV6_PREFIX_BITS);
}

const ms = (value: number) => String(value);

async function secondsUntil(sql: Sql, text: string, params: unknown[]): Promise<number> {
  const found = await sql.query<{ s: number | null }>(text, params);
  return Math.max(1, Number(found.rows[0]?.s ?? 1));
}

/** Reserves one password check for `username` from `address`, or says how long until one is allowed. */
export async function reserveCheck(sql: Sql, username: string, address: string): Promise<Reservation> {
  const nameHash = sha256Hex(username);
  const pair = await sql.query<{ known: boolean }>(
    `INSERT INTO sign_in_pair AS p (name_hash, client_address, checks, resets_at)
     VALUES ($1, $2, 1, now() + ($4 || ' milliseconds')::interval)
     ON CONFLICT (name_hash, client_address) DO UPDATE
        SET checks = CASE WHEN p.resets_at <= now() THEN 1 ELSE p.checks + 1 END,
            resets_at = now() + ($4 || ' milliseconds')::interval
      WHERE p.resets_at <= now() OR p.checks < $3
     RETURNING coalesce(p.known_until > now(), false) AS known`,
    [nameHash, address, LIMITS.loginFailureCountMax, ms(LIMITS.loginLockoutMs)],
  );
  if (!pair.rows[0]) {
    const retryAfterS = await secondsUntil(
      sql,
      'SELECT ceil(extract(epoch FROM resets_at - now()))::integer AS s FROM sign_in_pair WHERE name_hash = $1 AND client_address = $2',
      [nameHash, address],
    );
    return { granted: false, retryAfterS };
  }
  const fromKnownAddress = pair.rows[0].known;
  if (!fromKnownAddress) {
    const name = await sql.query<{ checks: number }>(
      `INSERT INTO sign_in_name AS n (name_hash, checks, resets_at) VALUES ($1, 1, now() + ($3 || ' milliseconds')::interval)
       ON CONFLICT (name_hash) DO UPDATE
          SET checks = CASE WHEN n.resets_at <= now() THEN 1 ELSE n.checks + 1 END,
              resets_at = CASE WHEN n.resets_at <= now() THEN now() + ($3 || ' milliseconds')::interval ELSE n.resets_at END
        WHERE n.resets_at <= now() OR n.checks < $2
       RETURNING checks`,
      [nameHash, LIMITS.loginNameCheckCountMax, ms(LIMITS.loginNameWindowMs)],
    );
    if (!name.rows[0]) {
      // No check happens: the pair's reservation goes back, so a person who retries from a new
      // address while an attack spends the name's budget does not lock their own pair as well.
      await givePairBack(sql, nameHash, address);
      const retryAfterS = await secondsUntil(
        sql,
        'SELECT ceil(extract(epoch FROM resets_at - now()))::integer AS s FROM sign_in_name WHERE name_hash = $1',
        [nameHash],
      );
      return { granted: false, retryAfterS };
    }
  }
  return { granted: true, nameHash, address, fromKnownAddress };
}

async function givePairBack(sql: Sql, nameHash: string, address: string): Promise<void> {
  await sql.query('UPDATE sign_in_pair SET checks = greatest(checks - 1, 0) WHERE name_hash = $1 AND client_address = $2', [
    nameHash,
    address,
  ]);
}

/** The reserved check did not happen (the hash queue was full): its reservations go back. */
export async function releaseCheck(sql: Sql, reservation: Reservation & { granted: true }): Promise<void> {
  await givePairBack(sql, reservation.nameHash, reservation.address);
  if (!reservation.fromKnownAddress)
    await sql.query('UPDATE sign_in_name SET checks = greatest(checks - 1, 0) WHERE name_hash = $1', [reservation.nameHash]);
}

/** The password was right: the pair starts afresh and the address becomes one the name is known at. */
export async function checkSucceeded(sql: Sql, reservation: Reservation & { granted: true }): Promise<void> {
  await sql.query(
    `UPDATE sign_in_pair SET checks = 0, known_until = now() + ($3 || ' milliseconds')::interval WHERE name_hash = $1 AND client_address = $2`,
    [reservation.nameHash, reservation.address, ms(LIMITS.loginKnownAddressMs)],
  );
}

/** Deletes throttle rows that no longer hold anything back or remember anything. */
export async function deleteStaleThrottleRows(sql: Sql): Promise<void> {
  await sql.query('DELETE FROM sign_in_pair WHERE resets_at <= now() AND (known_until IS NULL OR known_until <= now())');
  await sql.query('DELETE FROM sign_in_name WHERE resets_at <= now()');
}
