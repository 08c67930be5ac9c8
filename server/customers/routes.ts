/** HTTP routes of customers: search and detail (creating and editing are push operations, server/sync/operations.ts). */
import type { FastifyInstance } from 'fastify';
import { registerEndpoint } from '../http/route.ts';
import type { Services } from '../http/services.ts';
import { customerDetail, searchCustomers } from './customers.ts';

export function registerCustomerRoutes(app: FastifyInstance, services: Services): void {
  // Reading and querying customers is allowed at any outlet of the network: no scope filter here.
  registerEndpoint(app, services, 'searchCustomers', ({ query }) => searchCustomers(services.db, query));
  registerEndpoint(app, services, 'customerDetail', ({ params }) => customerDetail(services.db, params.id));
}
