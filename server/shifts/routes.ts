/** HTTP routes of shifts: the tablet's status bar (opening and closing are push operations, server/sync/operations.ts). */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { currentShift } from './shifts.ts';
import { shiftOperations } from './operations.ts';

export function registerShiftRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'currentShift', ({ principal }) => currentShift(services.db, principal));
  registerEndpoint(app, services, 'shiftOperations', ({ principal, query }) => shiftOperations(services.db, principal, query));
}
