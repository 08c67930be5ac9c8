/**
 * Which roles may call which endpoint: one table, checked by the route helper before the handler
 * runs, and walked whole by the authorisation-matrix test. Public endpoints are not listed here.
 */
import type { EndpointName, Role } from '../contract/index.ts';

const OUTLET: readonly Role[] = ['outlet_operator', 'outlet_supervisor'];
/** Who reads customers' details: outlet staff and centre operators, never a kiosk or a device alone (personal data needs a person). */
const CUSTOMER_READERS: readonly Role[] = [...OUTLET, 'center_operator'];
const EVERY_ROLE: readonly Role[] = ['kiosk', 'tablet', 'outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator'];

export const ROLE_POLICY: Record<
  Exclude<EndpointName, 'login' | 'enrol' | 'info' | 'createDemoKiosk' | 'createDemoTablet'>,
  readonly Role[]
> = {
  logout: ['outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator'],
  issueEnrolment: ['administrator'],
  createOperator: ['administrator'],
  // Setting up the organisation and its devices is the administrator's; a centre sees its part.
  listOrgUnits: ['center_operator', 'administrator'],
  createOrgUnit: ['administrator'],
  listDevices: ['center_operator', 'administrator'],
  registerDevice: ['administrator'],
  disableDevice: ['administrator'],
  ledgerCheck: ['center_operator', 'administrator'],
  // Money above the counter's threshold needs a supervisor's word (sync/operations.ts receipt.cash).
  createApproval: ['outlet_supervisor'],
  // A chip alarm is a centre's to look into (loads/chip-check.ts); clearing it is audited.
  listCardAlarms: ['center_operator', 'administrator'],
  clearCardReview: ['center_operator', 'administrator'],
  loadInitialise: ['kiosk', ...OUTLET],
  loadComplete: ['kiosk', ...OUTLET],
  loadRecover: ['kiosk', ...OUTLET],
  // Unloads belong to account closing and refunds, done by outlet staff, never at a kiosk.
  unloadInitialise: OUTLET,
  unloadComplete: OUTLET,
  syncPush: ['kiosk', ...OUTLET],
  syncPull: ['kiosk', 'tablet', ...OUTLET],
  cardInquiry: EVERY_ROLE,
  cardHistory: EVERY_ROLE,
  // Reading and querying customers is allowed at any outlet of the network (no scope filter);
  // creating and editing them are push operations (customer.create, customer.update below).
  searchCustomers: CUSTOMER_READERS,
  customerDetail: CUSTOMER_READERS,
};

/**
 * Push operation types that need a person: money received by hand, allocated on the customer's
 * word, or given back from a purse (unloads are outlet staff's work, never a kiosk's).
 */
export const OPERATOR_ONLY_OPERATIONS: ReadonlySet<string> = new Set([
  'receipt.cash',
  'preallocation',
  'unload.complete',
  'customer.create',
  'customer.update',
]);

/**
 * Push operation types that change a customer's account or details and so belong to the
 * customer's own outlet (docs/architecture.md decision 12): the operator's organisation unit must
 * be the customer's, else CUSTOMER_OTHER_OUTLET, even within the operator's scope. Their payloads
 * name the customer as `customerId`. Searching and reading customers stays open to every outlet.
 */
export const OWN_OUTLET_OPERATIONS: ReadonlySet<string> = new Set(['customer.update']);
