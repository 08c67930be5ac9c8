/**
 * GET /api/v1/info (public): demo mode or not, and the contract version. In demo mode (a database
 * seeded with demo data and TEST keys), POST /api/v1/demo/kiosks also gives the browser that asks a
 * demo kiosk of its own (server/demo/kiosks.ts), so `npm start` followed by opening the page gives
 * a working kiosk with no administrator step, and two browsers never share one; POST
 * /api/v1/demo/tablets likewise gives an outlet tablet for the staff app at /staff. A real
 * installation never has app_meta.demo: there the call answers NOT_FOUND and makes nothing.
 *
 * Each demo kiosk costs a device, customers, cards and ledger rows, so the call is limited per
 * client address (FUELCARD_DEMO_DEVICES_PER_ADDRESS a window, RATE_LIMITED with
 * Retry-After past it), as well as bounded in total (LIMITS.demoKiosksMax active, oldest retired).
 */
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { CONTRACT_VERSION } from '../contract/index.ts';
import { ApiError } from '../errors.ts';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { LIMITS } from '../limits.ts';
import { AddressCounter } from '../auth/address-counter.ts';
import { clientAddress } from '../auth/throttle.ts';
import { createDemoKiosk, isDemoDatabase } from '../demo/kiosks.ts';

export function registerInfoRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'info', async () => ({ demo: await isDemoDatabase(services.db), contractVersion: CONTRACT_VERSION }));
  // A scope of its own, so the per-address limit covers this call and nothing else.
  app.register(async (scope) => {
    await scope.register(rateLimit, {
      max: services.demoDevicesPerAddressMax,
      timeWindow: LIMITS.demoKioskRequestWindowMs,
      keyGenerator: clientAddress,
      store: AddressCounter,
      errorResponseBuilder: (_request, context) =>
        new ApiError('RATE_LIMITED', undefined, { retryAfterS: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
    registerEndpoint(scope, services, 'createDemoKiosk', async () => services.db.transaction((tx) => createDemoKiosk(tx, services.now())));
    registerEndpoint(scope, services, 'createDemoTablet', async () =>
      services.db.transaction((tx) => createDemoKiosk(tx, services.now(), { kind: 'tablet' })),
    );
  });
}
