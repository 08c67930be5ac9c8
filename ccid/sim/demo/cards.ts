/**
 * Demo cards for the kiosk, the staff tablet and tests: deterministic card numbers (ASN per
 * docs/card-protocol.md §5.1), Chinese holder names in GBK, money put on by real loads with the
 * DEMO issuer master keys, and one grey card made by the pump harness the way a dispenser makes
 * one.
 *
 * DEMO/TEST ONLY: the master keys are the test keys of docs/card-protocol.md §4.3 (MLK = 11..11,
 * MPK = 22..22, ...), kept in ccid/crypto/demo-keys.ts. Never personalise a real card with them.
 *
 * Default PIN: cards with a customer PIN use 123456 (`DEMO_PIN`); anonymous cards use the
 * terminal default 9999 (EF1B[0] = 00, docs/card-protocol.md §5.4).
 */
import { fromHex } from '../../bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import * as C from '../../fuelcard/commands.ts';
import { FuelCard, type FuelCardOptions } from '../card/fuel-card.ts';
import { CARD_TYPE, buildAsn, pinToBcd } from '../card/files.ts';
import { DEFAULT_PIN, issueFuelCard, type FuelCardIssueSpec } from '../card/issue.ts';
import { issuerLoad, openApplication } from '../card/issuer.ts';
import { DEMO_PSAM_TERMINAL_ID, SimulatedPsam } from '../pump/psam.ts';
import { Pump, type GreyRecord } from '../pump/pump.ts';

/** The customer PIN of the demo cards that have one. */
export const DEMO_PIN = '123456';
export { DEFAULT_PIN };
/** Jiangsu (32), the province of the example ASN of docs/card-protocol.md §5.1. */
export const DEMO_PROVINCE = '32';
/** The load terminal the demo's loads name. */
export const DEMO_LOAD_TERMINAL_ID = fromHex('000000000001');

/**
 * Holder names, GBK-encoded (browsers have no GBK encoder; the demo tests decode them with
 * TextDecoder('gbk') to check these bytes).
 */
export const DEMO_NAMES_GBK = {
  张伟: fromHex('D5C5CEB0'),
  李娜: fromHex('C0EEC4C8'),
  王芳: fromHex('CDF5B7BC'),
  刘洋: fromHex('C1F5D1F3'),
  陈静: fromHex('B3C2BEB2'),
} as const;

export type DemoCardId = 'named' | 'subCard' | 'anonymous' | 'grey' | 'pinBlocked' | 'expired' | 'employee' | 'pumpTest' | 'maintenance';

export interface DemoCard {
  id: DemoCardId;
  /** What the card shows off, in Chinese then English. */
  label: string;
  card: FuelCard;
  asn: Uint8Array;
  pin: string;
  /** The pump's grey record, for the grey card: what a pump needs to finish the debit. */
  greyRecord?: GreyRecord;
}

interface DemoSpec {
  id: DemoCardId;
  label: string;
  serial: number;
  cardType?: number;
  name?: keyof typeof DEMO_NAMES_GBK;
  holderFlag?: 1 | 2;
  idNumber?: string;
  customerPin: boolean;
  expiryDate?: string;
  loadsFen: number[];
}

const DEMO_SPECS: readonly DemoSpec[] = [
  {
    id: 'named',
    label: '记名单用户卡 / named single-user card',
    serial: 1,
    name: '张伟',
    idNumber: '320102198001011234',
    customerPin: true,
    loadsFen: [50_000, 30_000],
  },
  {
    id: 'subCard',
    label: '单位副卡 / sub card of a unit card',
    serial: 2,
    name: '李娜',
    holderFlag: 2,
    idNumber: '320102198502023456',
    customerPin: true,
    loadsFen: [200_000],
  },
  { id: 'anonymous', label: '不记名卡 / anonymous card', serial: 3, customerPin: false, loadsFen: [10_000] },
  {
    id: 'grey',
    label: '灰卡 / grey card (pulled during fuelling)',
    serial: 4,
    name: '王芳',
    idNumber: '320102199003034567',
    customerPin: true,
    loadsFen: [40_000],
  },
  {
    id: 'pinBlocked',
    label: 'PIN已锁 / PIN blocked',
    serial: 5,
    name: '刘洋',
    idNumber: '320102197504045678',
    customerPin: true,
    loadsFen: [20_000],
  },
  // The card does not know today's date: expiry is the terminal's check (S2 `Card_Validate_Check`).
  {
    id: 'expired',
    label: '过期卡 / expired card',
    serial: 6,
    name: '陈静',
    idNumber: '320102196806065678',
    customerPin: true,
    expiryDate: '2020-12-31',
    loadsFen: [5_000],
  },
  { id: 'employee', label: '员工卡 / employee card', serial: 7, cardType: CARD_TYPE.EMPLOYEE, customerPin: false, loadsFen: [] },
  { id: 'pumpTest', label: '检测卡 / pump test card', serial: 8, cardType: CARD_TYPE.PUMP_TEST, customerPin: false, loadsFen: [100_000] },
  { id: 'maintenance', label: '维修卡 / maintenance card', serial: 9, cardType: CARD_TYPE.MAINTENANCE, customerPin: false, loadsFen: [] },
];

/** The fixed clock of the demo's issuing loads. */
const DEMO_DATE = fromHex('20240102');
const DEMO_TIME = fromHex('030405');

/**
 * Which copy of the demo set: each demo kiosk the server hands out has cards of its own, numbered
 * from its serial base (server/demo/kiosks.ts), so one visitor's loads never touch another's
 * cards. 0 is the set the demo data seeds for tests and the staff tablet.
 */
export type DemoCardSet = { serialBase?: number };

/** The serial of a demo card in a set: its place in the set plus the set's base. */
export function demoCardSerial(id: DemoCardId, set: DemoCardSet = {}): number {
  const spec = DEMO_SPECS.find((s) => s.id === id);
  if (spec === undefined) throw new RangeError(`no demo card ${id}`);
  return (set.serialBase ?? 0) + spec.serial;
}

function specToIssue(spec: DemoSpec, options?: FuelCardOptions, set: DemoCardSet = {}): FuelCardIssueSpec {
  const asn = buildAsn({ cardType: spec.cardType ?? CARD_TYPE.USER, province: DEMO_PROVINCE, serial: (set.serialBase ?? 0) + spec.serial });
  return {
    masters: DEMO_TEST_MASTER_KEYS,
    asn,
    startDate: '2024-01-01',
    expiryDate: spec.expiryDate ?? '2034-12-31',
    holder: {
      holderFlag: spec.holderFlag ?? 1,
      nameGbk: spec.name === undefined ? undefined : DEMO_NAMES_GBK[spec.name],
      idNumber: spec.idNumber,
    },
    pin: spec.customerPin ? DEMO_PIN : undefined,
    employee: spec.cardType === CARD_TYPE.EMPLOYEE ? { number: 7, passwordBcd: '1234' } : undefined,
    options,
  };
}

function makeDemoCard(spec: DemoSpec, options?: FuelCardOptions, set: DemoCardSet = {}): DemoCard {
  const issue = specToIssue(spec, options, set);
  const card = issueFuelCard(issue);
  const pin = spec.customerPin ? DEMO_PIN : DEFAULT_PIN;
  card.powerOn();
  const asn = openApplication(card, pinToBcd(pin));
  for (const amountFen of spec.loadsFen) {
    issuerLoad(card, asn, {
      masters: DEMO_TEST_MASTER_KEYS,
      amountFen,
      terminalId: DEMO_LOAD_TERMINAL_ID,
      date: DEMO_DATE,
      time: DEMO_TIME,
    });
  }
  const demo: DemoCard = { id: spec.id, label: spec.label, card, asn, pin };
  if (spec.id === 'grey') demo.greyRecord = makeGrey(card, pin);
  if (spec.id === 'pinBlocked') blockPin(card);
  card.powerOff();
  return demo;
}

/** A pump locks the card, fuels 123.45 yuan, and the card is pulled before the debit. */
function makeGrey(card: FuelCard, pin: string): GreyRecord {
  card.powerOff();
  const pump = new Pump({ psam: new SimulatedPsam({ mpk: DEMO_TEST_MASTER_KEYS.MPK, terminalId: DEMO_PSAM_TERMINAL_ID }) });
  const session = pump.insert(card, pin);
  const lock = pump.greyLock(session, { date: fromHex('20240315'), time: fromHex('081500') });
  return pump.prepareUnlock(lock, 12_345);
}

function blockPin(card: FuelCard): void {
  const wrong = pinToBcd('000000');
  for (let i = 0; i < 3; i++) card.transmit(C.verify(wrong));
}

/** The whole demo set, fresh and identical on every call. */
export function createDemoCards(options?: FuelCardOptions): DemoCard[] {
  return DEMO_SPECS.map((spec) => makeDemoCard(spec, options));
}

/** One demo card by id, of the set numbered from `set.serialBase` (0: the seeded set). */
export function createDemoCard(id: DemoCardId, options?: FuelCardOptions, set: DemoCardSet = {}): DemoCard {
  const spec = DEMO_SPECS.find((s) => s.id === id);
  if (spec === undefined) throw new RangeError(`no demo card ${id}`);
  return makeDemoCard(spec, options, set);
}
