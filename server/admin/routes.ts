/**
 * The administrator's set-up calls for an installation: organisation units and devices. Each
 * write runs in one transaction with its audit entry; lists are cut to the caller's scope.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { inScope } from '../auth/principal.ts';
import { createOrgUnit, listOrgUnits } from './org-units.ts';
import { disableDevice, listDevices, registerDevice } from './devices.ts';
import { clearCardReview, listCardAlarms } from './card-review.ts';

export function registerAdminRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;
  registerEndpoint(app, services, 'listOrgUnits', ({ principal }) => listOrgUnits(db, principal.scopeRootId));
  registerEndpoint(app, services, 'createOrgUnit', ({ principal, body }) =>
    db.transaction((tx) => createOrgUnit(tx, principal, body, (parentId) => inScope(tx, principal, parentId))),
  );
  registerEndpoint(app, services, 'listDevices', ({ principal }) => listDevices(db, principal.scopeRootId));
  registerEndpoint(app, services, 'registerDevice', ({ principal, body }) => db.transaction((tx) => registerDevice(tx, principal, body)));
  registerEndpoint(app, services, 'disableDevice', ({ principal, body }) =>
    db.transaction((tx) => disableDevice(tx, principal, body.deviceId)),
  );
  registerEndpoint(app, services, 'listCardAlarms', ({ principal }) => listCardAlarms(db, principal.scopeRootId));
  registerEndpoint(app, services, 'clearCardReview', ({ principal, body }) => db.transaction((tx) => clearCardReview(tx, principal, body)));
}
