/** HTTP routes of loss reports (loss-report.ts): report, cancel, a card's reports; and the sweep that applies their effect. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { cancelLoss, cardLossReports, reportLoss, scheduleLossSweep } from './loss-report.ts';

export function registerLossReportRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'lossReport', ({ principal, body }) => reportLoss(services, principal, body));
  registerEndpoint(app, services, 'lossCancel', ({ principal, params, body }) => cancelLoss(services, principal, params.id, body));
  registerEndpoint(app, services, 'cardLossReports', ({ principal, params }) => cardLossReports(services, principal, params.cardNo));
  scheduleLossSweep(app, services);
}
