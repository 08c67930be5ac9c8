/**
 * The demo's station stock cards: bureau employee (员工卡), maintenance (维修卡) and pump-verification
 * (验泵卡) cards not yet issued, which a centre operator issues to the demo station in the running
 * demo (src/centre/, docs/domain.md § Station cards) and the tests use: the first two of each batch
 * the demo seed stocks in at the province and gives the demo city's centre (server/stock/demo.ts
 * DEMO_STATION_STOCK_SERIALS, with this expiry). DEMO/TEST ONLY: keyed with the public test
 * master keys (ccid/crypto/demo-keys.ts).
 */
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import type { FuelCard, FuelCardOptions } from '../card/fuel-card.ts';
import { CARD_TYPE, buildAsn } from '../card/files.ts';
import { stockFuelCard } from '../card/stock.ts';
import { DEMO_STOCK_EXPIRY_DATE, DEMO_STOCK_START_DATE } from './stock.ts';

export const DEMO_STATION_STOCK_CARD_IDS = ['employee1', 'employee2', 'maintenance1', 'test1'] as const;
export type DemoStationStockCardId = (typeof DEMO_STATION_STOCK_CARD_IDS)[number];

/** What each station card type's first serial is: one range per type, far from the user cards' (server/stock/demo.ts). */
export const DEMO_STATION_FIRST_SERIALS = { employee: 210_000_001, maintenance: 211_000_001, test: 212_000_001 } as const;
export type DemoStationCardType = keyof typeof DEMO_STATION_FIRST_SERIALS;

const ASN_TYPE: Readonly<Record<DemoStationCardType, number>> = {
  employee: CARD_TYPE.EMPLOYEE,
  maintenance: CARD_TYPE.MAINTENANCE,
  test: CARD_TYPE.PUMP_TEST,
};

const DEMO_CARDS: Readonly<Record<DemoStationStockCardId, { type: DemoStationCardType; serial: number }>> = {
  employee1: { type: 'employee', serial: DEMO_STATION_FIRST_SERIALS.employee },
  employee2: { type: 'employee', serial: DEMO_STATION_FIRST_SERIALS.employee + 1 },
  maintenance1: { type: 'maintenance', serial: DEMO_STATION_FIRST_SERIALS.maintenance },
  test1: { type: 'test', serial: DEMO_STATION_FIRST_SERIALS.test },
};

export function isDemoStationStockCardId(id: string): id is DemoStationStockCardId {
  return (DEMO_STATION_STOCK_CARD_IDS as readonly string[]).includes(id);
}

/** A fresh station stock card: one of the demo's, or any type and serial (tests make their own). */
export function createDemoStationStockCard(
  id: DemoStationStockCardId | { type: DemoStationCardType; serial: number },
  options?: FuelCardOptions,
): { card: FuelCard; asn: Uint8Array } {
  const { type, serial } = typeof id === 'string' ? DEMO_CARDS[id] : id;
  const asn = buildAsn({ cardType: ASN_TYPE[type], province: '32', serial });
  const card = stockFuelCard({
    masters: DEMO_TEST_MASTER_KEYS,
    asn,
    startDate: DEMO_STOCK_START_DATE,
    expiryDate: DEMO_STOCK_EXPIRY_DATE,
    ...(options ? { options } : {}),
  });
  return { card, asn };
}
