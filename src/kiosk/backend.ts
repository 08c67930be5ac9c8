/**
 * What the kiosk needs from the central accounts, as one interface: the HTTP implementation
 * (src/lib/sync) in the product, an in-memory fake in unit tests. Every call that moves money
 * carries a device-made operation id so a retry gets the first answer back.
 */
import type { OnlineRequest } from '../../ccid/fuelcard/load.ts';
import type { InitializeAnswer, OnlineBalances } from '../../server/contract/loads.ts';
import type { PendingOnline, RecoverSettlement, RecoverySink } from '../lib/online/recovery.ts';

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

/** The card's INITIALIZE FOR LOAD, as ccid/fuelcard's load flow hands it to the host, plus who and which operation. */
export type LoadInitialiseRequest = { operationId: string; cardNo: string } & Omit<OnlineRequest, 'transType'>;

/**
 * The server's MAC2 for the card, the challenge a recovery probe of this load must carry, and the
 * balances once the card takes the load (the server's word: the account it loads from, what that
 * account has left, and the purse mirror; the wire's OnlineBalances), so nothing is recomputed here.
 */
export type LoadAuthorisation = { loadId: string; mac2: string; date: string; time: string; probeChallenge: string; balances: OnlineBalances };

/** The card's INITIALIZE FOR LOAD answer, whose MAC1 authenticates its online counter (the wire shape). */
export type { InitializeAnswer };

/**
 * The card's word on a load, for the server to settle it:
 * - `tac`: CREDIT FOR LOAD answered, the TAC proves it;
 * - `recover`: at a later contact, the card's counter and, when it moved past the transaction's,
 *   its proof if the card still holds it (src/lib/recovery; loads and outlet unloads alike).
 */
export type LoadSettlement = { kind: 'tac'; loadId: string; cardNo: string; onlineTtc: number; tac: string } | RecoverSettlement;

export interface KioskBackend extends RecoverySink {
  /** Online inquiry; throws BackendError('NETWORK') when the server cannot be reached. */
  inquiry(cardNo: string): Promise<AccountView>;
  /** MAC1 checked, money reserved, MAC2 returned. Needs the network: loads wait for the link. */
  loadInitialise(request: LoadInitialiseRequest): Promise<LoadAuthorisation>;
  /**
   * Writes the card's proof (TAC) or its counter to the outbox, durably, and sends nothing: it
   * touches only the outbox and its settings, so the caller may run it inside its own Dexie
   * transaction together with the journal entry it settles. `send` sends it.
   */
  queue(settlement: LoadSettlement): Promise<void>;
  /** Queues an inquiry to be answered when the link returns. */
  queueInquiry(cardNo: string): Promise<void>;
}
