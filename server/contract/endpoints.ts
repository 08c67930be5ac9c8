/**
 * Every API endpoint with its method, path and shapes: the server registers its routes from this
 * table and generates /api/openapi.json from it, and the app can build its client from it.
 */
import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import {
  CardAlarmList,
  ClearCardReviewRequest,
  ClearCardReviewResponse,
  CreateOrgUnitRequest,
  DeviceList,
  DeviceView,
  DisableDeviceRequest,
  LedgerCheckResponse,
  OrgUnit,
  OrgUnitList,
  RegisterDeviceRequest,
} from './admin.ts';
import {
  CreateOperatorRequest,
  CreateOperatorResponse,
  EnrolRequest,
  EnrolResponse,
  IssueEnrolmentRequest,
  IssueEnrolmentResponse,
  LoginRequest,
  LoginResponse,
  LogoutRequest,
  LogoutResponse,
} from './auth.ts';
import { CardHistory, CardParams, CardSummary } from './cards.ts';
import {
  LoadCompleteRequest,
  LoadCompleteResponse,
  LoadInitialiseRequest,
  LoadInitialiseResponse,
  LoadRecoverRequest,
  LoadRecoverResponse,
  UnloadInitialiseRequest,
} from './loads.ts';
import { PullRequest, PullResponse, PushRequest, PushResponse } from './sync.ts';
import { CreateDemoKioskRequest, CreateDemoTabletRequest, DemoKiosk, ServerInfo } from './info.ts';
import { StationInfo } from './station.ts';
import { ApprovalRequest, ApprovalResponse } from './approvals.ts';
import { CustomerDetail, CustomerList, CustomerParams, CustomerSearchQuery } from './customers.ts';
import { CurrentShiftResponse, ShiftOperationsQuery, ShiftOperationsResponse } from './shifts.ts';
import { RequisitionRequest, RequisitionResponse, StockBatchRequest, StockBatchResponse, StockQuery, StockView } from './stock.ts';
import {
  IssueCancelRequest,
  IssueCompleteRequest,
  IssueParams,
  IssueStartRequest,
  IssueView,
  IssueWriteRequest,
  IssueWriteResponse,
} from './issue.ts';
import {
  AnonymousCardParams,
  AnonymousCardView,
  AnonymousInitRequest,
  AnonymousMoneyResponse,
  AnonymousProofRequest,
  AnonymousSellRequest,
  AnonymousTopUpRequest,
  AnonymousUpgradeRequest,
  AnonymousWriteRequest,
} from './anonymous.ts';
import {
  StationCardCompleteRequest,
  StationCardList,
  StationCardParams,
  StationCardStartRequest,
  StationCardView,
  StationCardWithdrawRequest,
  StationParams,
} from './station-cards.ts';

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
  | 'issue';

export type Endpoint = {
  method: 'GET' | 'POST';
  path: string;
  /** The reference's group; tests/unit/api-errors.test.ts wants one on every endpoint. */
  tag?: ApiTag;
  summary: string;
  /** More than the summary says, for the reference (Markdown). */
  description?: string;
  /**
   * The error codes this endpoint's handler can answer with, besides the general ones every
   * request, signed-in request or versioned request can get (api-errors.ts). Checked against the
   * server's source by tests/unit/api-errors.test.ts.
   */
  errors?: readonly ErrorCode[];
  /** Public endpoints need no credentials; every other one is checked against the role policy. */
  public?: boolean;
  /**
   * The body and the answer carry `contractVersion` (version.ts): the server refuses a request of
   * another version (CONTRACT_VERSION_MISMATCH) before anything else, the app's client fills its
   * own version in and refuses an answer of another.
   */
  versioned?: true;
  body?: z.ZodType;
  params?: z.ZodType;
  /** The query string's parameters, an object schema whose fields are the parameters (strings on the wire). */
  query?: z.ZodObject;
  response: z.ZodType;
};

const e = <T extends Record<string, Endpoint>>(table: T): T => table;

export const ENDPOINTS = e({
  info: {
    method: 'GET',
    path: '/api/v1/info',
    tag: 'info',
    errors: [],
    summary: 'What the app needs before enrolment (demo mode, contract version)',
    public: true,
    response: ServerInfo,
  },
  createDemoKiosk: {
    method: 'POST',
    path: '/api/v1/demo/kiosks',
    tag: 'info',
    errors: ['NOT_FOUND', 'RATE_LIMITED'],
    summary: 'Demo mode only: a demo kiosk of its own for this browser, with its enrolment code and the serial base of its demo cards',
    public: true,
    body: CreateDemoKioskRequest,
    response: DemoKiosk,
  },
  createDemoTablet: {
    method: 'POST',
    path: '/api/v1/demo/tablets',
    tag: 'info',
    errors: ['NOT_FOUND', 'RATE_LIMITED'],
    summary:
      'Demo mode only: a demo outlet tablet of its own for this browser, with its enrolment code and the serial base of its demo cards',
    public: true,
    body: CreateDemoTabletRequest,
    response: DemoKiosk,
  },
  login: {
    method: 'POST',
    path: '/api/v1/auth/login',
    tag: 'auth',
    errors: ['LOGIN_FAILED', 'ACCOUNT_LOCKED', 'RATE_LIMITED', 'SIGN_IN_BUSY'],
    summary: 'Operator sign-in',
    public: true,
    body: LoginRequest,
    response: LoginResponse,
  },
  logout: {
    method: 'POST',
    path: '/api/v1/auth/logout',
    tag: 'auth',
    summary: 'Operator sign-out',
    errors: [],
    body: LogoutRequest,
    response: LogoutResponse,
  },
  enrol: {
    method: 'POST',
    path: '/api/v1/devices/enrol',
    tag: 'devices',
    errors: ['ENROLMENT_FAILED', 'DEVICE_KEYS_UNAVAILABLE'],
    summary: 'Device enrolment: code → per-device secret',
    public: true,
    body: EnrolRequest,
    response: EnrolResponse,
  },
  issueEnrolment: {
    method: 'POST',
    path: '/api/v1/admin/devices/enrolment',
    tag: 'devices',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
    summary: 'Issue an enrolment code for a device',
    body: IssueEnrolmentRequest,
    response: IssueEnrolmentResponse,
  },
  createOperator: {
    method: 'POST',
    path: '/api/v1/admin/operators',
    tag: 'organisation',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'SIGN_IN_BUSY'],
    summary: 'Create an operator',
    body: CreateOperatorRequest,
    response: CreateOperatorResponse,
  },
  listOrgUnits: {
    method: 'GET',
    path: '/api/v1/admin/org-units',
    tag: 'organisation',
    errors: [],
    summary: "The organisation units within the caller's scope, parents first",
    response: OrgUnitList,
  },
  createOrgUnit: {
    method: 'POST',
    path: '/api/v1/admin/org-units',
    tag: 'organisation',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'ORG_UNIT_PARENT_INVALID'],
    summary: 'Create an organisation unit under a parent of an allowed kind',
    body: CreateOrgUnitRequest,
    response: OrgUnit,
  },
  listDevices: {
    method: 'GET',
    path: '/api/v1/admin/devices',
    tag: 'devices',
    errors: [],
    summary: "The kiosks and tablets within the caller's scope",
    response: DeviceList,
  },
  registerDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices',
    tag: 'devices',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE', 'ALREADY_EXISTS', 'DEVICE_UNIT_INVALID'],
    summary: 'Register a kiosk or tablet in an outlet or station (then issue its enrolment code)',
    body: RegisterDeviceRequest,
    response: DeviceView,
  },
  disableDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices/disable',
    tag: 'devices',
    errors: ['NOT_FOUND', 'OUT_OF_SCOPE'],
    summary: 'Disable a device: its secret and any enrolment code stop working at once',
    body: DisableDeviceRequest,
    response: DeviceView,
  },
  createApproval: {
    method: 'POST',
    path: '/api/v1/approvals',
    tag: 'approvals',
    errors: ['OUT_OF_SCOPE', 'CUSTOMER_NOT_FOUND'],
    summary: "A supervisor's approval of one amount for one customer (a large cash receipt names it)",
    body: ApprovalRequest,
    response: ApprovalResponse,
  },
  listCardAlarms: {
    method: 'GET',
    path: '/api/v1/admin/card-alarms',
    tag: 'centre',
    errors: [],
    summary: "Cards whose chip showed more money than the ledger gave them, within the caller's scope",
    response: CardAlarmList,
  },
  clearCardReview: {
    method: 'POST',
    path: '/api/v1/admin/card-alarms/clear',
    tag: 'centre',
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
    summary: "Clear a card's review after looking at it: its open alarms closed with a note, its loads resume",
    body: ClearCardReviewRequest,
    response: ClearCardReviewResponse,
  },
  ledgerCheck: {
    method: 'GET',
    path: '/api/v1/admin/ledger/check',
    tag: 'centre',
    errors: [],
    summary: 'Check the ledger invariants and the audit chains',
    response: LedgerCheckResponse,
  },
  loadInitialise: {
    method: 'POST',
    path: '/api/v1/loads/initialise',
    tag: 'loads',
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
    summary: 'Load 圈存: verify MAC1, reserve, answer MAC2',
    body: LoadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  loadComplete: {
    method: 'POST',
    path: '/api/v1/loads/complete',
    tag: 'loads',
    errors: [
      'OUT_OF_SCOPE',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'TAC_INVALID',
      'LOAD_NOT_FOUND',
      'LOAD_ALREADY_VOIDED',
    ],
    summary: 'Load 圈存: verify the TAC and post',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  loadRecover: {
    method: 'POST',
    path: '/api/v1/loads/recover',
    tag: 'loads',
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
    summary: "Settle a card's pending load or unload from its counter",
    body: LoadRecoverRequest,
    response: LoadRecoverResponse,
  },
  unloadInitialise: {
    method: 'POST',
    path: '/api/v1/unloads/initialise',
    tag: 'loads',
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
    summary: 'Unload 圈提: verify MAC1, reserve, answer MAC2',
    body: UnloadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  unloadComplete: {
    method: 'POST',
    path: '/api/v1/unloads/complete',
    tag: 'loads',
    errors: [
      'OUT_OF_SCOPE',
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'TAC_INVALID',
      'LOAD_NOT_FOUND',
      'LOAD_ALREADY_VOIDED',
    ],
    summary: 'Unload 圈提: verify MAC3 and post',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  syncPush: {
    method: 'POST',
    path: '/api/v1/sync/push',
    tag: 'sync',
    errors: ['DEVICE_REQUIRED'],
    summary: 'Push a batch of numbered operations, exactly once',
    versioned: true,
    body: PushRequest,
    response: PushResponse,
  },
  syncPull: {
    method: 'POST',
    path: '/api/v1/sync/pull',
    tag: 'sync',
    errors: ['DEVICE_REQUIRED'],
    summary: 'What a device needs to work offline',
    versioned: true,
    body: PullRequest,
    response: PullResponse,
  },
  deviceStation: {
    method: 'GET',
    path: '/api/v1/device/station',
    summary: "The device's station as its receipts print it: name, address, service hotline",
    response: StationInfo,
  },
  cardInquiry: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo',
    tag: 'cards',
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
    summary: 'Card state and account balances',
    params: CardParams,
    response: CardSummary,
  },
  cardHistory: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo/history',
    tag: 'cards',
    errors: ['OUT_OF_SCOPE', 'CARD_NOT_FOUND', 'LOAD_NOT_FOUND'],
    summary: 'Recent account movements behind a card, newest first',
    params: CardParams,
    response: CardHistory,
  },
  searchCustomers: {
    method: 'GET',
    path: '/api/v1/customers',
    tag: 'customers',
    errors: [],
    summary: 'Customers of the whole network by part of the name, or the ID number, tax id, phone or card number; paged by id',
    query: CustomerSearchQuery,
    response: CustomerList,
  },
  customerDetail: {
    method: 'GET',
    path: '/api/v1/customers/:id',
    tag: 'customers',
    errors: ['CUSTOMER_NOT_FOUND'],
    summary: "A customer's details, its cards, and the revisions of its details, newest first",
    params: CustomerParams,
    response: CustomerDetail,
  },
  currentShift: {
    method: 'GET',
    path: '/api/v1/shifts/current',
    tag: 'shifts',
    errors: [],
    summary: "The signed-in operator's open shift (its float, drawer and receipts), or null: the tablet's status bar",
    response: CurrentShiftResponse,
  },
  shiftOperations: {
    method: 'GET',
    path: '/api/v1/shifts/current/operations',
    summary:
      "The money operations booked to a shift (receipts, pre-allocations) with their status: the caller's open shift, or a supervisor's pick of its outlet's shifts",
    query: ShiftOperationsQuery,
    response: ShiftOperationsResponse,
  },
  stockIn: {
    method: 'POST',
    path: '/api/v1/stock/batches',
    tag: 'stock',
    errors: [
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
      'STOCK_RANGE_INVALID',
      'STOCK_CARDS_EXIST',
      'STOCK_EXPIRY_INVALID',
      'STOCK_UNIT_INVALID',
    ],
    summary: 'Stock in 入库: a range of personalised cards enters stock at the province; exactly once by operation id',
    body: StockBatchRequest,
    response: StockBatchResponse,
  },
  requisition: {
    method: 'POST',
    path: '/api/v1/stock/requisitions',
    tag: 'stock',
    errors: [
      'OUT_OF_SCOPE',
      'IDEMPOTENCY_CONFLICT',
      'STOCK_RANGE_INVALID',
      'STOCK_UNIT_INVALID',
      'STOCK_NOT_HELD',
      'STOCK_OUTLET_USER_CARDS_ONLY',
    ],
    summary: 'Requisition 领用: a range the giving unit holds moves to one of its children; exactly once by operation id',
    body: RequisitionRequest,
    response: RequisitionResponse,
  },
  stockQuery: {
    method: 'GET',
    path: '/api/v1/stock',
    tag: 'stock',
    errors: ['OUT_OF_SCOPE', 'STOCK_UNIT_INVALID'],
    summary: "Stock query 卡库存查询: per unit of the caller's part of the tree, the stock cards it holds by type, with their ranges",
    query: StockQuery,
    response: StockView,
  },
  issueStart: {
    method: 'POST',
    path: '/api/v1/cards/issue',
    tag: 'issue',
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
    summary: "Issue a stock card 开户发卡: bind it to a customer of the operator's outlet and charge the card fee, once",
    body: IssueStartRequest,
    response: IssueView,
  },
  issueWrite: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/write',
    tag: 'issue',
    errors: [
      'CARD_NOT_FOUND',
      'KEY_STORE_UNAVAILABLE',
      'KEY_VERSION_UNKNOWN',
      'LOAD_NOT_FOUND',
      'ISSUE_NOT_FOUND',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_NOT_STARTED',
    ],
    summary: "The secure UPDATE BINARY of an issuance's holder file (EF16) or PIN mode (EF1B), MACed for the card's challenge",
    params: IssueParams,
    body: IssueWriteRequest,
    response: IssueWriteResponse,
  },
  issueComplete: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/complete',
    tag: 'issue',
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
    summary: "Finish an issuance from the card's read-back and a fresh MAC1 probe: the card becomes active",
    params: IssueParams,
    body: IssueCompleteRequest,
    response: IssueView,
  },
  issueCancel: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/cancel',
    tag: 'issue',
    errors: [
      'IDEMPOTENCY_CONFLICT',
      'CARD_NOT_FOUND',
      'LOAD_NOT_FOUND',
      'LEDGER_REFUSED',
      'ISSUE_NOT_FOUND',
      'ISSUE_OTHER_OUTLET',
      'ISSUE_NOT_STARTED',
    ],
    summary: 'A supervisor cancels a started issuance with a reason: the card fee is given back by a reversing transfer',
    params: IssueParams,
    body: IssueCancelRequest,
    response: IssueView,
  },
  anonymousInit: {
    method: 'POST',
    path: '/api/v1/cards/anonymous',
    summary: "Initialise 初始化 a stock card of the operator's outlet as an anonymous card: its write follows, then the proof",
    body: AnonymousInitRequest,
    response: AnonymousCardView,
  },
  anonymousWrite: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/write',
    summary:
      "The secure UPDATE BINARY of an anonymous card's initialisation (EF16) or upgrade (EF16, EF1B), MACed for the card's challenge",
    params: AnonymousCardParams,
    body: AnonymousWriteRequest,
    response: IssueWriteResponse,
  },
  anonymousInitComplete: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/initialised',
    summary: "Finish an initialisation from the card's read-back and a fresh MAC1 probe: the card is ready to sell",
    params: AnonymousCardParams,
    body: AnonymousProofRequest,
    response: AnonymousCardView,
  },
  anonymousSell: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/sell',
    summary: 'Sell 发售 an initialised anonymous card: the card fee and a first amount in cash, the card active; the amount is loaded next',
    body: AnonymousSellRequest,
    response: AnonymousMoneyResponse,
  },
  anonymousTopUp: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/top-up',
    summary: 'Top up 充值 a sold anonymous card with cash into its quota, at any outlet; the amount is loaded next',
    body: AnonymousTopUpRequest,
    response: AnonymousMoneyResponse,
  },
  anonymousUpgrade: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/upgrade',
    summary:
      "Start upgrading 升级 a sold anonymous card to a named personal card with the buyer's details: the writes follow, then the proof",
    body: AnonymousUpgradeRequest,
    response: AnonymousCardView,
  },
  anonymousUpgradeComplete: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/upgraded',
    summary: "Finish an upgrade from the card's read-back and a fresh MAC1 probe: the card named, its customer the buyer, the balance kept",
    params: AnonymousCardParams,
    body: AnonymousProofRequest,
    response: AnonymousCardView,
  },
  stationCardStart: {
    method: 'POST',
    path: '/api/v1/station-cards',
    summary: "Issue a station card 员工卡/维修卡/验泵卡 from the centre's stock to a station of its subtree: no fee, once",
    body: StationCardStartRequest,
    response: StationCardView,
  },
  stationCardWrite: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/write',
    summary: "The secure UPDATE BINARY of a station card's holder file (EF16) or PIN mode (EF1B), MACed for the card's challenge",
    params: StationCardParams,
    body: IssueWriteRequest,
    response: IssueWriteResponse,
  },
  stationCardComplete: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/complete',
    summary: "Finish a station card's issue from the card's read-back and a fresh MAC1 probe: the card active at its station",
    params: StationCardParams,
    body: StationCardCompleteRequest,
    response: StationCardView,
  },
  stationCardWithdraw: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/withdraw',
    summary: 'Withdraw an issued station card (an employee leaves) with a reason: the card closed, dropped from its white list',
    params: StationCardParams,
    body: StationCardWithdrawRequest,
    response: StationCardView,
  },
  stationCards: {
    method: 'GET',
    path: '/api/v1/stations/:stationId/cards',
    summary: "A station's cards (the white list's source): issued first, then withdrawn",
    params: StationParams,
    response: StationCardList,
  },
});
export type EndpointName = keyof typeof ENDPOINTS;
