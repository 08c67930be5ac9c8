/**
 * The demo's stock cards (库存卡): bureau cards not yet issued, which a person issues at the outlet
 * tablet in the running demo (src/staff/issue.ts) and the issuing tests use: cards of the batch
 * the demo seed stocks in and requisitions down to the demo outlet (serials 200000001–50,
 * server/stock/demo.ts, with this expiry): stock1–3 for the card-issue spec, stock7–9 for the
 * multi-user customer's spec (tests/e2e/staff-multi.spec.ts), stock10–12 for the anonymous cards
 * (不记名卡, tests/e2e/staff-anonymous.spec.ts). DEMO/TEST ONLY: keyed with the public test master keys
 * (ccid/crypto/demo-keys.ts).
 */
import { DEMO_TEST_MASTER_KEYS } from '../../crypto/demo-keys.ts';
import type { FuelCard, FuelCardOptions } from '../card/fuel-card.ts';
import { CARD_TYPE, buildAsn } from '../card/files.ts';
import { BUREAU_INITIAL_PIN, stockFuelCard } from '../card/stock.ts';

export { BUREAU_INITIAL_PIN };

export const DEMO_STOCK_CARD_IDS = ['stock1', 'stock2', 'stock3', 'stock7', 'stock8', 'stock9', 'stock10', 'stock11', 'stock12'] as const;
export type DemoStockCardId = (typeof DEMO_STOCK_CARD_IDS)[number];

/** Serials of the stock cards, far from the issued demo cards (1–9). */
export const DEMO_STOCK_SERIALS: Readonly<Record<DemoStockCardId, number>> = {
  stock1: 200_000_001,
  stock2: 200_000_002,
  stock3: 200_000_003,
  stock7: 200_000_007,
  stock8: 200_000_008,
  stock9: 200_000_009,
  stock10: 200_000_010,
  stock11: 200_000_011,
  stock12: 200_000_012,
};
/** What the bureau wrote into EF15: the stock cards' validity. */
export const DEMO_STOCK_START_DATE = '2026-01-01';
export const DEMO_STOCK_EXPIRY_DATE = '2036-12-31';

export function isDemoStockCardId(id: string): id is DemoStockCardId {
  return (DEMO_STOCK_CARD_IDS as readonly string[]).includes(id);
}

/** A fresh stock card: `serial` any card serial (tests make their own), by default the demo's. */
export function createDemoStockCard(
  id: DemoStockCardId | { serial: number },
  options?: FuelCardOptions,
): { card: FuelCard; asn: Uint8Array } {
  const serial = typeof id === 'string' ? DEMO_STOCK_SERIALS[id] : id.serial;
  const asn = buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial });
  const card = stockFuelCard({
    masters: DEMO_TEST_MASTER_KEYS,
    asn,
    startDate: DEMO_STOCK_START_DATE,
    expiryDate: DEMO_STOCK_EXPIRY_DATE,
    ...(options ? { options } : {}),
  });
  return { card, asn };
}
