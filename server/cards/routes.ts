/** HTTP routes of card inquiry: a card's state and balances, and its history (the loads' routes: server/loads/routes.ts). */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { readCard, requireCardInScope } from './card.ts';
import { cardHistory, cardSummary } from './inquiry.ts';

export function registerCardRoutes(app: FastifyInstance, services: Services): void {
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
