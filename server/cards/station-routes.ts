/** HTTP routes of station cards (station-issue.ts): issue (start, write, complete), withdraw, a station's list. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { completeStationCard, startStationCard, stationCards, stationCardWrite, withdrawStationCard } from './station-issue.ts';

export function registerStationCardRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'stationCardStart', ({ principal, body }) => startStationCard(services, principal, body));
  registerEndpoint(app, services, 'stationCardWrite', ({ principal, params, body }) =>
    stationCardWrite(services, principal, params.id, body),
  );
  registerEndpoint(app, services, 'stationCardComplete', ({ principal, params, body }) =>
    completeStationCard(services, principal, params.id, body),
  );
  registerEndpoint(app, services, 'stationCardWithdraw', ({ principal, params, body }) =>
    withdrawStationCard(services, principal, params.id, body),
  );
  registerEndpoint(app, services, 'stationCards', ({ principal, params }) => stationCards(services.db, principal, params.stationId));
}
