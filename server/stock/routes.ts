/** HTTP routes of card stock: stock-in, requisition (exactly once, once.ts) and the stock query. */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { exactlyOnce } from './once.ts';
import { stockIn } from './stock-in.ts';
import { requisition } from './requisition.ts';
import { stockQuery } from './query.ts';

export function registerStockRoutes(app: FastifyInstance, services: Services): void {
  registerEndpoint(app, services, 'stockIn', ({ principal, body }) =>
    exactlyOnce(services, principal, 'stock.in', body, (tx) => stockIn(tx, principal, body, services.now())),
  );
  registerEndpoint(app, services, 'requisition', ({ principal, body }) =>
    exactlyOnce(services, principal, 'stock.requisition', body, (tx) => requisition(tx, principal, body)),
  );
  registerEndpoint(app, services, 'stockQuery', ({ principal, query }) => stockQuery(services.db, principal, query));
}
