/**
 * What the outlet tablet needs from the central accounts for card work, as one interface, and its
 * HTTP implementation over the app's ApiClient, Outbox and SyncLoop (src/lib), as the kiosk's
 * HttpKioskBackend does for loads. Initialise is an online call (the unload needs the server's
 * MAC2); the card's proofs (an unload's MAC3, a recovery's counter) go through the outbox, so they
 * reach the server exactly once whatever happens to the link or the page.
 *
 * Who is asking: unloads are outlet staff's work (server/auth/policy.ts), so every call carries
 * the operator's session (`Authorization: Bearer`), a session the operator opened on this tablet
 * (`signInOnTablet`) and that the server therefore binds to the tablet's device id and terminal.
 */
import type { CardSummary } from '../../server/contract/cards.ts';
import type { InitializeAnswer } from '../../server/contract/loads.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import type { SyncLoop } from '../lib/sync/sync-loop.ts';
import type { OnlineKind, PendingOnline, RecoverSettlement } from '../lib/online/recovery.ts';

export type Destination = 'QUOTA' | 'RESERVE';
export type CardRole = CardSummary['role'];
export type { OnlineKind, PendingOnline };

/** The account facts the tablet shows for a card and checks an unload against. */
export type StaffAccountView = {
  cardNo: string;
  cardState: CardSummary['state'];
  grey: boolean;
  role: CardRole;
  /** Available on the customer's quota account, when it has one. */
  quotaFen: number | null;
  /** Available on the card's reserve account (cards of a multi-user customer), when it has one. */
  reserveFen: number | null;
  /** What the ledger believes the chip holds. */
  purseMirrorFen: number;
  pending: PendingOnline | null;
};

export type UnloadInitialiseRequest = {
  operationId: string;
  cardNo: string;
  amountFen: number;
  destination: Destination;
  terminalId: string;
  /** INITIALIZE FOR UNLOAD's answer: its MAC1 authenticates balance and online counter. */
  card: InitializeAnswer;
};

/** The server's MAC2 for the card, and the challenge a recovery probe of this unload must carry. */
export type UnloadAuthorisation = { loadId: string; mac2: string; date: string; time: string; probeChallenge: string };

/**
 * The card's word on an online transaction, for the server to settle it:
 * - `unload-mac3`: DEBIT FOR UNLOAD answered, its MAC3 proves it (`unload.complete`);
 * - `recover`: at a later contact, the card's counter and, when it moved, the transaction's proof
 *   if the card still holds it (`load.recover`, which settles a card's pending load and unload
 *   alike; src/lib/recovery).
 */
export type OnlineSettlement = { kind: 'unload-mac3'; loadId: string; mac3: string } | RecoverSettlement;

export interface StaffBackend {
  /** Online view of a card; throws BackendError('NETWORK') when the server cannot be reached. */
  inquiry(cardNo: string): Promise<StaffAccountView>;
  /** MAC1 checked, the purse money reserved (pending PURSE → destination), MAC2 returned. */
  unloadInitialise(request: UnloadInitialiseRequest): Promise<UnloadAuthorisation>;
  /**
   * Writes the settlement to the outbox, durably, and sends nothing. It touches only the outbox
   * and its settings, so the caller may run it inside its own Dexie transaction together with the
   * journal entry it settles.
   */
  queue(settlement: OnlineSettlement): Promise<void>;
  /** Sends what is queued, soon; never throws for the network. */
  send(): Promise<void>;
}

/** Which accounts an unload may pay into, by the card's place in its customer (server/loads/online.ts customerAccount). */
export function destinationsOf(role: CardRole): readonly Destination[] {
  return role === 'single' ? ['QUOTA'] : ['RESERVE', 'QUOTA'];
}

export function accountViewOf(card: CardSummary, pending: PendingOnline | null): StaffAccountView {
  const available = (code: 'QUOTA' | 'RESERVE') => card.accounts.find((a) => a.code === code)?.availableFen ?? null;
  return {
    cardNo: card.cardNo,
    cardState: card.state,
    grey: card.grey,
    role: card.role,
    quotaFen: available('QUOTA'),
    reserveFen: available('RESERVE'),
    purseMirrorFen: card.accounts.find((a) => a.code === 'PURSE')?.balanceFen ?? 0,
    pending,
  };
}

export class HttpStaffBackend implements StaffBackend {
  readonly #api: ApiClient;
  readonly #outbox: Outbox;
  readonly #sync: SyncLoop;

  constructor(options: { api: ApiClient; outbox: Outbox; sync: SyncLoop }) {
    this.#api = options.api;
    this.#outbox = options.outbox;
    this.#sync = options.sync;
  }

  async inquiry(cardNo: string): Promise<StaffAccountView> {
    const pulled = await this.#api.call('syncPull', { body: { cardNos: [cardNo] } });
    const card = pulled.cards.find((c) => c.cardNo === cardNo);
    if (!card) throw new BackendError('CARD_UNKNOWN', 'the central accounts do not know this card');
    // Loads and unloads alike: whichever is pending, the card's counter settles it.
    const pending = pulled.pendingLoads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return accountViewOf(card, pending ? { loadId: pending.loadId, kind: pending.kind, onlineTtc: pending.onlineTtc, amountFen: pending.amountFen, probeChallenge: pending.probeChallenge } : null);
  }

  async unloadInitialise(request: UnloadInitialiseRequest): Promise<UnloadAuthorisation> {
    const { operationId, cardNo, amountFen, destination, terminalId, card } = request;
    const answer = await this.#api.call('unloadInitialise', { body: { operationId, cardNo, amountFen, destinationAccount: destination, terminalId, card } });
    if (answer.load.kind !== 'unload' || answer.load.cardNo !== cardNo || answer.load.amountFen !== amountFen) {
      throw new BackendError('RESPONSE_INVALID', 'the server answered an unload initialise with another transaction');
    }
    if (answer.load.probeChallenge === null) throw new BackendError('RESPONSE_INVALID', 'the server gave no probe challenge with the MAC2');
    return { loadId: answer.load.loadId, mac2: answer.mac2, date: answer.date, time: answer.time, probeChallenge: answer.load.probeChallenge };
  }

  async queue(settlement: OnlineSettlement): Promise<void> {
    if (settlement.kind === 'unload-mac3') {
      await this.#outbox.enqueue('unload.complete', { loadId: settlement.loadId, tac: settlement.mac3 });
      return;
    }
    const { cardNo, loadId, probe, prove } = settlement;
    await this.#outbox.enqueue('load.recover', { cardNo, loadId, probe, ...(prove ? { prove } : {}) });
  }

  async send(): Promise<void> {
    await this.#sync.queuedChanged();
  }
}
