/**
 * The simulated world that is the same for every seed: kiosks and tablets (devices with known
 * secrets and terminal ids), outlet operators signed in on the tablets, the adversary's kiosk and
 * tablet, and customers with their cards — single-user customers with one card, unit customers
 * with a main card and sub cards.
 * The server's rows for them are written once (server.ts); each seed gets fresh chips (cards.ts).
 */
import { toHex } from '../../ccid/bytes.ts';
import { buildAsn, CARD_TYPE } from '../../ccid/sim/card/files.ts';

export const SIM_LIMITS = {
  kioskCount: 3,
  tabletCount: 2,
  singleCustomerCount: 8,
  unitCustomerCount: 3,
  /** Sub cards per unit customer, besides its main card. */
  subCardCount: 2,
  /** What each customer's quota account opens with, from BANK. */
  quotaOpeningFen: 300_000,
  /** The float each tablet operator's shift opens with (server/shifts/): the drawer starts with it. */
  shiftFloatFen: 50_000,
} as const;

export const SIM_PIN = '123456';

export type SimDevice = { id: string; kind: 'kiosk' | 'tablet'; terminalId: string; secret: string; operatorToken?: string };
export type SimCardSpec = {
  cardNo: string;
  asn: Uint8Array;
  serial: number;
  role: 'single' | 'main' | 'sub';
  customerIndex: number;
  mainCardNo: string | null;
};
export type SimCustomer = { index: number; kind: 'personal' | 'unit'; name: string; cards: SimCardSpec[] };

export const SIM_DEVICES: readonly SimDevice[] = [
  ...Array.from({ length: SIM_LIMITS.kioskCount }, (_, i): SimDevice => ({
    id: `sim-kiosk-${i + 1}`,
    kind: 'kiosk',
    terminalId: `3201000001${String(i + 1).padStart(2, '0')}`,
    secret: `SIM-kiosk-${i + 1}-secret-for-tests-only`,
  })),
  ...Array.from({ length: SIM_LIMITS.tabletCount }, (_, i): SimDevice => ({
    id: `sim-tablet-${i + 1}`,
    kind: 'tablet',
    terminalId: `3201000002${String(i + 1).padStart(2, '0')}`,
    secret: `SIM-tablet-${i + 1}-secret-for-tests-only`,
    operatorToken: `SIM-operator-${i + 1}-session-token-for-tests-only`,
  })),
];

/**
 * The adversary's devices (adversary.ts): a kiosk and an outlet tablet, enrolled like any other
 * (the tablet with a signed-in operator), in the attacker's hands. Apart from SIM_DEVICES, which
 * run the real client code: these run the attacker's own.
 */
export const ADVERSARY_DEVICES = {
  kiosk: { id: 'sim-adversary-kiosk', kind: 'kiosk', terminalId: '320100000901', secret: 'SIM-adversary-kiosk-secret-for-tests-only' },
  tablet: {
    id: 'sim-adversary-tablet',
    kind: 'tablet',
    terminalId: '320100000902',
    secret: 'SIM-adversary-tablet-secret-for-tests-only',
    operatorToken: 'SIM-adversary-operator-session-token-for-tests-only',
  },
} as const satisfies Record<string, SimDevice>;

/** Every device the server knows: the honest ones and the adversary's. */
export const ENROLLED_DEVICES: readonly SimDevice[] = [...SIM_DEVICES, ADVERSARY_DEVICES.kiosk, ADVERSARY_DEVICES.tablet];

function cardSpec(serial: number, role: SimCardSpec['role'], customerIndex: number, mainCardNo: string | null): SimCardSpec {
  const asn = buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial });
  return { cardNo: toHex(asn), asn, serial, role, customerIndex, mainCardNo };
}

function buildCustomers(): SimCustomer[] {
  const customers: SimCustomer[] = [];
  for (let i = 0; i < SIM_LIMITS.singleCustomerCount; i++) {
    const index = customers.length;
    customers.push({ index, kind: 'personal', name: `模拟客户${i + 1}`, cards: [cardSpec(2001 + i, 'single', index, null)] });
  }
  for (let u = 0; u < SIM_LIMITS.unitCustomerCount; u++) {
    const index = customers.length;
    const main = cardSpec(3001 + u * 10, 'main', index, null);
    const subs = Array.from({ length: SIM_LIMITS.subCardCount }, (_, s) => cardSpec(3002 + u * 10 + s, 'sub', index, main.cardNo));
    customers.push({ index, kind: 'unit', name: `模拟单位${u + 1}`, cards: [main, ...subs] });
  }
  return customers;
}

export const SIM_CUSTOMERS: readonly SimCustomer[] = buildCustomers();
export const SIM_CARDS: readonly SimCardSpec[] = SIM_CUSTOMERS.flatMap((c) => c.cards);
