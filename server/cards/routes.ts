/**
 * HTTP routes of cards: inquiry (a card's state and balances, and its history) and issuing a stock
 * card (issue.ts). The loads' routes: server/loads/routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { readCard, requireCardInScope } from './card.ts';
import { cardHistory, cardSummary } from './inquiry.ts';
import { cancelIssue, completeIssue, issueWrite, startIssue } from './issue.ts';

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
  registerEndpoint(app, services, 'issueStart', ({ principal, body }) => startIssue(services, principal, body));
  registerEndpoint(app, services, 'issueWrite', ({ principal, params, body }) => issueWrite(services, principal, params.id, body));
  registerEndpoint(app, services, 'issueComplete', ({ principal, params, body }) => completeIssue(services, principal, params.id, body));
  registerEndpoint(app, services, 'issueCancel', ({ principal, params, body }) => cancelIssue(services, principal, params.id, body));
}
