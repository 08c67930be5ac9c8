/**
 * The administrator's set-up calls for an installation: organisation units, devices and operators. Each
 * write runs in one transaction with its audit entry; lists are cut to the caller's scope.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { inScope } from '../auth/principal.ts';
import { createOrgUnit, listOrgUnits, renameOrgUnit } from './org-units.ts';
import { disableDevice, enableDevice, listDevices, registerDevice } from './devices.ts';
import { clearCardReview, listCardAlarms } from './card-review.ts';
import { hashPassword } from '../auth/secrets.ts';
import {
  createOperator,
  generatePassword,
  listOperators,
  resetOperatorPassword,
  setOperatorState,
  unlockOperator,
  updateOperator,
} from './operators.ts';

/** The password asked for, or one made up to be answered once; hashed outside any transaction (scrypt is slow on purpose). */
async function newPassword(asked: string | undefined): Promise<{ password: string; hash: string; generated: boolean }> {
  const password = asked ?? generatePassword();
  return { password, hash: await hashPassword(password), generated: asked === undefined };
}

export function registerAdminRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;
  registerEndpoint(app, services, 'listOrgUnits', ({ principal }) => listOrgUnits(db, principal.scopeRootId));
  registerEndpoint(app, services, 'createOrgUnit', ({ principal, body }) =>
    // A new province sits above every centre's subtree: only a caller who sees the whole tree makes one.
    db.transaction((tx) =>
      createOrgUnit(tx, principal, body, (parentId) =>
        parentId === null ? Promise.resolve(principal.scopeRootId === null) : inScope(tx, principal, parentId),
      ),
    ),
  );
  registerEndpoint(app, services, 'renameOrgUnit', ({ principal, body }) =>
    db.transaction((tx) => renameOrgUnit(tx, principal, body, (unitId) => inScope(tx, principal, unitId))),
  );
  registerEndpoint(app, services, 'listDevices', ({ principal }) => listDevices(db, principal.scopeRootId));
  registerEndpoint(app, services, 'registerDevice', ({ principal, body }) => db.transaction((tx) => registerDevice(tx, principal, body)));
  registerEndpoint(app, services, 'disableDevice', ({ principal, body }) =>
    db.transaction((tx) => disableDevice(tx, principal, body.deviceId)),
  );
  registerEndpoint(app, services, 'enableDevice', ({ principal, body }) =>
    db.transaction((tx) => enableDevice(tx, principal, body.deviceId)),
  );
  registerEndpoint(app, services, 'listCardAlarms', ({ principal }) => listCardAlarms(db, principal.scopeRootId));
  registerEndpoint(app, services, 'createOperator', async ({ principal, body }) => {
    const made = await newPassword(body.password);
    const created = await db.transaction((tx) => createOperator(tx, principal, body, made.hash, made.generated));
    return made.generated ? { ...created, password: made.password } : created;
  });
  registerEndpoint(app, services, 'listOperators', ({ principal, query }) => listOperators(db, principal, query));
  registerEndpoint(app, services, 'updateOperator', ({ principal, body }) => db.transaction((tx) => updateOperator(tx, principal, body)));
  registerEndpoint(app, services, 'setOperatorState', ({ principal, body }) =>
    db.transaction((tx) => setOperatorState(tx, principal, body.operatorId, body.state)),
  );
  registerEndpoint(app, services, 'resetOperatorPassword', async ({ principal, body }) => {
    const made = await newPassword(body.password);
    const operator = await db.transaction((tx) => resetOperatorPassword(tx, principal, body.operatorId, made.hash, made.generated));
    return made.generated ? { operator, password: made.password } : { operator };
  });
  registerEndpoint(app, services, 'unlockOperator', ({ principal, body }) =>
    db.transaction((tx) => unlockOperator(tx, principal, body.operatorId)),
  );
  registerEndpoint(app, services, 'clearCardReview', ({ principal, body }) => db.transaction((tx) => clearCardReview(tx, principal, body)));
}
