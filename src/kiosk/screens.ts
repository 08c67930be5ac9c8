/**
 * The kiosk's screens as data: the controller (controller.ts) moves between them, the Svelte
 * components only draw the current one and call the controller's actions.
 */
import type { AccountView } from './backend.ts';
import type { CardFacts } from '../lib/card/facts.ts';

import type { Notice } from '../lib/ui/notice.ts';

export type { Notice };

export type RefusalReason = 'pin_blocked' | 'lost' | 'blacklisted' | 'closed' | 'expired' | 'not_customer_card' | 'unreadable';

export type LoadStep = 'card' | 'server' | 'credit' | 'confirm';

export type Receipt = {
  cardNo: string;
  holderName: string;
  amountFen: number;
  balanceFenBefore: number;
  balanceFenAfter: number;
  onlineTtc: number;
  terminalId: string;
  loadId: string;
  tac: string;
  atIso: string;
};

export type AccountInfo = { view: AccountView; ageMs: number | null } | null;

export type Screen =
  | { name: 'start'; notice: Notice | null }
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
