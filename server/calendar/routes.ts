/** HTTP routes of the working-day calendar (calendar.ts): a year read, a day set. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { calendarYear, setCalendarDay } from './calendar.ts';

export function registerCalendarRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'calendarYear', ({ query }) => calendarYear(services.db, query.year));
  registerEndpoint(app, services, 'calendarSetDay', ({ principal, body }) => setCalendarDay(services, principal, body));
}
