/**
 * The kiosk's screens as data: the controller (controller.ts) moves between them, the Svelte
 * components only draw the current one and call the controller's actions.
 */
import type { AccountView } from './backend.ts';
import type { CardFacts } from '../lib/card/facts.ts';
import type { StationInfo } from '../../server/contract/station.ts';

import type { Notice } from '../lib/ui/notice.ts';

export type { Notice };

export type RefusalReason = 'pin_blocked' | 'lost' | 'blacklisted' | 'closed' | 'expired' | 'not_customer_card' | 'unreadable';

export type LoadStep = 'card' | 'server' | 'credit' | 'confirm';

/**
 * A load's receipt, as printed (receipt.ts masks the card number and the holder's name when it is
 * made, so the full name never sits in the screen state; docs/operations.md "Receipts").
 */
export type Receipt = {
  /** First and last four digits, grouped: "1000 **** **** ***0 017". */
  cardNoMasked: string;
  /** 张*三; "" for an anonymous card. */
  holderNameMasked: string;
  amountFen: number;
  balanceFenBefore: number;
  balanceFenAfter: number;
  onlineTtc: number;
  terminalId: string;
  loadId: string;
  tac: string;
  atIso: string;
  /** The station's name, address and hotline; null when the kiosk has never been told them. */
  station: StationInfo | null;
};

export type AccountInfo = { view: AccountView; ageMs: number | null } | null;

export type Screen =
  /** `cardInReader`: the session ended (timed out) with the card still in: the start asks for it out. */
  | { name: 'start'; notice: Notice | null; cardInReader: boolean }
  | { name: 'reading' }
  | { name: 'pin'; triesLeft: number | null; busy: boolean }
  | { name: 'home'; card: CardFacts; account: AccountInfo; notice: Notice | null }
  | { name: 'load'; card: CardFacts; account: AccountInfo; maxFen: number; notice: Notice | null }
  | { name: 'loading'; amountFen: number; step: LoadStep }
  | { name: 'receipt'; receipt: Receipt }
  | { name: 'history'; card: CardFacts; account: AccountInfo; inquiryQueued: boolean }
  | { name: 'change-pin'; stage: 'old' | 'new' | 'confirm'; notice: Notice | null; busy: boolean }
  | { name: 'refused'; reason: RefusalReason }
  | { name: 'finished' };

/** Preset load amounts in fen (100, 200, 500, 1000, 2000 yuan), shown when they fit. */
export const LOAD_PRESETS_FEN = [10_000, 20_000, 50_000, 100_000, 200_000] as const;

/**
 * Why no load can be made now, which the home screen says next to its disabled load button, so a
 * customer is not sent to a screen that can only refuse: a grey card (its interrupted purchase is
 * finished at a pump first), no network (the load needs the server's MAC2), nothing waiting to be
 * loaded, or a card already at its balance limit.
 */
export type LoadBlock = 'grey' | 'offline' | 'nothing_waiting' | 'card_full';

/** The most a load may be now: what is waiting, and what the purse limit leaves room for. */
export function loadMaxFen(card: CardFacts, account: AccountInfo): number {
  if (!account) return 0;
  const room = account.view.purseLimitFen - card.balanceFen;
  return Math.max(0, Math.min(account.view.waitingFen, room));
}

/** Null when a load can be made. */
export function loadBlock(card: CardFacts, account: AccountInfo): LoadBlock | null {
  if (card.greyState !== 'NORMAL') return 'grey';
  if (!account || account.ageMs !== null) return 'offline';
  if (account.view.waitingFen <= 0) return 'nothing_waiting';
  if (loadMaxFen(card, account) <= 0) return 'card_full';
  return null;
}
