/** HTTP routes of the card protocol: load, unload, recovery, inquiry and history. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { readCard, requireCardInScope } from './card.ts';
import { cardHistory, cardSummary } from './inquiry.ts';
import { complete, initialise, recover } from './online.ts';

export function registerCardRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'loadInitialise', ({ principal, body }) => initialise(services, principal, 'load', body));
  registerEndpoint(app, services, 'unloadInitialise', ({ principal, body }) => initialise(services, principal, 'unload', body));
  registerEndpoint(app, services, 'loadComplete', async ({ principal, body }) => ({ load: await complete(services, principal, 'load', body) }));
  registerEndpoint(app, services, 'unloadComplete', async ({ principal, body }) => ({ load: await complete(services, principal, 'unload', body) }));
  registerEndpoint(app, services, 'loadRecover', async ({ principal, body }) => ({ settled: await recover(services, principal, body) }));
  registerEndpoint(app, services, 'cardInquiry', async ({ principal, params }) => {
    const card = await readCard(services.db, principal, { cardNo: params.cardNo }, false);
    requireCardInScope(card);
    return cardSummary(services.db, card, services);
  });
  registerEndpoint(app, services, 'cardHistory', async ({ principal, params }) => {
    const card = await readCard(services.db, principal, { cardNo: params.cardNo }, false);
    requireCardInScope(card);
    return cardHistory(services.db, card);
  });
}
