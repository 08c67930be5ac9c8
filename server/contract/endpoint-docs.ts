/**
 * What the API reference (/api/docs, openapi.ts) says of each endpoint beyond its wire shapes
 * (endpoints.ts): its group, its summary, more in Markdown where the summary is not enough, and the
 * error codes its handler can answer with besides the general ones (api-errors.ts). Kept apart
 * from the endpoint table because the apps bundle that table to build their client, and none of
 * this is theirs to carry: only the server reads it. Every endpoint has an entry (a missing one is
 * a type error); tests/unit/api-errors.test.ts checks the error lists against the server's source.
 */
import type { EndpointName } from './endpoints.ts';
import type { ErrorCode } from './errors.ts';

/** The reference's groups (/api/docs), described in openapi.ts. */
export type ApiTag =
  | 'info'
  | 'auth'
  | 'devices'
  | 'organisation'
  | 'approvals'
  | 'centre'
  | 'loads'
  | 'sync'
  | 'cards'
  | 'customers'
  | 'shifts'
  | 'stock'
  | 'issue'
  | 'anonymous'
  | 'station-cards'
  | 'calendar'
  | 'loss-reports';

export type EndpointDoc = {
  /** The reference's group. */
  tag: ApiTag;
  summary: string;
  /** More than the summary says, for the reference (Markdown). */
  description?: string;
  /**
   * The error codes this endpoint's handler can answer with, besides the general ones every
   * request, signed-in request or versioned request can get (api-errors.ts). Checked against the
   * server's source by tests/unit/api-errors.test.ts.
   */
  errors: readonly ErrorCode[];
};

export const ENDPOINT_DOCS: Readonly<Record<EndpointName, EndpointDoc>> = {
  info: {
    tag: 'info',
    summary: 'What the app needs before enrolment (demo mode, contract version)',
    errors: [],
  },
  createDemoKiosk: {
    tag: 'info',
    summary: 'Demo mode only: a demo kiosk of its own for this browser, with its enrolment code and the serial base of its demo cards',
    errors: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  createDemoTablet: {
    tag: 'info',
    summary:
      'Demo mode only: a demo outlet tablet of its own for this browser, with its enrolment code and the serial base of its demo cards',
    errors: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  login: {
    tag: 'auth',
    summary: 'Operator sign-in',
    errors: ['LOGIN_FAILED', 'ACCOUNT_LOCKED', 'RATE_LIMITED', 'SIGN_IN_BUSY'],
  },
  logout: {
    tag: 'auth',
    summary: 'Operator sign-out',
    errors: [],
  },
  enrol: {
    tag: 'devices',
    summary: 'Device enrolment: code → per-device secret',
    errors: ['ENROLMENT_FAILED', 'DEVICE_KEYS_UNAVAILABLE'],
  },
  issueEnrolment: {
    tag: 'devices',
    summary: 'Issue an enrolment code for a device',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
  },
  createOperator: {
    tag: 'organisation',
    summary: 'Create an operator in a unit of your part of the organisation, with a role no higher than your own',
    description:
      'Without `password` the server makes one up and answers it once as `password`; give it to the operator in person. ' +
      'The sign-in does not yet ask for a new password at the first sign-in.',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'SIGN_IN_BUSY', 'OPERATOR_ROLE_ABOVE_OWN', 'OPERATOR_ROLE_UNIT_INVALID'],
  },
  listOperators: {
    tag: 'organisation',
    summary: "Operator maintenance 操作员维护: the operators of the caller's part of the organisation, a page at a time, by user name",
    errors: [],
  },
  updateOperator: {
    tag: 'organisation',
    summary: "Change an operator's name, role and unit (never your own role or unit)",
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'OPERATOR_ROLE_ABOVE_OWN', 'OPERATOR_ROLE_UNIT_INVALID', 'OPERATOR_SELF_CHANGE'],
  },
  setOperatorState: {
    tag: 'organisation',
    summary: 'Disable an operator (their sessions end at once) or enable them again (never yourself)',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'OPERATOR_ROLE_ABOVE_OWN', 'OPERATOR_SELF_CHANGE'],
  },
  resetOperatorPassword: {
    tag: 'organisation',
    summary: "Reset an operator's password: their sessions end; without `password` the server makes one up and answers it once",
    description: 'The sign-in does not yet ask for a new password after a reset: tell the operator to keep the new one private.',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'OPERATOR_ROLE_ABOVE_OWN', 'SIGN_IN_BUSY'],
  },
  unlockOperator: {
    tag: 'organisation',
    summary: "Lift the sign-in lockout of an operator's user name, from every address",
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'OPERATOR_ROLE_ABOVE_OWN'],
  },
  listOrgUnits: {
    tag: 'organisation',
    summary: "The organisation units within the caller's scope, parents first",
    errors: [],
  },
  createOrgUnit: {
    tag: 'organisation',
    summary: 'Create an organisation unit under a parent of an allowed kind',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'ORG_UNIT_PARENT_INVALID'],
  },
  renameOrgUnit: {
    tag: 'organisation',
    summary: 'Rename a unit in both languages; its kind, code and parent stay (nothing that holds money moves)',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
  },
  listDevices: {
    tag: 'devices',
    summary: "The kiosks and tablets within the caller's scope",
    errors: [],
  },
  registerDevice: {
    tag: 'devices',
    summary: 'Register a kiosk or tablet in an outlet or station (then issue its enrolment code)',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'DEVICE_UNIT_INVALID'],
  },
  disableDevice: {
    tag: 'devices',
    summary: 'Disable a device: its secret and any enrolment code stop working at once, its sessions end',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
  },
  enableDevice: {
    tag: 'devices',
    summary: 'Re-enable a disabled device: it enrols again with a new code before it is trusted',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
  },
  createApproval: {
    tag: 'approvals',
    summary: "A supervisor's approval of one amount for one customer (a large cash receipt names it)",
    errors: ['OUT_OF_SCOPE', 'CUSTOMER_NOT_FOUND'],
  },
  listCardAlarms: {
    tag: 'centre',
    summary: "Cards whose chip showed more money than the ledger gave them, within the caller's scope",
    errors: [],
  },
  clearCardReview: {
    tag: 'centre',
    summary: "Clear a card's review after looking at it: its open alarms closed with a note, its loads resume",
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
  },
  ledgerCheck: {
    tag: 'centre',
    summary: 'Check the ledger invariants and the audit chains',
    errors: [],
  },
  auditSearch: {
    tag: 'centre',
    summary:
      "The audit log 审计日志: entries of the caller's part of the organisation by time, operator, device, action and card, newest first, a page at a time",
    description:
      'An administrator sees every entry, also those of no unit. `action` ending in a dot finds every action that starts with it.',
    errors: [],
  },
  cardStates: {
    tag: 'centre',
    summary:
      "A card's state history 卡状态历史: stock-in, requisitions, issue, loss reports and the rest, oldest first, with who and where",
    description:
      "From the stock movements whose range holds the card and the audit log's entries about it, within the caller's part of the organisation. A card with nothing there is NOT_FOUND.",
    errors: ['NOT_FOUND'],
  },
  auditVerify: {
    tag: 'centre',
    summary:
      "Verify the audit log's hash chains against the signed checkpoints: up to when, how many entries, the last checkpoint, or where it breaks",
    errors: [],
  },
  loadInitialise: {
    tag: 'loads',
    summary: 'Load 圈存: verify MAC1, reserve, answer MAC2',
    errors: [
      'OUT_OF_SCOPE',
      'DEVICE_REQUIRED',
      'TERMINAL_MISMATCH',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'CARD_NOT_ISSUED',
      'CARD_LOST',
      'CARD_BLACKLISTED',
      'CARD_CLOSED',
      'CARD_EXPIRED',
      'CARD_GREY',
      'CARD_BAD',
      'CARD_HAS_NO_PURSE',
      'CUSTOMER_OTHER_OUTLET',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
      'COUNTER_STALE',
      'LOAD_PENDING',
      'SOURCE_ACCOUNT_INVALID',
      'PURSE_LIMIT_EXCEEDED',
      'INSUFFICIENT_FUNDS',
      'PROBE_NOT_FRESH',
      'ACCOUNT_CEILING_EXCEEDED',
      'CARD_UNDER_REVIEW',
    ],
  },
  loadComplete: {
    tag: 'loads',
    summary: 'Load 圈存: verify the TAC and post',
    errors: [
      'OUT_OF_SCOPE',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'TAC_INVALID',
      'LOAD_NOT_FOUND',
      'LOAD_ALREADY_VOIDED',
    ],
  },
  loadRecover: {
    tag: 'loads',
    summary: "Settle a card's pending load or unload from its counter",
    errors: [
      'OUT_OF_SCOPE',
      'DEVICE_REQUIRED',
      'TERMINAL_MISMATCH',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
      'TAC_INVALID',
      'COUNTER_STALE',
      'LOAD_PENDING',
      'LOAD_NOT_FOUND',
      'PROBE_NOT_FRESH',
    ],
  },
  unloadInitialise: {
    tag: 'loads',
    summary: 'Unload 圈提: verify MAC1, reserve, answer MAC2',
    errors: [
      'OUT_OF_SCOPE',
      'DEVICE_REQUIRED',
      'TERMINAL_MISMATCH',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'CARD_NOT_ISSUED',
      'CARD_LOST',
      'CARD_BLACKLISTED',
      'CARD_CLOSED',
      'CARD_EXPIRED',
      'CARD_GREY',
      'CARD_BAD',
      'CARD_HAS_NO_PURSE',
      'CUSTOMER_OTHER_OUTLET',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
      'COUNTER_STALE',
      'LOAD_PENDING',
      'SOURCE_ACCOUNT_INVALID',
      'PURSE_LIMIT_EXCEEDED',
      'INSUFFICIENT_FUNDS',
      'PROBE_NOT_FRESH',
      'ACCOUNT_CEILING_EXCEEDED',
      'CARD_UNDER_REVIEW',
    ],
  },
  unloadComplete: {
    tag: 'loads',
    summary: 'Unload 圈提: verify MAC3 and post',
    errors: [
      'OUT_OF_SCOPE',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'TAC_INVALID',
      'LOAD_NOT_FOUND',
      'LOAD_ALREADY_VOIDED',
    ],
  },
  syncPush: {
    tag: 'sync',
    summary: 'Push a batch of numbered operations, exactly once',
    errors: ['OPERATION_MAKER_INVALID', 'OPERATION_MAKER_SESSION_ENDED', 'DEVICE_REQUIRED'],
  },
  syncPull: {
    tag: 'sync',
    summary: 'What a device needs to work offline',
    errors: ['DEVICE_REQUIRED'],
  },
  deviceStation: {
    tag: 'devices',
    summary: "The device's station as its receipts print it: name, address, service hotline",
    errors: ['NOT_FOUND'],
  },
  cardInquiry: {
    tag: 'cards',
    summary: 'Card state and account balances',
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
  },
  cardHistory: {
    tag: 'cards',
    summary: 'Recent account movements behind a card, newest first',
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
  },
  searchCustomers: {
    tag: 'customers',
    summary: 'Customers of the whole network by part of the name, or the ID number, tax id, phone or card number; paged by id',
    errors: [],
  },
  customerDetail: {
    tag: 'customers',
    summary: "A customer's details, its cards, and the revisions of its details, newest first",
    errors: ['CUSTOMER_NOT_FOUND'],
  },
  currentShift: {
    tag: 'shifts',
    summary: "The signed-in operator's open shift (its float, drawer and receipts), or null: the tablet's status bar",
    errors: [],
  },
  shiftOperations: {
    tag: 'shifts',
    summary:
      "Every money movement of a shift (receipts, pre-allocations, card fees, anonymous sales and top-ups, counter loads and unloads, reversals) with its status and the totals by kind: the caller's open shift, or a supervisor's pick of its outlet's shifts",
    errors: ['NOT_FOUND'],
  },
  stockIn: {
    tag: 'stock',
    summary: 'Stock in 入库: a range of personalised cards enters stock at the province; exactly once by operation id',
    errors: [
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
      'STOCK_RANGE_INVALID',
      'STOCK_CARDS_EXIST',
      'STOCK_EXPIRY_INVALID',
      'STOCK_UNIT_INVALID',
    ],
  },
  requisition: {
    tag: 'stock',
    summary: 'Requisition 领用: a range the giving unit holds moves to one of its children; exactly once by operation id',
    errors: [
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
      'STOCK_RANGE_INVALID',
      'STOCK_UNIT_INVALID',
      'STOCK_NOT_HELD',
      'STOCK_OUTLET_USER_CARDS_ONLY',
    ],
  },
  stockQuery: {
    tag: 'stock',
    summary: "Stock query 卡库存查询: per unit of the caller's part of the tree, the stock cards it holds by type, with their ranges",
    errors: ['OUT_OF_SCOPE', 'STOCK_UNIT_INVALID'],
  },
  issueStart: {
    tag: 'issue',
    summary: "Issue a stock card 开户发卡: bind it to a customer of the operator's outlet and charge the card fee, once",
    errors: [
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'CUSTOMER_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'SHIFT_NOT_OPEN',
      'ISSUE_CARD_NOT_IN_STOCK',
      'ISSUE_CARD_NOT_AT_OUTLET',
      'ISSUE_CARD_TYPE_INVALID',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_MAIN_CARD_INVALID',
      'ISSUE_ROLE_INVALID',
      'ISSUE_HOLDER_INVALID',
      'ISSUE_IN_PROGRESS',
    ],
  },
  issueWrite: {
    tag: 'issue',
    summary: "The secure UPDATE BINARY of an issuance's holder file (EF16) or PIN mode (EF1B), MACed for the card's challenge",
    errors: [
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'LOAD_NOT_FOUND',
      'ISSUE_NOT_FOUND',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_NOT_STARTED',
    ],
  },
  issueComplete: {
    tag: 'issue',
    summary: "Finish an issuance from the card's read-back and a fresh MAC1 probe: the card becomes active",
    errors: [
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
      'LOAD_NOT_FOUND',
      'ISSUE_NOT_FOUND',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_NOT_STARTED',
      'ISSUE_NOT_WRITTEN',
      'ISSUE_PROBE_STALE',
      'ISSUE_CARD_NOT_BLANK',
    ],
  },
  issueCancel: {
    tag: 'issue',
    summary: 'A supervisor cancels a started issuance with a reason: the card fee is given back by a reversing transfer',
    errors: [
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'LEDGER_REFUSED',
      'ISSUE_NOT_FOUND',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_NOT_STARTED',
    ],
  },
  anonymousInit: {
    tag: 'anonymous',
    summary: "Initialise 初始化 a stock card of the operator's outlet as an anonymous card: its write follows, then the proof",
    errors: [
      'ISSUE_CARD_TYPE_INVALID',
      'ANONYMOUS_STATE_INVALID',
      'ISSUE_CARD_NOT_AT_OUTLET',
      'ANONYMOUS_CARD_NAMED',
      'ISSUE_CARD_NOT_IN_STOCK',
      'ISSUE_IN_PROGRESS',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
    ],
  },
  anonymousWrite: {
    tag: 'anonymous',
    summary:
      "The secure UPDATE BINARY of an anonymous card's initialisation (EF16) or upgrade (EF16, EF1B), MACed for the card's challenge",
    errors: [
      'ISSUE_CARD_NOT_AT_OUTLET',
      'KEY_STORE_UNAVAILABLE',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'ANONYMOUS_CARD_NAMED',
      'ANONYMOUS_STATE_INVALID',
      'KEY_VERSION_UNKNOWN',
      'ISSUE_NOT_WRITTEN',
      'ISSUE_PROBE_STALE',
      'MAC1_INVALID',
    ],
  },
  anonymousInitComplete: {
    tag: 'anonymous',
    summary: "Finish an initialisation from the card's read-back and a fresh MAC1 probe: the card is ready to sell",
    errors: [
      'ANONYMOUS_STATE_INVALID',
      'ISSUE_CARD_NOT_AT_OUTLET',
      'ISSUE_CARD_NOT_BLANK',
      'KEY_STORE_UNAVAILABLE',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'ANONYMOUS_CARD_NAMED',
      'ISSUE_NOT_WRITTEN',
      'ISSUE_PROBE_STALE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
    ],
  },
  anonymousSell: {
    tag: 'anonymous',
    summary: 'Sell 发售 an initialised anonymous card: the card fee and a first amount in cash, the card active; the amount is loaded next',
    errors: [
      'ANONYMOUS_STATE_INVALID',
      'ISSUE_CARD_NOT_AT_OUTLET',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'ANONYMOUS_CARD_NAMED',
      'SHIFT_NOT_OPEN',
      'PURSE_LIMIT_EXCEEDED',
      'ACCOUNT_CEILING_EXCEEDED',
      'LEDGER_REFUSED',
    ],
  },
  anonymousTopUp: {
    tag: 'anonymous',
    summary: 'Top up 充值 a sold anonymous card with cash into its quota, at any outlet; the amount is loaded next',
    errors: [
      'ANONYMOUS_CARD_NAMED',
      'ANONYMOUS_STATE_INVALID',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'SHIFT_NOT_OPEN',
      'PURSE_LIMIT_EXCEEDED',
      'ACCOUNT_CEILING_EXCEEDED',
      'LEDGER_REFUSED',
    ],
  },
  anonymousUpgrade: {
    tag: 'anonymous',
    summary:
      "Start upgrading 升级 a sold anonymous card to a named personal card with the buyer's details: the writes follow, then the proof",
    errors: [
      'ANONYMOUS_STATE_INVALID',
      'ANONYMOUS_UPGRADE_ELSEWHERE',
      'IDEMPOTENCY_CONFLICT',
      'CUSTOMER_NAME_INVALID',
      'RESIDENT_ID_INVALID',
      'ID_NUMBER_INVALID',
      'PHONE_INVALID',
      'ISSUE_HOLDER_INVALID',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'ANONYMOUS_CARD_NAMED',
    ],
  },
  anonymousUpgradeComplete: {
    tag: 'anonymous',
    summary: "Finish an upgrade from the card's read-back and a fresh MAC1 probe: the card named, its customer the buyer, the balance kept",
    errors: [
      'ANONYMOUS_STATE_INVALID',
      'ANONYMOUS_UPGRADE_ELSEWHERE',
      'KEY_STORE_UNAVAILABLE',
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'ANONYMOUS_CARD_NAMED',
      'ISSUE_NOT_WRITTEN',
      'ISSUE_PROBE_STALE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
    ],
  },
  stationCardStart: {
    tag: 'station-cards',
    summary: "Issue a station card 员工卡/维修卡/验泵卡 from the centre's stock to a station of its subtree: no fee, once",
    errors: [
      'STATION_CARD_TYPE_INVALID',
      'ISSUE_CARD_NOT_IN_STOCK',
      'STATION_CARD_NOT_IN_STOCK',
      'ISSUE_HOLDER_INVALID',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'STATION_INVALID',
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
    ],
  },
  stationCardWrite: {
    tag: 'station-cards',
    summary: "The secure UPDATE BINARY of a station card's holder file (EF16) or PIN mode (EF1B), MACed for the card's challenge",
    errors: [
      'ISSUE_NOT_STARTED',
      'KEY_STORE_UNAVAILABLE',
      'STATION_CARD_NOT_FOUND',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'KEY_VERSION_UNKNOWN',
    ],
  },
  stationCardComplete: {
    tag: 'station-cards',
    summary: "Finish a station card's issue from the card's read-back and a fresh MAC1 probe: the card active at its station",
    errors: [
      'ISSUE_NOT_STARTED',
      'ISSUE_NOT_WRITTEN',
      'ISSUE_PROBE_STALE',
      'KEY_VERSION_UNKNOWN',
      'MAC1_INVALID',
      'ISSUE_CARD_NOT_BLANK',
      'CARD_HAS_NO_PURSE',
      'KEY_STORE_UNAVAILABLE',
      'STATION_CARD_NOT_FOUND',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'IDEMPOTENCY_CONFLICT',
    ],
  },
  stationCardWithdraw: {
    tag: 'station-cards',
    summary: 'Withdraw an issued station card (an employee leaves) with a reason: the card closed, dropped from its white list',
    errors: ['STATION_CARD_NOT_ISSUED', 'STATION_CARD_NOT_FOUND', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND', 'IDEMPOTENCY_CONFLICT'],
  },
  stationCards: {
    tag: 'station-cards',
    summary: "A station's cards (the white list's source): issued first, then withdrawn",
    errors: ['STATION_INVALID'],
  },
  calendarYear: {
    tag: 'calendar',
    summary: 'The working-day calendar of a year: its holidays and make-up working days (every other day follows the weekly rule)',
    errors: [],
  },
  calendarSetDay: {
    tag: 'calendar',
    summary: "Set one day of the calendar (a holiday, a make-up working day, or back to the weekly rule): the day's year answered",
    description:
      'Exactly once by `operationId`; audited. A make-up working day must be a Saturday or a Sunday. Loss reports already made keep the effective time they were given.',
    errors: ['CALENDAR_DAY_INVALID', 'IDEMPOTENCY_CONFLICT'],
  },
  lossReport: {
    tag: 'loss-reports',
    summary:
      "Report a card lost 挂失: the holder's identity checked and recorded, the customer's choice kept; effective 2 working days later",
    description:
      "Exactly once by `operationId`; audited with the operator and the device. The effective time is computed with the working-day calendar when the report is made and stored. The server's clock decides when it is reached (server/cards/loss-report.ts): from then no load takes the card, and the card becomes lost (on the blacklist) with its purse mirror frozen.",
    errors: [
      'CARD_NOT_FOUND',
      'CARD_NOT_ISSUED',
      'CARD_LOST',
      'CARD_BLACKLISTED',
      'CARD_CLOSED',
      'CARD_BAD',
      'CARD_HAS_NO_PURSE',
      'ANONYMOUS_NO_LOSS_REPORT',
      'LOSS_IDENTITY_MISMATCH',
      'LOSS_REPORT_EXISTS',
      'OUT_OF_SCOPE',
      'LOAD_NOT_FOUND',
      'IDEMPOTENCY_CONFLICT',
    ],
  },
  lossCancel: {
    tag: 'loss-reports',
    summary: 'Cancel a loss report 解挂 before it takes effect, the identity checked again',
    errors: [
      'LOSS_REPORT_NOT_FOUND',
      'LOSS_REPORT_NOT_PENDING',
      'LOSS_IDENTITY_MISMATCH',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
    ],
  },
  cardLossReports: {
    tag: 'loss-reports',
    summary: "A card's loss reports, newest first (a report whose time has come answers as effective)",
    errors: ['CARD_NOT_FOUND', 'LOAD_NOT_FOUND', 'OUT_OF_SCOPE'],
  },
};
