/**
 * The kiosk's view of the central accounts over HTTP. Inquiry and load initialise are online
 * calls (a load needs the server's MAC2); the card's proofs and queued inquiries go through the
 * outbox, so they reach the server exactly once even if the link or the page dies meanwhile.
 */
import type { CardHistory, CardSummary } from '../../server/contract/cards.ts';
import type { StationInfo } from '../../server/contract/station.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { HttpOnlinePort } from '../lib/online/http.ts';
import type { AccountView, KioskBackend } from './backend.ts';

/**
 * The account that holds a card's money waiting to be loaded, for showing it: a single-user card's
 * is its customer's quota; every card of a unit (main or sub) loads from its own reserve, to which
 * the unit pre-allocates (docs/ledger.md "Postings"). A load names no account: the server picks
 * this one itself and says which in its answer.
 */
export function waitingAccountOf(role: CardSummary['role']): 'RESERVE' | 'QUOTA' {
  return role === 'single' ? 'QUOTA' : 'RESERVE';
}

export function accountViewOf(
  card: CardSummary,
  history: CardHistory | null = null,
  pendingLoad: AccountView['pendingLoad'] = null,
): AccountView {
  const account = (code: string) => card.accounts.find((a) => a.code === code);
  const waitingCode = waitingAccountOf(card.role);
  return {
    cardNo: card.cardNo,
    cardState: card.state,
    waitingFen: account(waitingCode)?.availableFen ?? 0,
    purseMirrorFen: account('PURSE')?.balanceFen ?? 0,
    purseLimitFen: card.purseLimitFen,
    // The customer's account as they know it: the money waiting, in and out.
    history: (history?.movements ?? [])
      .filter((m) => m.account === waitingCode)
      .map((m) => ({ atIso: m.at, kind: m.kind, amountFen: m.amountFen })),
    pendingLoad,
  };
}

export class HttpKioskBackend extends HttpOnlinePort implements KioskBackend {
  async inquiry(cardNo: string): Promise<AccountView> {
    const [pulled, history] = await Promise.all([
      this.api.call('syncPull', { body: { cardNos: [cardNo] } }),
      this.api.call('cardHistory', { params: { cardNo } }),
    ]);
    const card = pulled.cards.find((c) => c.cardNo === cardNo);
    if (!card) throw new BackendError('CARD_UNKNOWN', 'the central accounts do not know this card');
    // Loads and outlet unloads alike: whichever is pending, the card's counter settles it here.
    const pending = pulled.pendingLoads.find((l) => l.cardNo === cardNo && l.state === 'pending');
    return accountViewOf(
      card,
      history,
      pending
        ? {
            loadId: pending.loadId,
            kind: pending.kind,
            onlineTtc: pending.onlineTtc,
            amountFen: pending.amountFen,
            probeChallenge: pending.probeChallenge,
            terminalId: '',
          }
        : null,
    );
  }

  /** The kiosk's station, for its receipts (receipt.ts keeps the last answer for offline). */
  async station(): Promise<StationInfo> {
    return this.api.call('deviceStation');
  }

  async queueInquiry(cardNo: string): Promise<void> {
    await this.outbox.enqueue('inquiry', { cardNo });
    await this.sync.queuedChanged();
  }
}
