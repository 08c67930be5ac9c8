/**
 * One unload (圈提) at the outlet tablet, by the shared online-transaction client
 * (src/lib/online/transaction.ts), as docs/ledger.md "A load, step by step" lays out the load,
 * mirrored: INITIALIZE FOR UNLOAD on the card (MAC1) → the server checks the card, the amount and
 * the destination account and reserves the money (pending PURSE → QUOTA or RESERVE), answers MAC2 →
 * the journal entry is written → DEBIT FOR UNLOAD (MAC3) → the MAC3 is queued for the server as
 * `unload.complete`, in the same Dexie transaction that closes the journal entry, and sent. This
 * module adds the tablet's part: the operator's input checked first, the errors in StaffError's
 * terms, a blocking pending transaction settled from the card, the receipt.
 *
 * What each failure leaves: a refusal before the journal leaves nothing anywhere (a NETWORK
 * failure may leave a pending unload on the server, which the card's counter settles at its next
 * contact, as a lost load answer does). A card that refuses DEBIT is settled from its counter at
 * once. A card that leaves after the journal entry is written throws INTERRUPTED: the card may or
 * may not hold the unload, and its next insertion at any tablet (openCard) settles it.
 */
import { cardTimeIso } from '../lib/card/time.ts';
import type { OnlineStep, OnlineTransactionResult } from '../lib/online/transaction.ts';
import { destinationsOf, type Destination } from './backend.ts';
import { runCounterTransaction } from './counter-transaction.ts';
import type { StaffCard, StaffDeps } from './open-card.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';

export type UnloadStep = 'card' | 'server' | 'debit' | 'confirm';

export type UnloadRequest = {
  amountFen: number;
  /** QUOTA for a single card; RESERVE or QUOTA for a card of a multi-user customer. */
  destination: Destination;
  onStep?: (step: UnloadStep) => void;
};

export type UnloadReceipt = {
  cardNo: string;
  holderName: string;
  amountFen: number;
  destination: Destination;
  balanceFenBefore: number;
  balanceFenAfter: number;
  onlineTtc: number;
  terminalId: string;
  loadId: string;
  /** DEBIT FOR UNLOAD's MAC3, queued for the server. */
  mac3: string;
  atIso: string;
};

/** Checks the operator's input against what the card and the account say, before any card command. */
function checkRequest(card: StaffCard, request: UnloadRequest): void {
  const { amountFen, destination } = request;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${amountFen} is not a positive number of fen`);
  if (amountFen > card.facts.balanceFen)
    throw new StaffError(STAFF_ERROR.PURSE_INSUFFICIENT, `amount ${amountFen} is more than the purse holds (${card.facts.balanceFen})`);
  if (card.account && !destinationsOf(card.account.role).includes(destination)) {
    throw new StaffError(STAFF_ERROR.DESTINATION_INVALID, `a ${card.account.role} card does not unload into ${destination}`);
  }
}

/** The tablet's steps, by the shared client's steps. */
const STEPS: Record<OnlineStep, UnloadStep> = { card: 'card', server: 'server', write: 'debit', confirm: 'confirm' };

function receiptOf(card: StaffCard, request: UnloadRequest, done: OnlineTransactionResult, terminalId: string): UnloadReceipt {
  const result = done.card;
  return {
    cardNo: card.facts.printedNo,
    holderName: card.facts.holderName,
    amountFen: request.amountFen,
    destination: request.destination,
    balanceFenBefore: result.balanceFen,
    balanceFenAfter: result.balanceFenAfter,
    onlineTtc: result.onlineTtc,
    terminalId,
    loadId: done.loadId,
    mac3: result.tac,
    atIso: cardTimeIso(result.date, result.time),
  };
}

/**
 * Unloads `amountFen` from the opened card's purse into `destination` by the shared online
 * transaction client (src/lib/online/transaction.ts). Resolves with the receipt once the card has
 * debited and the MAC3 is queued; throws StaffError otherwise (see the module comment for what
 * each leaves behind). The card must stay opened by `openCard` meanwhile.
 */
export async function runUnload(deps: StaffDeps, card: StaffCard, request: UnloadRequest): Promise<UnloadReceipt> {
  checkRequest(card, request);
  const done = await runCounterTransaction(
    deps,
    card,
    { kind: 'unload', cardNo: card.facts.cardNo, amountFen: request.amountFen, destination: request.destination },
    STEPS,
    request.onStep,
  );
  return receiptOf(card, request, done, deps.terminalId);
}
