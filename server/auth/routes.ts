/**
 * Sign-in, sign-out, device enrolment and the administrator's set-up calls. Sign-in is throttled
 * (throttle.ts has the policy); the answer never says whether the user name exists, and an
 * unknown name costs the same work as a known one.
 */
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { authenticateRequest, registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { appendAudit } from '../audit/log.ts';
import { registerAdminRoutes } from '../admin/routes.ts';
import type { Database } from '../db/index.ts';
import { deleteEndedSessions, inScope } from './principal.ts';
import { storeDeviceSecret } from './device-keys.ts';
import { createMakerSession, endMakerSession } from './operation-maker.ts';
import { deleteExpiredNonces } from './device-signature.ts';
import { equalHex, hashPassword, needsRehash, newSecret, sha256Hex, UNMATCHABLE_HASH, verifyPassword } from './secrets.ts';
import { AddressCounter } from './address-counter.ts';
import { checkSucceeded, clientAddress, deleteStaleThrottleRows, releaseCheck, reserveCheck } from './throttle.ts';

type OperatorRow = {
  id: bigint;
  display_name: string;
  org_unit_id: bigint;
  role: 'outlet_operator' | 'outlet_supervisor' | 'center_operator' | 'administrator';
  password_hash: string;
  state: string;
  name_zh: string;
  name_en: string;
};

/** Checks a password inside a reserved check; a check the hash queue refused gives its reservation back. */
async function checkPassword(
  db: Database,
  reservation: Parameters<typeof releaseCheck>[1],
  password: string,
  stored: string,
): Promise<boolean> {
  try {
    return await verifyPassword(password, stored);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SIGN_IN_BUSY') await releaseCheck(db, reservation);
    throw error;
  }
}

/**
 * A hash made with an older cost is replaced now that the password is known. Best effort: when
 * the hash queue is full the sign-in goes ahead and the next one tries again.
 */
async function rehashIfOld(db: Database, op: OperatorRow, password: string): Promise<void> {
  if (!needsRehash(op.password_hash)) return;
  let fresh: string;
  try {
    fresh = await hashPassword(password);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'SIGN_IN_BUSY') return;
    throw error;
  }
  // Only over the hash that was checked: a password changed meanwhile is not overwritten.
  await db.query('UPDATE operator SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [op.id, fresh, op.password_hash]);
}

/**
 * Sessions that ended, throttle rows that hold nothing and device nonces no request can reuse are
 * deleted on a timer (sessions also at sign-in).
 */
function scheduleSweep(app: FastifyInstance, services: Services): void {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= (async () => {
      await deleteEndedSessions(services.db);
      await deleteStaleThrottleRows(services.db);
      await deleteExpiredNonces(services.db, services.now());
    })()
      .catch((error: unknown) => app.log.warn({ err: error }, 'sign-in sweep failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(sweep, LIMITS.authSweepIntervalMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}

function registerLogin(app: FastifyInstance, services: Services): void {
  // A scope of its own, so the per-address rate limit covers sign-in and nothing else.
  app.register(async (scope) => {
    await scope.register(rateLimit, {
      max: LIMITS.loginRequestCountPerAddressMax,
      timeWindow: LIMITS.loginRequestWindowMs,
      keyGenerator: clientAddress,
      store: AddressCounter,
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', undefined, { retryAfterS: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
    registerEndpoint(scope, services, 'login', async ({ body, request }) => {
      const { db } = services;
      const reservation = await reserveCheck(db, body.username, clientAddress(request));
      if (!reservation.granted) throw new ApiError('ACCOUNT_LOCKED', undefined, { retryAfterS: reservation.retryAfterS });
      const found = await db.query<OperatorRow>(
        'SELECT o.id, o.display_name, o.org_unit_id, o.role, o.password_hash, o.state, u.name_zh, u.name_en FROM operator o JOIN org_unit u ON u.id = o.org_unit_id WHERE o.username = $1',
        [body.username],
      );
      const op = found.rows[0];
      const passwordOk = await checkPassword(db, reservation, body.password, op?.password_hash ?? UNMATCHABLE_HASH);
      if (!op || op.state !== 'active' || !passwordOk) throw new ApiError('LOGIN_FAILED');
      await checkSucceeded(db, reservation);
      await rehashIfOld(db, op, body.password);
      await deleteEndedSessions(db);
      // An operator signing in on an enrolled tablet binds the session to it (loads need its terminal).
      const device = await authenticateRequest(services, request);
      const token = newSecret();
      const expiresAt = new Date(services.now().getTime() + LIMITS.operatorSessionTtlMs);
      const boundDevice = device?.operatorId === null ? device.deviceId : null;
      const maker = await db.transaction(async (tx) => {
        // A session on a tablet signs what the tablet queues under it (operation-maker.ts).
        const made = boundDevice === null ? null : await createMakerSession(tx, { operatorId: op.id, deviceId: boundDevice, expiresAt });
        await tx.query(
          'INSERT INTO operator_session (token_hash, operator_id, device_id, expires_at, session_id) VALUES ($1, $2, $3, $4, $5)',
          [sha256Hex(token), op.id, boundDevice, expiresAt.toISOString(), made?.sessionId ?? null],
        );
        await appendAudit(
          tx,
          { deviceId: null, operatorId: op.id, orgUnitId: op.org_unit_id },
          {
            action: 'auth.login',
            subject: body.username,
            detail: { deviceId: device?.deviceId ?? null, sessionId: made?.sessionId ?? null },
          },
        );
        return made;
      });
      return {
        token,
        expiresAt: expiresAt.toISOString(),
        role: op.role,
        orgUnitId: String(op.org_unit_id),
        orgUnitName: { zh: op.name_zh, en: op.name_en },
        displayName: op.display_name,
        ...(maker ?? {}),
      };
    });
  });
  scheduleSweep(app, services);
  registerEndpoint(app, services, 'logout', async ({ request }) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    await services.db.transaction(async (tx) => {
      await endMakerSession(tx, sha256Hex(token));
      await tx.query('DELETE FROM operator_session WHERE token_hash = $1', [sha256Hex(token)]);
    });
    return { signedOut: true as const };
  });
}

function registerDevices(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'enrol', async ({ body }) => {
    // The secret is sealed under the KEK (device-keys.ts): without one, no device could sign in.
    const kekHex = services.kekHex;
    if (kekHex === undefined) throw new ApiError('DEVICE_KEYS_UNAVAILABLE');
    const secret = newSecret();
    const enrolled = await services.db.transaction(async (tx) => {
      const found = await tx.query<{ enrolment_code_hash: string | null; org_unit_id: bigint; terminal_id: string }>(
        `SELECT enrolment_code_hash, org_unit_id, terminal_id FROM device WHERE id = $1 AND state = 'active' AND enrolment_expires_at > now() FOR UPDATE`,
        [body.deviceId],
      );
      const d = found.rows[0];
      if (!d?.enrolment_code_hash || !equalHex(d.enrolment_code_hash, sha256Hex(body.enrolmentCode))) return null;
      // The code works once: it is cleared with the same write that stores the secret.
      await tx.query('UPDATE device SET enrolment_code_hash = NULL, enrolment_expires_at = NULL WHERE id = $1', [body.deviceId]);
      await storeDeviceSecret(tx, kekHex, body.deviceId, secret);
      await appendAudit(
        tx,
        { deviceId: body.deviceId, operatorId: null, orgUnitId: d.org_unit_id },
        { action: 'device.enrol', subject: body.deviceId, detail: {} },
      );
      return { terminalId: d.terminal_id };
    });
    if (!enrolled) throw new ApiError('ENROLMENT_FAILED');
    return { deviceId: body.deviceId, secret, terminalId: enrolled.terminalId };
  });
  registerEndpoint(app, services, 'issueEnrolment', async ({ principal, body }) => {
    const code = newSecret(12);
    const expiresAt = new Date(services.now().getTime() + LIMITS.enrolmentCodeTtlMs);
    return services.db.transaction(async (tx) => {
      const found = await tx.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM device WHERE id = $1 FOR UPDATE', [body.deviceId]);
      if (!found.rows[0]) throw new ApiError('NOT_FOUND');
      if (!(await inScope(tx, principal, found.rows[0].org_unit_id))) throw new ApiError('OUT_OF_SCOPE');
      await tx.query('UPDATE device SET enrolment_code_hash = $2, enrolment_expires_at = $3 WHERE id = $1', [
        body.deviceId,
        sha256Hex(code),
        expiresAt.toISOString(),
      ]);
      await appendAudit(tx, principal, { action: 'device.enrolment_issued', subject: body.deviceId, detail: {} });
      return { deviceId: body.deviceId, enrolmentCode: code, expiresAt: expiresAt.toISOString() };
    });
  });
}

export function registerAuthRoutes(app: FastifyInstance, services: Services): void {
  registerLogin(app, services);
  registerDevices(app, services);
  // The rest of an installation's set-up (organisation units, device registration, operators) lives in admin/.
  registerAdminRoutes(app, services);
}
