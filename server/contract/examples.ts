/**
 * A realistic request body and 200 answer for every endpoint, shown by the API reference
 * (/api/docs, openapi.ts). Money is integer fen (¥500.00 = 50000), card numbers are the 20
 * digits of the card's issuer file, ids of the database are decimal strings, operation ids are
 * UUIDs the device makes. tests/unit/api-errors.test.ts parses each with its endpoint's schemas,
 * so an example cannot drift from the contract.
 */
import { CONTRACT_VERSION } from './version.ts';
import type { EndpointName } from './endpoints.ts';

export type EndpointExample = { body?: unknown; response: unknown };

const CARD = '10001100000000012345';
const SUB_CARD = '10001100000000012346';
const LOAD_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ISSUE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const AT = '2026-12-07T09:30:00.000Z';
const CARD_ANSWER = { balanceFen: 12000, onlineTtc: 17, keyVersion: 1, algId: 0, random: '5A3C9E01', mac1: '8D41F2C7' };
const LOAD_VIEW = {
  loadId: LOAD_ID,
  kind: 'load',
  cardNo: CARD,
  onlineTtc: 17,
  amountFen: 50000,
  balanceFenAfter: 62000,
  state: 'pending',
  settledBy: null,
  probeChallenge: null,
};
const POSTED = { ...LOAD_VIEW, state: 'posted', settledBy: 'tac' };
const DEVICE = {
  deviceId: 'kiosk-gz-tianhe-01',
  kind: 'kiosk',
  orgUnitId: '42',
  terminalId: '0000440106A1',
  name: 'Tianhe Road station, kiosk 1',
  state: 'active',
  enrolled: true,
};
const OPERATOR = {
  operatorId: '311',
  username: 'wang.fang',
  displayName: '王芳',
  role: 'outlet_operator',
  orgUnitId: '42',
  orgUnitNameZh: '天河路营业厅',
  orgUnitNameEn: 'Tianhe Road outlet',
  state: 'active',
  locked: false,
  self: false,
  createdAt: AT,
};
const CUSTOMER = {
  id: '1024',
  kind: 'unit',
  name: '广州顺达物流有限公司',
  orgUnitId: '42',
  revision: 2,
  createdAt: '2026-03-02T02:15:00.000Z',
  updatedAt: AT,
  idType: 'business_licence',
  idNo: null,
  phone: '020-8765 4321',
  taxId: '91440101MA5CXXXX1R',
  address: '广州市天河区天河路 385 号',
  contactName: '陈晓明',
  contactPhone: '138 0013 8000',
  introLetterRef: 'SD-2026-031',
};
const ACCOUNTS = [
  { code: 'QUOTA', balanceFen: 1500000, availableFen: 1450000, pendingFen: 50000 },
  { code: 'PURSE', balanceFen: 12000, availableFen: 12000, pendingFen: 0 },
];
const CARD_SUMMARY = {
  cardNo: CARD,
  state: 'active',
  grey: false,
  named: true,
  role: 'main',
  onlineTtcSeen: 16,
  purseLimitFen: 500000,
  accounts: ACCOUNTS,
};
const HOLDER = { name: '陈晓明', idType: 1, idNumber: '440106198805120011' };
const ISSUE_VIEW = {
  issueId: ISSUE_ID,
  cardNo: SUB_CARD,
  customerId: '1024',
  role: 'sub',
  mainCardNo: CARD,
  holderFlag: 1,
  holder: HOLDER,
  ef16: `00${'0'.repeat(80)}`,
  feeFen: 2000,
  state: 'started',
  expiresOn: '20311231',
};

const ANON_CARD = '10001100000200000004';
const ANON_VIEW = { cardNo: ANON_CARD, state: 'initialising', customerId: null, ef16: `0101${'00'.repeat(39)}`, expiresOn: '20361231' };
const STATION_CARD = '10001100000210000001';
const STATION_CARD_VIEW = {
  stationCardId: 'c6d7e8f9-0a1b-43c4-b56a-6b7c8d9eafb1',
  cardNo: STATION_CARD,
  stationId: '57',
  cardType: 'employee',
  holder: { name: '王强', number: 'E0231' },
  ef16: `00${'0'.repeat(80)}`,
  state: 'started',
  expiresOn: '20361231',
  issuedAt: null,
  withdrawnAt: null,
  withdrawReason: null,
};

const CALENDAR_DAY = {
  date: '2026-02-15',
  kind: 'holiday',
  name: '春节',
  source: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
  updatedBy: null,
  updatedAt: AT,
};
const LOSS_REPORT_VIEW = {
  lossReportId: 'f90a1b2c-3d4e-46f7-b89a-9eafb0c1d2e5',
  cardNo: '10001100000100000007',
  customerId: '2048',
  customerName: '李明',
  customerKind: 'personal',
  state: 'pending',
  choice: 'replacement',
  identity: { kind: 'id_document', idNo: '11010519491231002X' },
  reportedAt: '2026-12-04T02:30:00.000Z',
  effectiveAt: '2026-12-08T16:00:00.000Z',
  cancelledAt: null,
  frozenPurseFen: null,
  reportedBy: '王芳',
  reportedDevice: 'tablet-tianhe-01',
  cancelledBy: null,
};

export const ENDPOINT_EXAMPLES: Partial<Record<EndpointName, EndpointExample>> = {
  info: { response: { demo: false, contractVersion: CONTRACT_VERSION } },
  createDemoKiosk: { body: {}, response: { deviceId: 'demo-kiosk-3f9a1c', enrolmentCode: 'K7M2Q9XW4TPA', cardSerialBase: 4200 } },
  createDemoTablet: { body: {}, response: { deviceId: 'demo-tablet-8b2e07', enrolmentCode: 'T4N8R2ZC6YHB', cardSerialBase: 4300 } },
  login: {
    body: { username: 'wang.fang', password: 'correct horse battery' },
    response: {
      token: 'q9Xc2LrT8mVn4KsW1pBz7HdYe3GuJa6F0oNi5RtQwEk',
      expiresAt: '2026-12-07T21:30:00.000Z',
      role: 'outlet_operator',
      orgUnitId: '42',
      orgUnitName: { zh: '天河路营业厅', en: 'Tianhe Road outlet' },
      displayName: '王芳',
    },
  },
  logout: { body: {}, response: { signedOut: true } },
  enrol: {
    body: { deviceId: 'kiosk-gz-tianhe-01', enrolmentCode: 'K7M2Q9XW4TPA' },
    response: { deviceId: 'kiosk-gz-tianhe-01', secret: 'Zr5Pq8Ls2Kd9Wm4Nx7Bv1Hc6Gt3Fy0Ja', terminalId: '0000440106A1' },
  },
  issueEnrolment: {
    body: { deviceId: 'kiosk-gz-tianhe-01' },
    response: { deviceId: 'kiosk-gz-tianhe-01', enrolmentCode: 'K7M2Q9XW4TPA', expiresAt: '2026-12-08T09:30:00.000Z' },
  },
  createOperator: {
    body: { username: 'wang.fang', displayName: '王芳', orgUnitId: '42', role: 'outlet_operator' },
    response: { operatorId: '311', password: 'k7mq-x4tp-a9hc' },
  },
  listOperators: { response: { operators: [OPERATOR], page: 1, pageCount: 1, total: 1 } },
  updateOperator: {
    body: { operatorId: '311', displayName: '王芳', role: 'outlet_supervisor', orgUnitId: '42' },
    response: { ...OPERATOR, role: 'outlet_supervisor' },
  },
  setOperatorState: { body: { operatorId: '311', state: 'disabled' }, response: { ...OPERATOR, state: 'disabled' } },
  resetOperatorPassword: { body: { operatorId: '311' }, response: { operator: OPERATOR, password: 'r2dw-n8kz-e5vb' } },
  unlockOperator: { body: { operatorId: '311' }, response: OPERATOR },
  listOrgUnits: {
    response: {
      orgUnits: [
        { id: '1', kind: 'province', code: '44', nameZh: '广东省公司', nameEn: 'Guangdong province', parentId: null },
        { id: '7', kind: 'city', code: '4401', nameZh: '广州分公司', nameEn: 'Guangzhou branch', parentId: '1' },
        { id: '42', kind: 'outlet', code: '440106A', nameZh: '天河路营业厅', nameEn: 'Tianhe Road outlet', parentId: '7' },
      ],
      truncated: false,
    },
  },
  createOrgUnit: {
    body: { kind: 'outlet', code: '440106A', nameZh: '天河路营业厅', nameEn: 'Tianhe Road outlet', parentId: '7' },
    response: { id: '42', kind: 'outlet', code: '440106A', nameZh: '天河路营业厅', nameEn: 'Tianhe Road outlet', parentId: '7' },
  },
  renameOrgUnit: {
    body: { orgUnitId: '42', nameZh: '天河北路营业厅', nameEn: 'Tianhe North Road outlet' },
    response: { id: '42', kind: 'outlet', code: '440106A', nameZh: '天河北路营业厅', nameEn: 'Tianhe North Road outlet', parentId: '7' },
  },
  listDevices: { response: { devices: [DEVICE], truncated: false } },
  registerDevice: {
    body: { deviceId: DEVICE.deviceId, kind: 'kiosk', orgUnitId: '42', terminalId: DEVICE.terminalId, name: DEVICE.name },
    response: { ...DEVICE, enrolled: false },
  },
  disableDevice: { body: { deviceId: DEVICE.deviceId }, response: { ...DEVICE, state: 'disabled' } },
  enableDevice: { body: { deviceId: DEVICE.deviceId }, response: { ...DEVICE, enrolled: false } },
  createApproval: {
    body: { purpose: 'receipt.cash', customerId: '1024', amountFen: 3000000 },
    response: { approvalId: '3b241101-e2bb-4255-8caf-4136c566a962', expiresAt: '2026-12-07T09:45:00.000Z' },
  },
  listCardAlarms: {
    response: {
      alarms: [
        {
          id: '9',
          cardNo: CARD,
          kind: 'chip_above_ledger',
          chipBalanceFen: 80000,
          ledgerMaxFen: 62000,
          onlineTtc: 18,
          deviceId: DEVICE.deviceId,
          raisedAt: AT,
          clearedAt: null,
          clearNote: null,
        },
      ],
      truncated: false,
    },
  },
  clearCardReview: {
    body: { cardNo: CARD, note: 'Chip read again at the outlet: a load of 18 000 fen the kiosk lost its answer to, settled by recovery.' },
    response: { cardNo: CARD, alarmsCleared: 1 },
  },
  ledgerCheck: { response: { ledgerSound: true, violations: [], auditSound: true, auditRowsChecked: 184220 } },
  auditSearch: {
    response: {
      entries: [
        {
          id: 'operator:2#41',
          at: '2026-03-02T02:15:07.120Z',
          action: 'operator.update',
          subject: 'lina',
          operatorId: '2',
          operatorUsername: 'wang.centre',
          operatorName: '王芳',
          deviceId: null,
          orgUnitId: '2',
          orgUnitNameZh: '杭州市卡管理中心',
          orgUnitNameEn: 'Hangzhou card centre',
          detail: { before: { role: 'outlet_operator' }, after: { role: 'outlet_supervisor' } },
        },
      ],
      page: 1,
      pageCount: 1,
      total: 1,
      actions: ['operator.create', 'operator.update'],
    },
  },
  cardStates: {
    response: {
      cardNo: CARD,
      state: 'lost',
      cardType: 'user',
      events: [
        {
          at: '2026-03-02T02:15:07.120Z',
          kind: 'stock_in',
          operatorName: '王芳',
          operatorUsername: 'wang.centre',
          deviceId: null,
          unitNameZh: '杭州市卡管理中心',
          unitNameEn: 'Hangzhou card centre',
          fromUnitNameZh: null,
          fromUnitNameEn: null,
        },
      ],
    },
  },
  auditVerify: {
    response: {
      sound: true,
      rowsChecked: 184220,
      chainsChecked: 57,
      verifiedUpTo: '2026-03-02T02:15:07.120Z',
      rowsUnanchored: 3,
      checkpointLines: 1210,
      lastCheckpointAt: '2026-03-02T02:10:00.000Z',
      broken: null,
    },
  },
  loadInitialise: {
    body: {
      operationId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
      cardNo: CARD,
      amountFen: 50000,
      sourceAccount: 'QUOTA',
      terminalId: '0000440106A1',
      card: CARD_ANSWER,
    },
    response: {
      load: LOAD_VIEW,
      balances: { account: 'QUOTA', accountAvailableFen: 1450000, purseMirrorFen: 62000 },
      mac2: '3E7A90C1',
      date: '20261207',
      time: '173000',
      settledPrevious: null,
    },
  },
  loadComplete: { body: { loadId: LOAD_ID, tac: '6B0D2F94' }, response: { load: POSTED } },
  loadRecover: {
    body: {
      cardNo: CARD,
      loadId: LOAD_ID,
      probe: { amountFen: 0, terminalId: '0000440106A1', answer: { ...CARD_ANSWER, balanceFen: 62000, onlineTtc: 18 } },
    },
    response: { settled: { ...LOAD_VIEW, state: 'posted', settledBy: 'counter_advanced' } },
  },
  unloadInitialise: {
    body: {
      operationId: '9a3b7c1e-5d2f-4e8a-b6c4-0d1e2f3a4b5c',
      cardNo: CARD,
      amountFen: 12000,
      destinationAccount: 'QUOTA',
      terminalId: '0000440106B1',
      card: CARD_ANSWER,
    },
    response: {
      load: { ...LOAD_VIEW, kind: 'unload', amountFen: 12000, balanceFenAfter: 0 },
      balances: { account: 'QUOTA', accountAvailableFen: 1450000, purseMirrorFen: 12000 },
      mac2: 'A1C2E3F4',
      date: '20261207',
      time: '173512',
      settledPrevious: null,
    },
  },
  unloadComplete: {
    body: { loadId: LOAD_ID, tac: '0C9B8A7D' },
    response: { load: { ...POSTED, kind: 'unload', amountFen: 12000, balanceFenAfter: 0 } },
  },
  syncPush: {
    body: {
      contractVersion: CONTRACT_VERSION,
      operations: [
        {
          id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
          deviceId: 'tablet-gz-tianhe-02',
          seq: 41,
          type: 'receipt.cash',
          payload: { customerId: '1024', amountFen: 500000 },
        },
        {
          id: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
          deviceId: 'tablet-gz-tianhe-02',
          seq: 42,
          type: 'inquiry',
          payload: { cardNo: CARD },
        },
      ],
    },
    response: {
      contractVersion: CONTRACT_VERSION,
      lastSeq: 42,
      results: [
        {
          id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
          seq: 41,
          status: 'applied',
          replayed: false,
          result: {
            transferId: 'e4eaaaf2-d142-4b2f-9a3e-6b8f3a1c2d4e',
            quota: { code: 'QUOTA', balanceFen: 2000000, availableFen: 1950000, pendingFen: 50000 },
          },
        },
        { id: 'c56a4180-65aa-42ec-a945-5fd21dec0538', seq: 42, status: 'applied', replayed: false, result: CARD_SUMMARY },
      ],
      stopped: null,
    },
  },
  syncPull: {
    body: { contractVersion: CONTRACT_VERSION, cardNos: [CARD] },
    response: {
      contractVersion: CONTRACT_VERSION,
      serverTime: AT,
      deviceId: 'tablet-gz-tianhe-02',
      lastSeq: 42,
      cards: [CARD_SUMMARY],
      pendingLoads: [LOAD_VIEW],
      lists: { blacklistVersion: '2026-12-07.3', greylistVersion: '2026-12-07.1' },
    },
  },
  cardInquiry: { response: CARD_SUMMARY },
  cardHistory: {
    response: {
      cardNo: CARD,
      limit: 50,
      movements: [
        { transferId: 'e4eaaaf2-d142-4b2f-9a3e-6b8f3a1c2d4e', at: AT, kind: 'load', account: 'PURSE', amountFen: 50000, state: 'pending' },
        {
          transferId: '2c1b7e3a-9f4d-4a6b-8c2e-1d3f5a7b9c0e',
          at: '2026-12-01T08:12:00.000Z',
          kind: 'cash_receipt',
          account: 'QUOTA',
          amountFen: 1500000,
          state: 'posted',
        },
      ],
    },
  },
  searchCustomers: { response: { customers: [CUSTOMER], next: null } },
  customerDetail: {
    response: {
      customer: CUSTOMER,
      cards: [
        { cardNo: CARD, state: 'active', role: 'main', named: true, grey: false, mainCardNo: null },
        { cardNo: SUB_CARD, state: 'active', role: 'sub', named: true, grey: false, mainCardNo: CARD },
      ],
      revisions: [
        {
          revision: 2,
          at: AT,
          operatorId: '311',
          deviceId: 'tablet-gz-tianhe-02',
          before: { phone: '020-8765 0000' },
          after: { phone: '020-8765 4321' },
        },
      ],
    },
  },
  currentShift: {
    response: {
      shift: {
        id: '5120',
        openedAt: '2026-12-07T00:30:00.000Z',
        openingFloatFen: 50000,
        drawerFen: 550000,
        receiptsCount: 3,
        deviceId: 'tablet-gz-tianhe-02',
      },
    },
  },
  stockIn: {
    body: {
      operationId: '5f0c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
      firstCardNo: '10001100000000010001',
      lastCardNo: '10001100000000011000',
      cardType: 'user',
      keyVersion: 1,
      expiresOn: '2031-12-31',
    },
    response: {
      batchId: '77',
      unitId: '1',
      cardType: 'user',
      keyVersion: 1,
      firstCardNo: '10001100000000010001',
      lastCardNo: '10001100000000011000',
      cardCount: 1000,
      expiresOn: '2031-12-31',
      at: AT,
    },
  },
  requisition: {
    body: {
      operationId: '8d7e6f5a-4b3c-4d2e-9f1a-0b2c3d4e5f6a',
      toUnitId: '42',
      firstCardNo: '10001100000000010001',
      lastCardNo: '10001100000000010200',
    },
    response: {
      movementId: '301',
      fromUnitId: '7',
      toUnitId: '42',
      cardType: 'user',
      firstCardNo: '10001100000000010001',
      lastCardNo: '10001100000000010200',
      cardCount: 200,
      at: AT,
    },
  },
  stockQuery: {
    response: {
      actingUnitId: '42',
      units: [
        {
          unitId: '42',
          parentId: '7',
          kind: 'outlet',
          code: '440106A',
          nameZh: '天河路营业厅',
          nameEn: 'Tianhe Road outlet',
          holdings: [
            {
              cardType: 'user',
              count: 198,
              ranges: [{ firstCardNo: '10001100000000010003', lastCardNo: '10001100000000010200', count: 198 }],
              rangesTruncated: false,
            },
          ],
        },
      ],
      unitsTruncated: false,
    },
  },
  issueStart: {
    body: {
      operationId: '2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f',
      cardNo: SUB_CARD,
      customerId: '1024',
      role: 'sub',
      mainCardNo: CARD,
      holder: HOLDER,
      feeFen: 2000,
    },
    response: ISSUE_VIEW,
  },
  issueWrite: {
    body: { file: 'EF16', challenge: '1A2B3C4D' },
    response: { command: `04D6960029${'0'.repeat(82)}1F2E3D4C`, probeChallenge: '0000440106B1' },
  },
  issueComplete: {
    body: {
      operationId: '4e3d2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f',
      ef16: ISSUE_VIEW.ef16,
      pinMode: 1,
      probe: { terminalId: '0000440106B1', amountFen: 0, answer: { ...CARD_ANSWER, balanceFen: 0, onlineTtc: 0 } },
    },
    response: { ...ISSUE_VIEW, state: 'done' },
  },
  issueCancel: {
    body: { operationId: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d', reason: 'The customer changed their mind before the card was written' },
    response: { ...ISSUE_VIEW, state: 'cancelled' },
  },

  deviceStation: {
    response: {
      code: 'GZ-TH-01',
      nameZh: '天河路加油站',
      nameEn: 'Tianhe Road station',
      addressZh: '广州市天河区天河路 385 号',
      addressEn: '385 Tianhe Road, Tianhe District, Guangzhou',
      hotline: '95504',
    },
  },
  shiftOperations: {
    response: {
      shift: { id: '5120', openedAt: '2026-12-07T00:30:00.000Z', closedAt: null },
      operations: [
        {
          operationId: '9b2f4c1e-3d5a-4e7b-8c9d-0a1b2c3d4e5f',
          deviceId: 'tablet-gz-tianhe-02',
          type: 'receipt.cash',
          madeAt: AT,
          customerId: '1024',
          customerName: '广州顺达物流有限公司',
          cardNo: null,
          amountFen: 500000,
          status: 'applied',
          late: false,
          reverses: null,
        },
        {
          operationId: '1c7e2a90-5b3d-4f61-9a8e-2d4c6b8f0a13',
          deviceId: 'tablet-gz-tianhe-02',
          type: 'load',
          madeAt: AT,
          customerId: '1024',
          customerName: '广州顺达物流有限公司',
          cardNo: '1000012345678901',
          amountFen: 200000,
          status: 'applied',
          late: false,
          reverses: null,
        },
      ],
      totals: [
        { type: 'load', count: 1, amountFen: 200000 },
        { type: 'receipt.cash', count: 1, amountFen: 500000 },
      ],
    },
  },
  anonymousInit: {
    body: { operationId: '1b2c3d4e-5f60-4718-89a0-b1c2d3e4f506', cardNo: ANON_CARD },
    response: ANON_VIEW,
  },
  anonymousWrite: {
    body: { file: 'EF16', challenge: '1A2B3C4D' },
    response: { command: `04D6960029${'0'.repeat(82)}1F2E3D4C`, probeChallenge: '0000440106B1' },
  },
  anonymousInitComplete: {
    body: {
      operationId: '2c3d4e5f-6071-4829-9ab0-c1d2e3f40617',
      ef16: ANON_VIEW.ef16,
      pinMode: 0,
      probe: { terminalId: '0000440106B1', amountFen: 0, answer: { ...CARD_ANSWER, balanceFen: 0, onlineTtc: 0 } },
    },
    response: { ...ANON_VIEW, state: 'initialised' },
  },
  anonymousSell: {
    body: { operationId: '3d4e5f60-7182-4a3b-8cd1-d2e3f4051728', cardNo: ANON_CARD, feeFen: 2000, firstAmountFen: 20000 },
    response: {
      card: { ...ANON_VIEW, state: 'sold', customerId: '2048' },
      quotaFen: 20000,
      transferId: '4e5f6071-8293-4b4c-9de2-e3f405162839',
    },
  },
  anonymousTopUp: {
    body: { operationId: '5f607182-93a4-4c5d-8ef3-f4051627384a', cardNo: ANON_CARD, amountFen: 30000 },
    response: {
      card: { ...ANON_VIEW, state: 'sold', customerId: '2048' },
      quotaFen: 30000,
      transferId: '60718293-a4b5-4d6e-9f04-05162738495b',
    },
  },
  anonymousUpgrade: {
    body: {
      operationId: '718293a4-b5c6-4e7f-a015-16273849506c',
      cardNo: ANON_CARD,
      details: { name: '李华', idType: 'resident_id', idNo: '440106198805120011', phone: '138 0013 8001' },
    },
    response: { ...ANON_VIEW, state: 'sold', customerId: '2048' },
  },
  anonymousUpgradeComplete: {
    body: {
      operationId: '8293a4b5-c6d7-4f80-b126-2738495a6b7d',
      ef16: ANON_VIEW.ef16,
      pinMode: 1,
      probe: { terminalId: '0000440106B2', amountFen: 0, answer: { ...CARD_ANSWER, balanceFen: 20000, onlineTtc: 1 } },
    },
    response: { ...ANON_VIEW, state: 'upgraded', customerId: '2048' },
  },
  stationCardStart: {
    body: {
      operationId: '93a4b5c6-d7e8-4091-8237-38495a6b7c8e',
      cardNo: STATION_CARD,
      stationId: '57',
      cardType: 'employee',
      holder: { name: '王强', number: 'E0231' },
    },
    response: STATION_CARD_VIEW,
  },
  stationCardWrite: {
    body: { file: 'EF16', challenge: '1A2B3C4D' },
    response: { command: `04D6960029${'0'.repeat(82)}1F2E3D4C`, probeChallenge: '0000440106C1' },
  },
  stationCardComplete: {
    body: { operationId: 'a4b5c6d7-e8f9-41a2-9348-495a6b7c8d9f', ef16: STATION_CARD_VIEW.ef16, pinMode: 1 },
    response: { ...STATION_CARD_VIEW, state: 'issued', issuedAt: AT },
  },
  stationCardWithdraw: {
    body: { operationId: 'b5c6d7e8-f90a-42b3-a459-5a6b7c8d9ea0', reason: '员工离职 (the employee left)' },
    response: { ...STATION_CARD_VIEW, state: 'withdrawn', issuedAt: AT, withdrawnAt: AT, withdrawReason: '员工离职 (the employee left)' },
  },
  stationCards: {
    response: { stationId: '57', cards: [{ ...STATION_CARD_VIEW, state: 'issued', issuedAt: AT }], truncated: false },
  },
  calendarYear: {
    response: {
      year: 2026,
      days: [{ ...CALENDAR_DAY, date: '2026-02-14', kind: 'workday' }, CALENDAR_DAY],
    },
  },
  calendarSetDay: {
    body: {
      operationId: 'c6d7e8f9-0a1b-43c4-b56a-6b7c8d9eafb2',
      date: '2026-12-31',
      kind: 'holiday',
      name: '省内调整 (provincial change)',
      source: '省政府通知 (provincial notice)',
    },
    response: {
      year: 2026,
      days: [
        {
          date: '2026-12-31',
          kind: 'holiday',
          name: '省内调整 (provincial change)',
          source: '省政府通知 (provincial notice)',
          updatedBy: '张敏',
          updatedAt: AT,
        },
      ],
    },
  },
  lossReport: {
    body: {
      operationId: 'd7e8f90a-1b2c-44d5-b67a-7c8d9eafb0c3',
      cardNo: LOSS_REPORT_VIEW.cardNo,
      identity: LOSS_REPORT_VIEW.identity,
      choice: 'replacement',
    },
    response: LOSS_REPORT_VIEW,
  },
  lossCancel: {
    body: { operationId: 'e8f90a1b-2c3d-45e6-b78a-8d9eafb0c1d4', identity: LOSS_REPORT_VIEW.identity },
    response: { ...LOSS_REPORT_VIEW, state: 'cancelled', cancelledAt: AT, cancelledBy: '王芳' },
  },
  cardLossReports: { response: { cardNo: LOSS_REPORT_VIEW.cardNo, reports: [LOSS_REPORT_VIEW] } },
};
