/** HTTP route of a device's own station (server/stations/station.ts), for its customers' receipts. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { stationOfDevice } from './station.ts';

export function registerStationRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'deviceStation', ({ principal }) => stationOfDevice(services.db, principal.orgUnitId));
}
