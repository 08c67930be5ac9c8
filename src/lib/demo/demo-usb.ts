/**
 * Demo mode (`npm start` on an empty database): the virtual CCID reader stands in for
 * navigator.usb and holds the demo cards, so the real WebUSB code path runs with no hardware.
 * Each card's chip state is saved in localStorage after every command, so a demo card keeps its
 * balance, log and PIN across page reloads, like a real card would.
 *
 * The cards are this browser's own: numbered from the serial base the server gave its demo kiosk
 * (server/demo/kiosks.ts), so they are the cards the server made for that kiosk, and saved under
 * that base, so a new kiosk never picks up an old one's chips.
 */
import { installVirtualUsb, type VirtualUsbControl } from '../../../ccid/sim/reader/install.ts';
import { createDemoCard, type DemoCardId } from '../../../ccid/sim/demo/cards.ts';
import { createDemoStockCard, isDemoStockCardId, type DemoStockCardId } from '../../../ccid/sim/demo/stock.ts';
import { createDemoStationStockCard, isDemoStationStockCardId, type DemoStationStockCardId } from '../../../ccid/sim/demo/station-stock.ts';
import { FuelCard, type PowerLossFault } from '../../../ccid/sim/card/fuel-card.ts';
import { decodeEf15 } from '../../../ccid/fuelcard/files.ts';
import type { SimulatedCard } from '../../../ccid/sim/simulated-card.ts';

import { DEMO_CARD_STORAGE_PREFIX, DEMO_KIOSK_CARDS, DEMO_STATION_STOCK_CARDS, DEMO_STOCK_CARDS } from './demo-list.ts';

export { DEMO_CARD_STORAGE_PREFIX };

export type DemoStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Where a card of the set numbered from `serialBase` keeps its chip (the seeded set, 0, as it always did). */
function storageKey(id: string, serialBase: number): string {
  return serialBase === 0 ? DEMO_CARD_STORAGE_PREFIX + id : `${DEMO_CARD_STORAGE_PREFIX}${serialBase}.${id}`;
}

type AnyDemoCardId = DemoCardId | DemoStockCardId | DemoStationStockCardId;

/** Stock cards (the outlet's and the centre's station cards) exist once, in the seeded set's numbers. */
function isStock(id: string): boolean {
  return isDemoStockCardId(id) || isDemoStationStockCardId(id);
}

function loadCard(id: AnyDemoCardId, storage: DemoStorage, serialBase: number): FuelCard {
  // Stock cards exist once, in the seeded set's numbers, whichever kiosk this browser is.
  if (isStock(id)) serialBase = 0;
  const key = storageKey(id, serialBase);
  const saved = storage.getItem(key);
  if (saved !== null) {
    try {
      return FuelCard.restore(JSON.parse(saved));
    } catch {
      storage.removeItem(key); // a corrupted save: start the card afresh
    }
  }
  if (isDemoStationStockCardId(id)) return createDemoStationStockCard(id).card;
  return isDemoStockCardId(id) ? createDemoStockCard(id).card : createDemoCard(id, undefined, { serialBase }).card;
}

/** The card, saving its state after every command it answers (or fails with power lost). */
function persisted(key: string, card: FuelCard, storage: DemoStorage): SimulatedCard {
  const save = (): void => storage.setItem(key, JSON.stringify(card.serialize()));
  return {
    powerOn: () => card.powerOn(),
    powerOff: () => card.powerOff(),
    transmit(apdu) {
      try {
        return card.transmit(apdu);
      } finally {
        save();
      }
    },
  };
}

export { DEMO_KIOSK_CARDS, DEMO_STATION_STOCK_CARDS, DEMO_STOCK_CARDS };

export const DEMO_CARDS_GLOBAL = '__fuelcardDemoCards';

/** What the chip holds, as the demo strip and end-to-end tests may look at it. */
export type DemoCardFacts = { cardNo: string; balanceFen: number; onlineTtc: number };

/**
 * The demo cards' own hooks, next to the virtual reader's control: a hand that pulls the card at
 * a precise moment of a command (the card loses power before or after its write, as
 * FuelCard.failNext does), and a look at what the chip holds. Demo mode only.
 */
export type DemoCardsControl = {
  /** Arms a power loss on the named card's next matching command (the card in the reader, or the next one inserted). */
  failNext(id: string, fault: PowerLossFault): void;
  facts(id: string): DemoCardFacts;
};

/** `cardSerialBase`: the serial base of this browser's demo kiosk (0, the seeded set, by default). */
export function installDemoUsb(options: {
  storage: DemoStorage;
  cardSerialBase?: number;
  navigator?: object;
  exposeGlobal?: boolean;
}): VirtualUsbControl {
  const serialBase = options.cardSerialBase ?? 0;
  const live = new Map<string, FuelCard>();
  const armed = new Map<string, PowerLossFault>();
  const make = (id: AnyDemoCardId): SimulatedCard => {
    const card = loadCard(id, options.storage, serialBase);
    live.set(id, card);
    const fault = armed.get(id);
    if (fault) card.failNext(fault);
    armed.delete(id);
    return persisted(storageKey(id, isStock(id) ? 0 : serialBase), card, options.storage);
  };
  const cards = Object.fromEntries(
    [...DEMO_KIOSK_CARDS, ...DEMO_STOCK_CARDS, ...DEMO_STATION_STOCK_CARDS].map((id) => [id, () => make(id)]),
  );
  const exposeGlobal = options.exposeGlobal ?? true;
  const control = installVirtualUsb({ cards, exposeGlobal, ...(options.navigator ? { navigator: options.navigator } : {}) });
  const demoCards: DemoCardsControl = {
    failNext(id, fault) {
      const card = live.get(id);
      if (card) card.failNext(fault);
      else armed.set(id, fault);
    },
    facts(id) {
      const state = (live.get(id) ?? loadCard(id as AnyDemoCardId, options.storage, serialBase)).inspect();
      return { cardNo: decodeEf15(state.ef15).asn, balanceFen: state.purse.edBalanceFen, onlineTtc: state.purse.onlineTtc };
    },
  };
  if (exposeGlobal) Object.defineProperty(globalThis, DEMO_CARDS_GLOBAL, { value: demoCards, configurable: true, writable: true });
  return control;
}

/** Forgets the saved state of every demo card of a set: they come back as issued. */
export function resetDemoCards(storage: DemoStorage, cardSerialBase = 0): void {
  for (const id of DEMO_KIOSK_CARDS) storage.removeItem(storageKey(id, cardSerialBase));
}
