/**
 * What the kiosk needs from the central accounts, as one interface: the HTTP implementation
 * (./http-backend.ts) in the product, an in-memory fake in unit tests. Loads go through the shared
 * online-transaction port (src/lib/online); the kiosk adds its account view and queued inquiries.
 */
import type { OnlinePort } from '../lib/online/port.ts';
import type { PendingOnline } from '../lib/online/recovery.ts';
import type { StationPort } from './receipt.ts';

/** The account facts a kiosk shows for a card. */
export type AccountView = {
  cardNo: string;
  /** Card state in the central accounts: active, lost, blacklisted, closed, expired ... */
  cardState: string;
  /** Money waiting to be loaded onto this card: the sub card's reserve or the single card's quota. */
  waitingFen: number;
  /** What the ledger believes the chip holds (the purse mirror). */
  purseMirrorFen: number;
  /** Most a load may bring the purse to. */
  purseLimitFen: number;
  /** Recent account movements, newest first. */
  history: Array<{ atIso: string; kind: string; amountFen: number }>;
  /** A load (or an outlet's unload) the server holds as pending for this card, to settle from the card's counter. */
  pendingLoad: PendingLoad | null;
};

export type PendingLoad = PendingOnline & { terminalId: string };

export interface KioskBackend extends OnlinePort, StationPort {
  /** Online inquiry; throws BackendError('NETWORK') when the server cannot be reached. */
  inquiry(cardNo: string): Promise<AccountView>;
  /** Queues an inquiry to be answered when the link returns. */
  queueInquiry(cardNo: string): Promise<void>;
}
