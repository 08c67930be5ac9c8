/** HTTP routes of the sync API. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { pull } from './pull.ts';
import { push } from './push.ts';

export function registerSyncRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'syncPush', ({ principal, body }) => push(services, principal, body));
  registerEndpoint(app, services, 'syncPull', ({ principal, body }) => pull(services, principal, body));
}
