/**
 * Which roles may call which endpoint: one table, checked by the route helper before the handler
 * runs, and walked whole by the authorisation-matrix test. Public endpoints are not listed here.
 */
import type { EndpointName, Role } from '../contract/index.ts';
import type { Principal } from './principal.ts';

const OUTLET: readonly Role[] = ['outlet_operator', 'outlet_supervisor'];
/** Who reads customers' details: outlet staff and centre operators, never a kiosk or a device alone (personal data needs a person). */
const CUSTOMER_READERS: readonly Role[] = [...OUTLET, 'center_operator'];
const EVERY_ROLE: readonly Role[] = ['kiosk', 'tablet', 'outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator'];

export const ROLE_POLICY: Record<
  Exclude<EndpointName, 'login' | 'enrol' | 'info' | 'createDemoKiosk' | 'createDemoTablet'>,
  readonly Role[]
> = {
  logout: ['outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator'],
  // A centre registers and enrols the devices of its own subtree (registerDevice below).
  issueEnrolment: ['center_operator', 'administrator'],
  // Operator maintenance 操作员维护 (server/admin/operators.ts): a centre within its subtree, never above its own role.
  createOperator: ['center_operator', 'administrator'],
  listOperators: ['center_operator', 'administrator'],
  updateOperator: ['center_operator', 'administrator'],
  setOperatorState: ['center_operator', 'administrator'],
  resetOperatorPassword: ['center_operator', 'administrator'],
  unlockOperator: ['center_operator', 'administrator'],
  // The organisation tree and its devices (组织机构, 设备管理): a centre within its subtree, the administrator everywhere.
  listOrgUnits: ['center_operator', 'administrator'],
  createOrgUnit: ['center_operator', 'administrator'],
  renameOrgUnit: ['center_operator', 'administrator'],
  listDevices: ['center_operator', 'administrator'],
  registerDevice: ['center_operator', 'administrator'],
  disableDevice: ['center_operator', 'administrator'],
  enableDevice: ['center_operator', 'administrator'],
  ledgerCheck: ['center_operator', 'administrator'],
  // The audit log 审计日志 (server/audit/search.ts): a centre its subtree's entries, the administrator all.
  auditSearch: ['center_operator', 'administrator'],
  auditVerify: ['center_operator', 'administrator'],
  cardStates: ['center_operator', 'administrator'],
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
  // A device's own station, for the customer's receipt (server/stations/): the device, nobody else.
  deviceStation: ['kiosk', 'tablet'],
  cardInquiry: EVERY_ROLE,
  cardHistory: EVERY_ROLE,
  // Reading and querying customers is allowed at any outlet of the network (no scope filter);
  // creating and editing them are push operations (customer.create, customer.update below).
  searchCustomers: CUSTOMER_READERS,
  customerDetail: CUSTOMER_READERS,
  // The signed-in operator's own open shift (the tablet's status bar); shifts are opened and closed by push.
  currentShift: OUTLET,
  // A shift's money operations: an operator its own open shift, a supervisor any shift of its outlet (server/shifts/operations.ts).
  shiftOperations: OUTLET,
  // Card stock (server/stock/): a centre (or the administrator) stocks in and gives cards down the
  // tree; outlet staff may see their own outlet's stock.
  stockIn: ['center_operator', 'administrator'],
  requisition: ['center_operator', 'administrator'],
  stockQuery: [...OUTLET, 'center_operator', 'administrator'],
  // Opening an account and issuing a card is outlet staff's, at the customer's own outlet
  // (server/cards/issue.ts); cancelling a started issuance gives the fee back: a supervisor's.
  issueStart: OUTLET,
  issueWrite: OUTLET,
  issueComplete: OUTLET,
  issueCancel: ['outlet_supervisor'],
  // Anonymous cards (server/cards/anonymous*.ts): outlet staff's. Initialising and selling use the
  // outlet's own stock; a top-up and an upgrade are done at any outlet, since an anonymous card has
  // no customer's own outlet (rule 2 below names its exception: the upgrading outlet becomes it).
  anonymousInit: OUTLET,
  anonymousWrite: OUTLET,
  anonymousInitComplete: OUTLET,
  anonymousSell: OUTLET,
  anonymousTopUp: OUTLET,
  anonymousUpgrade: OUTLET,
  anonymousUpgradeComplete: OUTLET,
  // Station cards are held and issued by a management centre, to a station of its subtree
  // (server/cards/station-issue.ts).
  stationCardStart: ['center_operator'],
  stationCardWrite: ['center_operator'],
  stationCardComplete: ['center_operator'],
  stationCardWithdraw: ['center_operator'],
  stationCards: ['center_operator'],
  // The working-day calendar is the province's, kept by a centre (server/calendar/); anyone who
  // works with its dates may read it.
  calendarYear: [...OUTLET, 'center_operator', 'administrator'],
  calendarSetDay: ['center_operator', 'administrator'],
  // A loss report and its cancellation at any outlet (server/cards/loss-report.ts): a lost card is
  // reported where the holder is, and stopping a card moves no money. A centre reads them.
  lossReport: OUTLET,
  lossCancel: OUTLET,
  cardLossReports: [...OUTLET, 'center_operator'],
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
  'shift.open',
  'shift.close',
  'receipt.cheque',
  'reversal',
]);

/** Push operation types for an outlet supervisor only: undoing money already taken (冲正), with a reason. */
export const SUPERVISOR_ONLY_OPERATIONS: ReadonlySet<string> = new Set(['reversal']);

/**
 * Where things may be done (docs/architecture.md decision 12), in three rules:
 *
 * 1. A card may be read, queried and loaded at any outlet or kiosk of the network; a centre sees
 *    the cards of its subtree (cardScopeRoot, applied by server/cards/card.ts to every card read).
 * 2. Account-changing work belongs to the customer's own outlet: the push operations below (their
 *    payloads name the customer as `customerId`; the operator's organisation unit must be the
 *    customer's, else CUSTOMER_OTHER_OUTLET, even within the operator's scope), a reversal (which
 *    finds the customer through the original's accounts, server/shifts/reversals.ts), and an
 *    unload, which gives a purse's money back to the account (OWN_OUTLET_CARD_WORK). A new
 *    customer is always made at the operator's own outlet.
 * 3. Searching and reading customers stays open to every outlet.
 */
export const OWN_OUTLET_OPERATIONS: ReadonlySet<string> = new Set(['receipt.cash', 'receipt.cheque', 'preallocation', 'customer.update']);

/** Online card work of the customer's own outlet only: an unload (closing an account, a refund). A load is done anywhere. */
export const OWN_OUTLET_CARD_WORK: ReadonlySet<'load' | 'unload'> = new Set(['unload']);

/** The organisation subtree in which a principal reads, queries and loads cards (null: the whole network). */
export function cardScopeRoot(principal: Pick<Principal, 'role' | 'scopeRootId'>): bigint | null {
  return principal.role === 'center_operator' ? principal.scopeRootId : null;
}
