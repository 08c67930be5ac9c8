/**
 * A customer's card opened at the outlet tablet: read, PIN verified on the card, the server's view
 * of it fetched (when online), and any interrupted load or unload of the card settled from its
 * counter before anything else happens (docs/ledger.md "Recovery": at the next contact, at any
 * kiosk or tablet). Headless: it takes the card session's `transmit`, so a staff screen, the fault
 * simulation or a test drive it the same way.
 */
import { readCard } from '../../ccid/fuelcard/read.ts';
import { getBalance } from '../../ccid/fuelcard/card.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { factsOf, type CardFacts } from '../lib/card/facts.ts';
import type { DeviceDatabase } from '../lib/device-db/database.ts';
import type { StaffAccountView, StaffBackend } from './backend.ts';
import { STAFF_ERROR, StaffError, fromBackend, toStaffError } from './errors.ts';
import { settleFromCard, type RecoveryReport } from '../lib/online/recovery.ts';

export type StaffDeps = {
  backend: StaffBackend;
  /** The device's database; the backend's outbox must write to this same database. */
  db: DeviceDatabase;
  /** 12 hex digits: the tablet's terminal id, which the card writes into its log and MACs. */
  terminalId: string;
  nowMs?: () => number;
};

/** The card as it is now: `runUnload` brings `facts.balanceFen` up to date after each unload. */
export type StaffCard = {
  readonly transmit: Transmit;
  facts: CardFacts;
  /** The server's view, read at opening; null when the server could not be reached. */
  account: StaffAccountView | null;
  /** What the opening settled of earlier interrupted transactions of this card. */
  recovery: RecoveryReport;
};

export function nowOf(deps: StaffDeps): number {
  return (deps.nowMs ?? Date.now)();
}

/** The server's view, or null when the link is down (any other refusal is the operator's to see). */
async function accountOf(deps: StaffDeps, cardNo: string): Promise<StaffAccountView | null> {
  try {
    return await deps.backend.inquiry(cardNo);
  } catch (error) {
    if (error instanceof BackendError && error.offline) return null;
    if (error instanceof BackendError) throw fromBackend(error);
    throw error;
  }
}

/**
 * Opens the card in the reader: throws StaffError (PIN_WRONG with triesLeft, PIN_BLOCKED,
 * NOT_CUSTOMER_CARD, CARD_REMOVED, NOT_PERMITTED, ...). The PIN goes only to the card.
 */
export async function openCard(deps: StaffDeps, transmit: Transmit, options: { pin?: string } = {}): Promise<StaffCard> {
  try {
    const reading = await readCard(transmit, options.pin === undefined ? {} : { pin: options.pin });
    let facts = factsOf(reading, nowOf(deps));
    if (!facts.customerCard) throw new StaffError(STAFF_ERROR.NOT_CUSTOMER_CARD, 'not a customer card');
    if (!reading.pinVerified || reading.balanceFen === null) throw new StaffError(STAFF_ERROR.PIN_REQUIRED, 'the card wants its PIN');
    let account = await accountOf(deps, facts.cardNo);
    const recovery = await settleFromCard({
      transmit,
      db: deps.db,
      backend: deps.backend,
      cardNo: facts.cardNo,
      server: account && { pending: account.pending },
      terminalId: deps.terminalId,
      nowMs: nowOf(deps),
    });
    if (recovery.transactions.length === 0) return { transmit, facts, account, recovery };
    facts = { ...facts, balanceFen: await getBalance(transmit) };
    // The server's pending transaction is settled by the queued proof: not shown as waiting any more.
    if (account?.pending && recovery.transactions.some((t) => t.loadId === account!.pending!.loadId))
      account = { ...account, pending: null };
    return { transmit, facts, account, recovery };
  } catch (error) {
    throw toStaffError(error);
  }
}
