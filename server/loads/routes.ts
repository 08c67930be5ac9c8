/** HTTP routes of the online purse transactions: load (圈存), unload (圈提) and their recovery (online.ts). */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { complete, initialise, recover } from './online.ts';

export function registerLoadRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'loadInitialise', ({ principal, body }) => initialise(services, principal, 'load', body));
  registerEndpoint(app, services, 'unloadInitialise', ({ principal, body }) => initialise(services, principal, 'unload', body));
  registerEndpoint(app, services, 'loadComplete', async ({ principal, body }) => ({
    load: await complete(services, principal, 'load', body),
  }));
  registerEndpoint(app, services, 'unloadComplete', async ({ principal, body }) => ({
    load: await complete(services, principal, 'unload', body),
  }));
  registerEndpoint(app, services, 'loadRecover', async ({ principal, body }) => ({ settled: await recover(services, principal, body) }));
}
