/**
 * Every API endpoint with its method, path and shapes: the server registers its routes from this
 * table and generates /api/openapi.json from it, and the app can build its client from it.
 */
import type { z } from 'zod';
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
import { ApprovalRequest, ApprovalResponse } from './approvals.ts';
import { CustomerDetail, CustomerList, CustomerParams, CustomerSearchQuery } from './customers.ts';
import { CurrentShiftResponse } from './shifts.ts';
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
  StationCardCompleteRequest,
  StationCardList,
  StationCardParams,
  StationCardStartRequest,
  StationCardView,
  StationCardWithdrawRequest,
  StationParams,
} from './station-cards.ts';

export type Endpoint = {
  method: 'GET' | 'POST';
  path: string;
  summary: string;
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
    summary: 'What the app needs before enrolment (demo mode, contract version)',
    public: true,
    response: ServerInfo,
  },
  createDemoKiosk: {
    method: 'POST',
    path: '/api/v1/demo/kiosks',
    summary: 'Demo mode only: a demo kiosk of its own for this browser, with its enrolment code and the serial base of its demo cards',
    public: true,
    body: CreateDemoKioskRequest,
    response: DemoKiosk,
  },
  createDemoTablet: {
    method: 'POST',
    path: '/api/v1/demo/tablets',
    summary:
      'Demo mode only: a demo outlet tablet of its own for this browser, with its enrolment code and the serial base of its demo cards',
    public: true,
    body: CreateDemoTabletRequest,
    response: DemoKiosk,
  },
  login: {
    method: 'POST',
    path: '/api/v1/auth/login',
    summary: 'Operator sign-in',
    public: true,
    body: LoginRequest,
    response: LoginResponse,
  },
  logout: { method: 'POST', path: '/api/v1/auth/logout', summary: 'Operator sign-out', body: LogoutRequest, response: LogoutResponse },
  enrol: {
    method: 'POST',
    path: '/api/v1/devices/enrol',
    summary: 'Device enrolment: code → per-device secret',
    public: true,
    body: EnrolRequest,
    response: EnrolResponse,
  },
  issueEnrolment: {
    method: 'POST',
    path: '/api/v1/admin/devices/enrolment',
    summary: 'Issue an enrolment code for a device',
    body: IssueEnrolmentRequest,
    response: IssueEnrolmentResponse,
  },
  createOperator: {
    method: 'POST',
    path: '/api/v1/admin/operators',
    summary: 'Create an operator',
    body: CreateOperatorRequest,
    response: CreateOperatorResponse,
  },
  listOrgUnits: {
    method: 'GET',
    path: '/api/v1/admin/org-units',
    summary: "The organisation units within the caller's scope, parents first",
    response: OrgUnitList,
  },
  createOrgUnit: {
    method: 'POST',
    path: '/api/v1/admin/org-units',
    summary: 'Create an organisation unit under a parent of an allowed kind',
    body: CreateOrgUnitRequest,
    response: OrgUnit,
  },
  listDevices: {
    method: 'GET',
    path: '/api/v1/admin/devices',
    summary: "The kiosks and tablets within the caller's scope",
    response: DeviceList,
  },
  registerDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices',
    summary: 'Register a kiosk or tablet in an outlet or station (then issue its enrolment code)',
    body: RegisterDeviceRequest,
    response: DeviceView,
  },
  disableDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices/disable',
    summary: 'Disable a device: its secret and any enrolment code stop working at once',
    body: DisableDeviceRequest,
    response: DeviceView,
  },
  createApproval: {
    method: 'POST',
    path: '/api/v1/approvals',
    summary: "A supervisor's approval of one amount for one customer (a large cash receipt names it)",
    body: ApprovalRequest,
    response: ApprovalResponse,
  },
  listCardAlarms: {
    method: 'GET',
    path: '/api/v1/admin/card-alarms',
    summary: "Cards whose chip showed more money than the ledger gave them, within the caller's scope",
    response: CardAlarmList,
  },
  clearCardReview: {
    method: 'POST',
    path: '/api/v1/admin/card-alarms/clear',
    summary: "Clear a card's review after looking at it: its open alarms closed with a note, its loads resume",
    body: ClearCardReviewRequest,
    response: ClearCardReviewResponse,
  },
  ledgerCheck: {
    method: 'GET',
    path: '/api/v1/admin/ledger/check',
    summary: 'Check the ledger invariants and the audit chains',
    response: LedgerCheckResponse,
  },
  loadInitialise: {
    method: 'POST',
    path: '/api/v1/loads/initialise',
    summary: 'Load 圈存: verify MAC1, reserve, answer MAC2',
    body: LoadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  loadComplete: {
    method: 'POST',
    path: '/api/v1/loads/complete',
    summary: 'Load 圈存: verify the TAC and post',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  loadRecover: {
    method: 'POST',
    path: '/api/v1/loads/recover',
    summary: "Settle a card's pending load or unload from its counter",
    body: LoadRecoverRequest,
    response: LoadRecoverResponse,
  },
  unloadInitialise: {
    method: 'POST',
    path: '/api/v1/unloads/initialise',
    summary: 'Unload 圈提: verify MAC1, reserve, answer MAC2',
    body: UnloadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  unloadComplete: {
    method: 'POST',
    path: '/api/v1/unloads/complete',
    summary: 'Unload 圈提: verify MAC3 and post',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  syncPush: {
    method: 'POST',
    path: '/api/v1/sync/push',
    summary: 'Push a batch of numbered operations, exactly once',
    versioned: true,
    body: PushRequest,
    response: PushResponse,
  },
  syncPull: {
    method: 'POST',
    path: '/api/v1/sync/pull',
    summary: 'What a device needs to work offline',
    versioned: true,
    body: PullRequest,
    response: PullResponse,
  },
  cardInquiry: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo',
    summary: 'Card state and account balances',
    params: CardParams,
    response: CardSummary,
  },
  cardHistory: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo/history',
    summary: 'Recent account movements behind a card, newest first',
    params: CardParams,
    response: CardHistory,
  },
  searchCustomers: {
    method: 'GET',
    path: '/api/v1/customers',
    summary: 'Customers of the whole network by part of the name, or the ID number, tax id, phone or card number; paged by id',
    query: CustomerSearchQuery,
    response: CustomerList,
  },
  customerDetail: {
    method: 'GET',
    path: '/api/v1/customers/:id',
    summary: "A customer's details, its cards, and the revisions of its details, newest first",
    params: CustomerParams,
    response: CustomerDetail,
  },
  currentShift: {
    method: 'GET',
    path: '/api/v1/shifts/current',
    summary: "The signed-in operator's open shift (its float, drawer and receipts), or null: the tablet's status bar",
    response: CurrentShiftResponse,
  },
  stockIn: {
    method: 'POST',
    path: '/api/v1/stock/batches',
    summary: 'Stock in 入库: a range of personalised cards enters stock at the province; exactly once by operation id',
    body: StockBatchRequest,
    response: StockBatchResponse,
  },
  requisition: {
    method: 'POST',
    path: '/api/v1/stock/requisitions',
    summary: 'Requisition 领用: a range the giving unit holds moves to one of its children; exactly once by operation id',
    body: RequisitionRequest,
    response: RequisitionResponse,
  },
  stockQuery: {
    method: 'GET',
    path: '/api/v1/stock',
    summary: "Stock query 卡库存查询: per unit of the caller's part of the tree, the stock cards it holds by type, with their ranges",
    query: StockQuery,
    response: StockView,
  },
  issueStart: {
    method: 'POST',
    path: '/api/v1/cards/issue',
    summary: "Issue a stock card 开户发卡: bind it to a customer of the operator's outlet and charge the card fee, once",
    body: IssueStartRequest,
    response: IssueView,
  },
  issueWrite: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/write',
    summary: "The secure UPDATE BINARY of an issuance's holder file (EF16) or PIN mode (EF1B), MACed for the card's challenge",
    params: IssueParams,
    body: IssueWriteRequest,
    response: IssueWriteResponse,
  },
  issueComplete: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/complete',
    summary: "Finish an issuance from the card's read-back and a fresh MAC1 probe: the card becomes active",
    params: IssueParams,
    body: IssueCompleteRequest,
    response: IssueView,
  },
  issueCancel: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/cancel',
    summary: 'A supervisor cancels a started issuance with a reason: the card fee is given back by a reversing transfer',
    params: IssueParams,
    body: IssueCancelRequest,
    response: IssueView,
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
