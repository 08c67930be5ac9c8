/**
 * Helpers for tests of the simulated cards: send hex, get data and the status word back as hex;
 * make an opened demo card. Test support only: no production code imports it.
 */
import { fromHex, toHex } from '../../bytes.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { createDemoCard, type DemoCard, type DemoCardId } from '../demo/cards.ts';
import { pinToBcd } from './files.ts';
import { openApplication } from './issuer.ts';

export interface HexResponse {
  data: string;
  sw: string;
  bytes: Uint8Array;
}

/** Sends an APDU written in hex (spaces allowed); returns data and SW in upper-case hex. */
export function send(card: SimulatedCard, hex: string | Uint8Array): HexResponse {
  const response = card.transmit(typeof hex === 'string' ? fromHex(hex) : hex);
  const bytes = response.slice(0, response.length - 2);
  return { data: toHex(bytes), sw: toHex(response.slice(response.length - 2)), bytes };
}

/** A demo card powered on, SINOPEC selected and the PIN verified. */
export function openedDemo(id: DemoCardId = 'named'): DemoCard {
  const demo = createDemoCard(id);
  demo.card.powerOn();
  openApplication(demo.card, pinToBcd(demo.pin));
  return demo;
}
