/**
 * Every API endpoint with its method, path and shapes: the server registers its routes from this
 * table and generates /api/openapi.json from it, and the app can build its client from it. What
 * only the reference (/api/docs) reads, each endpoint's group, summary and own error codes, is in
 * endpoint-docs.ts beside it: the apps bundle this table, and need none of that.
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
  EnableDeviceRequest,
  LedgerCheckResponse,
  OrgUnit,
  OrgUnitList,
  RegisterDeviceRequest,
  RenameOrgUnitRequest,
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
import { CalendarQuery, CalendarSetDayRequest, CalendarYear } from './calendar.ts';
import { CardLossReports, LossCancelRequest, LossReportParams, LossReportRequest, LossReportView } from './loss-reports.ts';
import {
  OperatorList,
  OperatorListQuery,
  OperatorRequest,
  OperatorView,
  ResetOperatorPasswordRequest,
  ResetOperatorPasswordResponse,
  SetOperatorStateRequest,
  UpdateOperatorRequest,
} from './operators.ts';
import { AuditPage, AuditSearchQuery, AuditVerification, CardStates, CardStatesQuery } from './audit.ts';

export type Endpoint = {
  method: 'GET' | 'POST';
  path: string;
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
    public: true,
    response: ServerInfo,
  },
  createDemoKiosk: {
    method: 'POST',
    path: '/api/v1/demo/kiosks',
    public: true,
    body: CreateDemoKioskRequest,
    response: DemoKiosk,
  },
  createDemoTablet: {
    method: 'POST',
    path: '/api/v1/demo/tablets',
    public: true,
    body: CreateDemoTabletRequest,
    response: DemoKiosk,
  },
  login: {
    method: 'POST',
    path: '/api/v1/auth/login',
    public: true,
    body: LoginRequest,
    response: LoginResponse,
  },
  logout: {
    method: 'POST',
    path: '/api/v1/auth/logout',
    body: LogoutRequest,
    response: LogoutResponse,
  },
  enrol: {
    method: 'POST',
    path: '/api/v1/devices/enrol',
    public: true,
    body: EnrolRequest,
    response: EnrolResponse,
  },
  issueEnrolment: {
    method: 'POST',
    path: '/api/v1/admin/devices/enrolment',
    body: IssueEnrolmentRequest,
    response: IssueEnrolmentResponse,
  },
  createOperator: {
    method: 'POST',
    path: '/api/v1/admin/operators',
    body: CreateOperatorRequest,
    response: CreateOperatorResponse,
  },
  listOperators: {
    method: 'GET',
    path: '/api/v1/admin/operators',
    query: OperatorListQuery,
    response: OperatorList,
  },
  updateOperator: {
    method: 'POST',
    path: '/api/v1/admin/operators/update',
    body: UpdateOperatorRequest,
    response: OperatorView,
  },
  setOperatorState: {
    method: 'POST',
    path: '/api/v1/admin/operators/state',
    body: SetOperatorStateRequest,
    response: OperatorView,
  },
  resetOperatorPassword: {
    method: 'POST',
    path: '/api/v1/admin/operators/password',
    body: ResetOperatorPasswordRequest,
    response: ResetOperatorPasswordResponse,
  },
  unlockOperator: {
    method: 'POST',
    path: '/api/v1/admin/operators/unlock',
    body: OperatorRequest,
    response: OperatorView,
  },
  listOrgUnits: {
    method: 'GET',
    path: '/api/v1/admin/org-units',
    response: OrgUnitList,
  },
  createOrgUnit: {
    method: 'POST',
    path: '/api/v1/admin/org-units',
    body: CreateOrgUnitRequest,
    response: OrgUnit,
  },
  renameOrgUnit: {
    method: 'POST',
    path: '/api/v1/admin/org-units/rename',
    body: RenameOrgUnitRequest,
    response: OrgUnit,
  },
  listDevices: {
    method: 'GET',
    path: '/api/v1/admin/devices',
    response: DeviceList,
  },
  registerDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices',
    body: RegisterDeviceRequest,
    response: DeviceView,
  },
  disableDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices/disable',
    body: DisableDeviceRequest,
    response: DeviceView,
  },
  enableDevice: {
    method: 'POST',
    path: '/api/v1/admin/devices/enable',
    body: EnableDeviceRequest,
    response: DeviceView,
  },
  createApproval: {
    method: 'POST',
    path: '/api/v1/approvals',
    body: ApprovalRequest,
    response: ApprovalResponse,
  },
  listCardAlarms: {
    method: 'GET',
    path: '/api/v1/admin/card-alarms',
    response: CardAlarmList,
  },
  clearCardReview: {
    method: 'POST',
    path: '/api/v1/admin/card-alarms/clear',
    body: ClearCardReviewRequest,
    response: ClearCardReviewResponse,
  },
  ledgerCheck: {
    method: 'GET',
    path: '/api/v1/admin/ledger/check',
    response: LedgerCheckResponse,
  },
  auditSearch: {
    method: 'GET',
    path: '/api/v1/admin/audit',
    query: AuditSearchQuery,
    response: AuditPage,
  },
  auditVerify: {
    method: 'GET',
    path: '/api/v1/admin/audit/verify',
    response: AuditVerification,
  },
  cardStates: {
    method: 'GET',
    path: '/api/v1/admin/card-states',
    query: CardStatesQuery,
    response: CardStates,
  },
  loadInitialise: {
    method: 'POST',
    path: '/api/v1/loads/initialise',
    body: LoadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  loadComplete: {
    method: 'POST',
    path: '/api/v1/loads/complete',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  loadRecover: {
    method: 'POST',
    path: '/api/v1/loads/recover',
    body: LoadRecoverRequest,
    response: LoadRecoverResponse,
  },
  unloadInitialise: {
    method: 'POST',
    path: '/api/v1/unloads/initialise',
    body: UnloadInitialiseRequest,
    response: LoadInitialiseResponse,
  },
  unloadComplete: {
    method: 'POST',
    path: '/api/v1/unloads/complete',
    body: LoadCompleteRequest,
    response: LoadCompleteResponse,
  },
  syncPush: {
    method: 'POST',
    path: '/api/v1/sync/push',
    versioned: true,
    body: PushRequest,
    response: PushResponse,
  },
  syncPull: {
    method: 'POST',
    path: '/api/v1/sync/pull',
    versioned: true,
    body: PullRequest,
    response: PullResponse,
  },
  deviceStation: {
    method: 'GET',
    path: '/api/v1/device/station',
    response: StationInfo,
  },
  cardInquiry: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo',
    params: CardParams,
    response: CardSummary,
  },
  cardHistory: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo/history',
    params: CardParams,
    response: CardHistory,
  },
  searchCustomers: {
    method: 'GET',
    path: '/api/v1/customers',
    query: CustomerSearchQuery,
    response: CustomerList,
  },
  customerDetail: {
    method: 'GET',
    path: '/api/v1/customers/:id',
    params: CustomerParams,
    response: CustomerDetail,
  },
  currentShift: {
    method: 'GET',
    path: '/api/v1/shifts/current',
    response: CurrentShiftResponse,
  },
  shiftOperations: {
    method: 'GET',
    path: '/api/v1/shifts/current/operations',
    query: ShiftOperationsQuery,
    response: ShiftOperationsResponse,
  },
  stockIn: {
    method: 'POST',
    path: '/api/v1/stock/batches',
    body: StockBatchRequest,
    response: StockBatchResponse,
  },
  requisition: {
    method: 'POST',
    path: '/api/v1/stock/requisitions',
    body: RequisitionRequest,
    response: RequisitionResponse,
  },
  stockQuery: {
    method: 'GET',
    path: '/api/v1/stock',
    query: StockQuery,
    response: StockView,
  },
  issueStart: {
    method: 'POST',
    path: '/api/v1/cards/issue',
    body: IssueStartRequest,
    response: IssueView,
  },
  issueWrite: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/write',
    params: IssueParams,
    body: IssueWriteRequest,
    response: IssueWriteResponse,
  },
  issueComplete: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/complete',
    params: IssueParams,
    body: IssueCompleteRequest,
    response: IssueView,
  },
  issueCancel: {
    method: 'POST',
    path: '/api/v1/cards/issue/:id/cancel',
    params: IssueParams,
    body: IssueCancelRequest,
    response: IssueView,
  },
  anonymousInit: {
    method: 'POST',
    path: '/api/v1/cards/anonymous',
    body: AnonymousInitRequest,
    response: AnonymousCardView,
  },
  anonymousWrite: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/write',
    params: AnonymousCardParams,
    body: AnonymousWriteRequest,
    response: IssueWriteResponse,
  },
  anonymousInitComplete: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/initialised',
    params: AnonymousCardParams,
    body: AnonymousProofRequest,
    response: AnonymousCardView,
  },
  anonymousSell: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/sell',
    body: AnonymousSellRequest,
    response: AnonymousMoneyResponse,
  },
  anonymousTopUp: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/top-up',
    body: AnonymousTopUpRequest,
    response: AnonymousMoneyResponse,
  },
  anonymousUpgrade: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/upgrade',
    body: AnonymousUpgradeRequest,
    response: AnonymousCardView,
  },
  anonymousUpgradeComplete: {
    method: 'POST',
    path: '/api/v1/cards/anonymous/:cardNo/upgraded',
    params: AnonymousCardParams,
    body: AnonymousProofRequest,
    response: AnonymousCardView,
  },
  stationCardStart: {
    method: 'POST',
    path: '/api/v1/station-cards',
    body: StationCardStartRequest,
    response: StationCardView,
  },
  stationCardWrite: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/write',
    params: StationCardParams,
    body: IssueWriteRequest,
    response: IssueWriteResponse,
  },
  stationCardComplete: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/complete',
    params: StationCardParams,
    body: StationCardCompleteRequest,
    response: StationCardView,
  },
  stationCardWithdraw: {
    method: 'POST',
    path: '/api/v1/station-cards/:id/withdraw',
    params: StationCardParams,
    body: StationCardWithdrawRequest,
    response: StationCardView,
  },
  stationCards: {
    method: 'GET',
    path: '/api/v1/stations/:stationId/cards',
    params: StationParams,
    response: StationCardList,
  },
  calendarYear: {
    method: 'GET',
    path: '/api/v1/calendar',
    query: CalendarQuery,
    response: CalendarYear,
  },
  calendarSetDay: {
    method: 'POST',
    path: '/api/v1/calendar/days',
    body: CalendarSetDayRequest,
    response: CalendarYear,
  },
  lossReport: {
    method: 'POST',
    path: '/api/v1/loss-reports',
    body: LossReportRequest,
    response: LossReportView,
  },
  lossCancel: {
    method: 'POST',
    path: '/api/v1/loss-reports/:id/cancel',
    params: LossReportParams,
    body: LossCancelRequest,
    response: LossReportView,
  },
  cardLossReports: {
    method: 'GET',
    path: '/api/v1/cards/:cardNo/loss-reports',
    params: CardParams,
    response: CardLossReports,
  },
});
export type EndpointName = keyof typeof ENDPOINTS;
