/**
 * Demo mode (`npm start` on an empty database): the virtual CCID reader stands in for
 * navigator.usb and holds the demo cards, so the real WebUSB code path runs with no hardware.
 * Each card's chip state is saved in localStorage after every command, so a demo card keeps its
 * balance, log and PIN across page reloads, like a real card would.
 */
import { installVirtualUsb, type VirtualUsbControl } from '../../../ccid/sim/install.ts';
import { createDemoCard, type DemoCardId } from '../../../ccid/sim/demo-cards.ts';
import { FuelCard } from '../../../ccid/sim/fuel-card.ts';
import type { SimulatedCard } from '../../../ccid/sim/card.ts';

import { DEMO_KIOSK_CARDS } from './demo-list.ts';

const STORAGE_PREFIX = 'fuelcard.demo.card.';

export type DemoStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function loadCard(id: DemoCardId, storage: DemoStorage): FuelCard {
  const saved = storage.getItem(STORAGE_PREFIX + id);
  if (saved !== null) {
    try {
      return FuelCard.restore(JSON.parse(saved));
    } catch {
      storage.removeItem(STORAGE_PREFIX + id); // a corrupted save: start the card afresh
    }
  }
  return createDemoCard(id).card;
}

/** The card, saving its state after every command it answers (or fails with power lost). */
function persisted(id: DemoCardId, card: FuelCard, storage: DemoStorage): SimulatedCard {
  const save = (): void => storage.setItem(STORAGE_PREFIX + id, JSON.stringify(card.serialize()));
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

export { DEMO_KIOSK_CARDS };

export function installDemoUsb(options: { storage: DemoStorage; navigator?: object }): VirtualUsbControl {
  const cards = Object.fromEntries(DEMO_KIOSK_CARDS.map((id) => [id, () => persisted(id, loadCard(id, options.storage), options.storage)]));
  return installVirtualUsb({ cards, ...(options.navigator ? { navigator: options.navigator } : {}) });
}

/** Forgets every demo card's saved state: they come back as issued. */
export function resetDemoCards(storage: DemoStorage): void {
  for (const id of DEMO_KIOSK_CARDS) storage.removeItem(STORAGE_PREFIX + id);
}
