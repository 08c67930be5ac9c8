/**
 * GET /api/v1/info (public). In demo mode (a database seeded with demo data and TEST keys) it
 * also hands out a fresh one-time enrolment code for the demo kiosk, so `npm start` followed by
 * opening the page gives a working kiosk with no administrator step. A real installation never
 * has app_meta.demo, and then no code is ever given out here.
 */
import type { FastifyInstance } from 'fastify';
import { CONTRACT_VERSION, type ServerInfo } from '../contract/index.ts';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { LIMITS } from '../limits.ts';
import { newSecret, sha256Hex } from '../auth/secrets.ts';

export const DEMO_KIOSK_ID = 'demo-kiosk-1';

async function isDemo(services: Services): Promise<boolean> {
  const found = await services.db.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'demo'");
  return found.rows[0]?.value === 'true';
}

/** A new code for the demo kiosk (the previous one, if unused, stops working). */
async function demoEnrolment(services: Services): Promise<ServerInfo['demoDevice']> {
  const code = newSecret(12);
  const expiresAt = new Date(services.now().getTime() + LIMITS.enrolmentCodeTtlMs);
  const updated = await services.db.query(
    "UPDATE device SET enrolment_code_hash = $2, enrolment_expires_at = $3 WHERE id = $1 AND state = 'active'",
    [DEMO_KIOSK_ID, sha256Hex(code), expiresAt.toISOString()],
  );
  return updated.rowCount === 1 ? { deviceId: DEMO_KIOSK_ID, enrolmentCode: code } : null;
}

export function registerInfoRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'info', async () => {
    const demo = await isDemo(services);
    return { demo, contractVersion: CONTRACT_VERSION, demoDevice: demo ? await demoEnrolment(services) : null };
  });
}
