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
import { anonymousWrite, completeInit, completeUpgrade, initAnonymous, startUpgrade } from './anonymous.ts';
import { sellAnonymous, topUpAnonymous } from './anonymous-money.ts';

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
  registerEndpoint(app, services, 'anonymousInit', ({ principal, body }) => initAnonymous(services, principal, body));
  registerEndpoint(app, services, 'anonymousWrite', ({ principal, params, body }) =>
    anonymousWrite(services, principal, params.cardNo, body),
  );
  registerEndpoint(app, services, 'anonymousInitComplete', ({ principal, params, body }) =>
    completeInit(services, principal, params.cardNo, body),
  );
  registerEndpoint(app, services, 'anonymousSell', ({ principal, body }) => sellAnonymous(services, principal, body));
  registerEndpoint(app, services, 'anonymousTopUp', ({ principal, body }) => topUpAnonymous(services, principal, body));
  registerEndpoint(app, services, 'anonymousUpgrade', ({ principal, body }) => startUpgrade(services, principal, body));
  registerEndpoint(app, services, 'anonymousUpgradeComplete', ({ principal, params, body }) =>
    completeUpgrade(services, principal, params.cardNo, body),
  );
}
