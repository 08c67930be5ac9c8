/**
 * The kiosk's view of the central accounts over HTTP. Inquiry and load initialise are online
 * calls (a load needs the server's MAC2); the card's proofs and queued inquiries go through the
 * outbox, so they reach the server exactly once even if the link or the page dies meanwhile.
 */
import type { CardHistory, CardSummary } from '../../server/contract/cards.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { AccountView, KioskBackend, LoadAuthorisation, LoadInitialiseRequest, LoadSettlement } from './backend.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import type { SyncLoop } from '../lib/sync/sync-loop.ts';

/**
 * The account that holds a card's money waiting to be loaded, for showing it: a single-user card's
 * is its customer's quota; every card of a unit (main or sub) loads from its own reserve, to which
 * the unit pre-allocates (docs/ledger.md "Postings"). A load names no account: the server picks
 * this one itself and says which in its answer.
 */
export function waitingAccountOf(role: CardSummary['role']): 'RESERVE' | 'QUOTA' {
  return role === 'single' ? 'QUOTA' : 'RESERVE';
}

export function accountViewOf(card: CardSummary, history: CardHistory | null = null, pendingLoad: AccountView['pendingLoad'] = null): AccountView {
  const account = (code: string) => card.accounts.find((a) => a.code === code);
  const waitingCode = waitingAccountOf(card.role);
  return {
    cardNo: card.cardNo,
    cardState: card.state,
    waitingFen: account(waitingCode)?.availableFen ?? 0,
    purseMirrorFen: account('PURSE')?.balanceFen ?? 0,
    purseLimitFen: card.purseLimitFen,
    // The customer's account as they know it: the money waiting, in and out.
    history: (history?.movements ?? []).filter((m) => m.account === waitingCode).map((m) => ({ atIso: m.at, kind: m.kind, amountFen: m.amountFen })),
    pendingLoad,
  };
}

export class HttpKioskBackend implements KioskBackend {
  readonly #api: ApiClient;
  readonly #outbox: Outbox;
  readonly #sync: SyncLoop;

  constructor(options: { api: ApiClient; outbox: Outbox; sync: SyncLoop }) {
    this.#api = options.api;
    this.#outbox = options.outbox;
    this.#sync = options.sync;
  }

  async inquiry(cardNo: string): Promise<AccountView> {
    const [pulled, history] = await Promise.all([
      this.#api.call('syncPull', { body: { cardNos: [cardNo] } }),
      this.#api.call('cardHistory', { params: { cardNo } }),
    ]);
    const card = pulled.cards.find((c) => c.cardNo === cardNo);
    if (!card) throw new BackendError('CARD_UNKNOWN', 'the central accounts do not know this card');
    // Loads and outlet unloads alike: whichever is pending, the card's counter settles it here.
    const pending = pulled.pendingLoads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return accountViewOf(card, history, pending ? { loadId: pending.loadId, kind: pending.kind, onlineTtc: pending.onlineTtc, amountFen: pending.amountFen, probeChallenge: pending.probeChallenge, terminalId: '' } : null);
  }

  async loadInitialise(request: LoadInitialiseRequest): Promise<LoadAuthorisation> {
    const { operationId, cardNo, amountFen, terminalId, balanceFen, onlineTtc, keyVersion, algId, random, mac1 } = request;
    // No source account: the server loads from the one the card's role loads from.
    const answer = await this.#api.call('loadInitialise', {
      body: { operationId, cardNo, amountFen, terminalId, card: { balanceFen, onlineTtc, keyVersion, algId, random, mac1 } },
    });
    // A pending load always has its challenge; a server that gave none is not one this kiosk can recover with.
    if (answer.load.probeChallenge === null) throw new BackendError('PROTOCOL', 'the server gave no probe challenge with the MAC2');
    return { loadId: answer.load.loadId, mac2: answer.mac2, date: answer.date, time: answer.time, probeChallenge: answer.load.probeChallenge, balances: answer.balances };
  }

  async queue(settlement: LoadSettlement): Promise<void> {
    if (settlement.kind === 'tac') {
      await this.#outbox.enqueue('load.complete', { loadId: settlement.loadId, tac: settlement.tac });
    } else {
      const { cardNo, loadId, probe, prove } = settlement;
      await this.#outbox.enqueue('load.recover', { cardNo, loadId, probe, ...(prove ? { prove } : {}) });
    }
  }

  async send(): Promise<void> {
    await this.#sync.queuedChanged();
  }

  async queueInquiry(cardNo: string): Promise<void> {
    await this.#outbox.enqueue('inquiry', { cardNo });
    await this.#sync.queuedChanged();
  }
}
