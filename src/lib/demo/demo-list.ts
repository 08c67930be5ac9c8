/**
 * The demo cards a customer at the kiosk can try, in the demo strip's order. Kept apart from
 * demo-usb.ts so the strip does not pull the simulator into the main bundle: the simulator is
 * loaded only in demo mode.
 */
export const DEMO_KIOSK_CARDS = ['named', 'subCard', 'anonymous', 'grey', 'pinBlocked', 'expired'] as const;
export type DemoKioskCard = (typeof DEMO_KIOSK_CARDS)[number];

/**
 * Bureau stock cards (库存卡) in the virtual reader, for issuing at the outlet tablet
 * (src/staff/issue.ts): cards of the stock the demo seed gives the demo outlet (server/stock/demo.ts).
 */
export const DEMO_STOCK_CARDS = ['stock1', 'stock2', 'stock3', 'stock7', 'stock8', 'stock9', 'stock10', 'stock11', 'stock12'] as const;

/** Where the virtual reader keeps a demo card's chip in localStorage (src/lib/demo/demo-usb.ts). */
export const DEMO_CARD_STORAGE_PREFIX = 'fuelcard.demo.card.';

/**
 * The stock cards this browser's virtual reader has had in it (their chips are saved): once issued
 * at the tablet, a card is in the customer's hand and goes to a kiosk of the same browser, as a
 * real card goes from the counter to a kiosk (docs/operations.md "Demo mode").
 */
export function stockCardsInHand(storage: Pick<Storage, 'getItem'>): string[] {
  return DEMO_STOCK_CARDS.filter((id) => storage.getItem(DEMO_CARD_STORAGE_PREFIX + id) !== null);
}

/**
 * Bureau station stock cards (员工卡, 维修卡, 验泵卡) in the virtual reader, for issuing at the
 * management centre (src/centre/station-issue.ts): the first ones of the batches the demo seed gives
 * the demo city's centre (server/stock/demo.ts, ccid/sim/demo/station-stock.ts).
 */
export const DEMO_STATION_STOCK_CARDS = ['employee1', 'employee2', 'maintenance1', 'test1'] as const;
