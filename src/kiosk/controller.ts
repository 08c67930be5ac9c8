/**
 * The customer's card session at a kiosk: from the card going in to the card coming out. The
 * controller owns the screen state; components draw it and call the actions below.
 *
 * A session belongs to one insertion: every await is followed by a check that the session is
 * still the current one, so a card pulled mid-command ends the session at once and a late answer
 * from the old card can never paint over the start screen.
 */
import { writable, get, type Readable } from 'svelte/store';
import type { CardSession } from '../../ccid/usb/index.ts';
import { isCcidError } from '../../ccid/usb/index.ts';
import { FuelCardError, FUEL_CARD_ERROR } from '../../ccid/fuelcard/errors.ts';
import { cardSessionActive } from '../lib/session/active.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { AccountView } from './backend.ts';
import type { CardFacts } from '../lib/card/facts.ts';
import type { ServerView } from '../lib/online/recovery.ts';
import type { StationInfo } from '../../server/contract/station.ts';
import type { KioskDeps } from './deps.ts';
import { loadBlock, loadMaxFen, type AccountInfo, type Notice, type RefusalReason, type Screen } from './screens.ts';

export type { CardReaderPort, KioskDeps } from './deps.ts';

/** No touch for this long ends the session. */
export const KIOSK_IDLE_TIMEOUT_MS = 60_000;
/** The last part of the idle time, counted down on screen with a button to carry on. */
export const KIOSK_IDLE_WARNING_MS = 15_000;
const SECOND_MS = 1_000;
/**
 * Screens where the customer is choosing or reading, where the countdown warns before the end.
 * Not while the card is read or loaded (the kiosk is busy, not the customer), nor on a refusal or
 * the goodbye, which only ask for the card back.
 */
const WARNED_SCREENS: ReadonlySet<Screen['name']> = new Set(['pin', 'home', 'load', 'receipt', 'history', 'change-pin']);
const REFUSED_CARD_STATES: Record<string, RefusalReason> = { lost: 'lost', blacklisted: 'blacklisted', closed: 'closed' };

class SessionEnded extends Error {}

type CardWork = typeof import('./card-work.ts');
let cardWork: Promise<CardWork> | undefined;

/**
 * The card session's own code (card-work.ts), a chunk of its own. Fetched once: the kiosk asks
 * for it as soon as it has started (preloadCardWork), so a card finds it there; a failed fetch
 * (the link down before the service worker had it) is tried again at the next card.
 */
function loadCardWork(): Promise<CardWork> {
  cardWork ??= import('./card-work.ts').catch((error: unknown) => {
    cardWork = undefined;
    throw error;
  });
  return cardWork;
}

/** Fetches the card session's chunk in the background, once the start screen is up. */
export function preloadCardWork(): void {
  loadCardWork().catch(() => {});
}

export class KioskController {
  readonly #deps: KioskDeps;
  readonly #screen = writable<Screen>({ name: 'start', notice: null, cardInReader: false });
  readonly screen: Readable<Screen> = this.#screen;
  readonly #idleCountdown = writable<number | null>(null);
  /** Seconds left before an idle session ends, while the warning shows; null otherwise. */
  readonly idleCountdown: Readable<number | null> = this.#idleCountdown;
  #generation = 0;
  #session: CardSession | undefined;
  #card: CardFacts | undefined;
  #account: AccountInfo = null;
  /**
   * Money moved after the account view was read (a load, or a transaction the card settled at
   * insertion): its figures were brought in line here, its list of movements was not, so the
   * history asks the server again before showing it.
   */
  #accountMoved = false;
  /** The station for this session's receipts, asked for once the card is read (receipt.ts). */
  #station: Promise<StationInfo | null> = Promise.resolve(null);
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #stopListening: () => void;

  constructor(deps: KioskDeps) {
    this.#deps = deps;
    this.#stopListening = deps.reader.onCard({ inserted: () => void this.#begin(), removed: () => this.#end(null) });
  }

  dispose(): void {
    this.#stopListening();
    this.#stopIdleTimer();
  }

  get current(): Screen {
    return get(this.#screen);
  }

  #now(): number {
    return (this.#deps.nowMs ?? Date.now)();
  }

  #set(screen: Screen, generation: number): void {
    if (generation !== this.#generation) throw new SessionEnded();
    this.#screen.set(screen);
    this.touch();
  }

  /** Any touch on the screen (the countdown's "continue" included): restarts the idle time. */
  touch(): void {
    this.#stopIdleTimer();
    if (this.current.name === 'start') return;
    const timeoutMs = this.#deps.idleTimeoutMs ?? KIOSK_IDLE_TIMEOUT_MS;
    const warningMs = WARNED_SCREENS.has(this.current.name) ? Math.min(this.#deps.idleWarningMs ?? KIOSK_IDLE_WARNING_MS, timeoutMs) : 0;
    this.#idleTimer = setTimeout(() => this.#countDown(Date.now() + warningMs), timeoutMs - warningMs);
  }

  /** The warning: the seconds left, once a second, then the end of the session. */
  #countDown(endsAtMs: number): void {
    const leftMs = endsAtMs - Date.now();
    if (leftMs <= 0) return this.#end({ key: 'kiosk.notice.timed_out', tone: 'info' });
    this.#idleCountdown.set(Math.ceil(leftMs / SECOND_MS));
    // Wake at the next whole second left, so the number on screen changes on time.
    this.#idleTimer = setTimeout(() => this.#countDown(endsAtMs), leftMs % SECOND_MS || SECOND_MS);
  }

  #stopIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleCountdown.set(null);
  }

  #transmit(generation: number): (apdu: Uint8Array) => Promise<Uint8Array> {
    return async (apdu) => {
      if (generation !== this.#generation || !this.#session) throw new SessionEnded();
      return this.#session.transmit(apdu);
    };
  }

  /**
   * The card came out (or the session timed out): back to the start, whatever was going on. A card
   * still in the reader (a timed-out session) is asked out first: a new session needs a new insertion.
   */
  #end(notice: Notice | null): void {
    const wasLoading = this.current.name === 'loading';
    this.#generation++;
    const session = this.#session;
    this.#session = undefined;
    this.#card = undefined;
    this.#account = null;
    this.#accountMoved = false;
    this.#stopIdleTimer();
    void session?.close().catch(() => {});
    this.#screen.set({
      name: 'start',
      notice: wasLoading ? { key: 'kiosk.notice.load_interrupted', tone: 'warning' } : notice,
      cardInReader: this.#deps.reader.cardPresent,
    });
    cardSessionActive.set(false);
  }

  async #guard(generation: number, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof SessionEnded || generation !== this.#generation) return;
      if (isCcidError(error, 'CARD_REMOVED') || isCcidError(error, 'NO_CARD')) return this.#end(null);
      this.#set({ name: 'refused', reason: 'unreadable' }, generation);
    }
  }

  async #begin(): Promise<void> {
    this.#end(null);
    const generation = this.#generation;
    cardSessionActive.set(true);
    this.#set({ name: 'reading' }, generation);
    await this.#guard(generation, async () => {
      this.#session = await this.#deps.reader.connectCard();
      const { readCard, factsOf } = await loadCardWork();
      const reading = await readCard(this.#transmit(generation));
      const card = factsOf(reading, this.#now());
      this.#card = card;
      if (!card.customerCard) return this.#set({ name: 'refused', reason: 'not_customer_card' }, generation);
      if (card.expired) return this.#set({ name: 'refused', reason: 'expired' }, generation);
      if (reading.pinVerified) return this.#afterPin(generation);
      this.#set({ name: 'pin', triesLeft: null, busy: false }, generation);
    });
  }

  /** PIN from the on-screen keypad; it goes only to the card (docs/architecture.md decision 7). */
  async submitPin(pin: string): Promise<void> {
    const generation = this.#generation;
    if (this.current.name !== 'pin') return;
    this.#set({ name: 'pin', triesLeft: this.current.triesLeft, busy: true }, generation);
    await this.#guard(generation, async () => {
      const { verifyPin } = await loadCardWork();
      try {
        await verifyPin(this.#transmit(generation), pin);
      } catch (error) {
        if (!(error instanceof FuelCardError)) throw error;
        if (error.code === FUEL_CARD_ERROR.PIN_WRONG)
          return this.#set({ name: 'pin', triesLeft: error.triesLeft ?? null, busy: false }, generation);
        if (error.code === FUEL_CARD_ERROR.PIN_BLOCKED) return this.#set({ name: 'refused', reason: 'pin_blocked' }, generation);
        throw error;
      }
      await this.#afterPin(generation);
    });
  }

  async #afterPin(generation: number): Promise<void> {
    const transmit = this.#transmit(generation);
    const { readTransactionLog, getBalance } = await loadCardWork();
    let card = this.#card!;
    // The receipt's chunk is fetched while the card is read; the station is asked for before the
    // account, not beside it, so that the session's requests always go in one order (the fault
    // simulation replays a seed exactly only so) and the receipt then waits for nothing.
    const receiptModule = import('./receipt.ts').catch(() => null);
    card = { ...card, records: await readTransactionLog(transmit), balanceFen: await getBalance(transmit) };
    this.#card = card;
    const station = await receiptModule
      .then((module) => module?.stationForReceipt(this.#deps.backend, this.#deps.db) ?? null)
      .catch(() => null);
    this.#station = Promise.resolve(station);
    const account = await this.#loadAccount(card.cardNo);
    const refusal = account ? REFUSED_CARD_STATES[account.view.cardState] : undefined;
    if (refusal) return this.#set({ name: 'refused', reason: refusal }, generation);
    const notice = await this.#recover(generation, account?.ageMs === null ? { pending: account.view.pendingLoad } : null);
    this.#set({ name: 'home', card: this.#card!, account: this.#account, notice }, generation);
  }

  /** Online: the server's view (cached for later); offline: the cached view with its age. */
  async #loadAccount(cardNo: string): Promise<AccountInfo> {
    const view = await this.#fetchAccount(cardNo);
    this.#account = view ? { view, ageMs: null } : await this.#cachedAccount(cardNo);
    return this.#account;
  }

  /** The server's view, kept in the device's cache; null when the server cannot be reached. */
  async #fetchAccount(cardNo: string): Promise<AccountView | null> {
    try {
      const view = await this.#deps.backend.inquiry(cardNo);
      await this.#deps.db.accountCache.put({ cardNo, view, fetchedAtMs: this.#now() });
      this.#accountMoved = false;
      return view;
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
      return null;
    }
  }

  async #cachedAccount(cardNo: string): Promise<AccountInfo> {
    const cached = await this.#deps.db.accountCache.get(cardNo);
    return cached ? { view: cached.view as AccountView, ageMs: this.#now() - cached.fetchedAtMs } : null;
  }

  /** Settles what the card left pending; `server` is the server's view when it was read just now. */
  async #recover(generation: number, server: ServerView | null): Promise<Notice | null> {
    const card = this.#card!;
    const { settleFromCard, getBalance, readTransactionLog, accountAfterRecovery, recoveryNotice } = await loadCardWork();
    const report = await settleFromCard({
      transmit: this.#transmit(generation),
      db: this.#deps.db,
      backend: this.#deps.backend,
      cardNo: card.cardNo,
      server,
      terminalId: this.#deps.terminalId,
      nowMs: this.#now(),
    });
    if (report.transactions.length === 0) return null;
    this.#accountMoved = true;
    this.#card = {
      ...card,
      balanceFen: await getBalance(this.#transmit(generation)),
      records: await readTransactionLog(this.#transmit(generation)),
    };
    // The server's accounts, once the card's proofs have reached it; offline, the outcome the card told.
    const read = this.#account;
    const told = server !== null && (await this.#deps.backend.flush()) && (await this.#loadAccount(card.cardNo))?.ageMs === null;
    if (generation !== this.#generation) throw new SessionEnded();
    if (!told) this.#account = accountAfterRecovery(read, report);
    return recoveryNotice(report);
  }

  home(notice: Notice | null = null): void {
    if (!this.#card) return;
    this.#set({ name: 'home', card: this.#card, account: this.#account, notice }, this.#generation);
  }

  /** The most this load may be: what is waiting, and what the purse limit leaves room for. */
  loadMaxFen(): number {
    return this.#card ? loadMaxFen(this.#card, this.#account) : 0;
  }

  /**
   * The load screen, when a load can be made. When it cannot, the home screen already shows the
   * load button disabled with the reason beside it (screens.ts loadBlock): the customer stays
   * there, told once, not once more per press.
   */
  chooseLoad(): void {
    const card = this.#card;
    if (!card || loadBlock(card, this.#account) !== null) return;
    this.#set({ name: 'load', card, account: this.#account, maxFen: this.loadMaxFen(), notice: null }, this.#generation);
  }

  async load(amountFen: number): Promise<void> {
    const generation = this.#generation;
    const card = this.#card;
    if (!card || this.current.name !== 'load') return;
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > this.loadMaxFen()) {
      return this.#set({ ...this.current, notice: { key: 'kiosk.load.amount_invalid', tone: 'error' } }, generation);
    }
    await this.#guard(generation, async () => {
      const { runLoad, getBalance, readTransactionLog } = await loadCardWork();
      const outcome = await runLoad({
        transmit: this.#transmit(generation),
        deps: this.#deps,
        card,
        amountFen,
        onStep: (step) => this.#set({ name: 'loading', amountFen, step }, generation),
        nowMs: this.#now(),
        station: this.#station,
      });
      // Even a refused load may have settled something (a card that took the money after all).
      this.#accountMoved = true;
      if (outcome.kind === 'refused') {
        if (outcome.cardChanged)
          this.#card = {
            ...card,
            balanceFen: await getBalance(this.#transmit(generation)),
            records: await readTransactionLog(this.#transmit(generation)),
          };
        return this.home(outcome.notice);
      }
      this.#card = { ...card, balanceFen: outcome.receipt.balanceFenAfter, records: await readTransactionLog(this.#transmit(generation)) };
      // The server's word on the balances once the card took the load (nothing worked out here).
      const { accountAvailableFen, purseMirrorFen } = outcome.loaded.authorisation.balances;
      if (this.#account)
        this.#account = { ...this.#account, view: { ...this.#account.view, waitingFen: accountAvailableFen, purseMirrorFen } };
      this.#set({ name: 'receipt', receipt: outcome.receipt }, generation);
    });
  }

  async history(): Promise<void> {
    const generation = this.#generation;
    const card = this.#card;
    if (!card) return;
    let inquiryQueued = false;
    await this.#guard(generation, async () => {
      // Read once per session, and again after money moved: the history shows this session's loads.
      if (!this.#account || this.#account.ageMs !== null || this.#accountMoved) {
        const view = await this.#fetchAccount(card.cardNo);
        if (view) this.#account = { view, ageMs: null };
        else {
          // Offline: the account's part waits for the link. The figures held stay: a view read
          // online earlier in this session (brought in line with its loads) is newer than the cache.
          if (!this.#account || this.#account.ageMs !== null) this.#account = await this.#cachedAccount(card.cardNo);
          await this.#deps.backend.queueInquiry(card.cardNo);
          inquiryQueued = true;
        }
      }
      this.#set({ name: 'history', card, account: this.#account, inquiryQueued }, generation);
    });
  }

  /**
   * The link is back (the outbox drained): a customer still looking at a history whose account
   * part was queued gets the answer now.
   */
  async linkRestored(): Promise<void> {
    const generation = this.#generation;
    const screen = this.current;
    if (screen.name !== 'history' || !screen.inquiryQueued) return;
    await this.#guard(generation, async () => {
      const account = await this.#loadAccount(screen.card.cardNo);
      if (!account || account.ageMs !== null) return;
      this.#set({ name: 'history', card: screen.card, account, inquiryQueued: false }, generation);
    });
  }

  startPinChange(): void {
    this.#set({ name: 'change-pin', stage: 'old', notice: null, busy: false }, this.#generation);
  }

  /** Works offline: the PIN lives on the card. Old PIN, new PIN, the new PIN again. */
  async changePin(oldPin: string, newPin: string, confirmPin: string): Promise<void> {
    const generation = this.#generation;
    if (newPin !== confirmPin)
      return this.#set({ name: 'change-pin', stage: 'new', notice: { key: 'kiosk.pin.mismatch', tone: 'error' }, busy: false }, generation);
    if (!/^\d{4,12}$/.test(newPin))
      return this.#set({ name: 'change-pin', stage: 'new', notice: { key: 'kiosk.pin.format', tone: 'error' }, busy: false }, generation);
    this.#set({ name: 'change-pin', stage: 'confirm', notice: null, busy: true }, generation);
    await this.#guard(generation, async () => {
      const { changePin } = await loadCardWork();
      try {
        await changePin(this.#transmit(generation), { oldPin, newPin });
      } catch (error) {
        if (!(error instanceof FuelCardError)) throw error;
        if (error.code === FUEL_CARD_ERROR.PIN_BLOCKED) return this.#set({ name: 'refused', reason: 'pin_blocked' }, generation);
        if (error.code !== FUEL_CARD_ERROR.PIN_WRONG) throw error;
        const notice: Notice = { key: 'kiosk.pin.wrong_old', values: { triesLeft: error.triesLeft ?? 0 }, tone: 'error' };
        return this.#set({ name: 'change-pin', stage: 'old', notice, busy: false }, generation);
      }
      this.home({ key: 'kiosk.pin.changed', tone: 'success' });
    });
  }

  /** The customer is done: ask for the card back. */
  finish(): void {
    this.#set({ name: 'finished' }, this.#generation);
  }
}
