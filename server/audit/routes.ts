/** The audit log at the centre: search and verification (search.ts), a card's state history (card-states.ts). */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { searchAudit, verifyAuditForCentre } from './search.ts';
import { cardStates } from './card-states.ts';

export function registerAuditRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'auditSearch', ({ principal, query }) => searchAudit(services.db, principal, query));
  registerEndpoint(app, services, 'cardStates', ({ principal, query }) => cardStates(services.db, principal, query.cardNo));
  registerEndpoint(app, services, 'auditVerify', () => verifyAuditForCentre(services.db, services.auditCheckpoints));
}
