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
import { BackendError } from '../lib/net/backend-error.ts';
import { cardTimeIso } from '../lib/card/time.ts';
import { OnlineTransactionError, runOnlineTransaction, type OnlineStep, type OnlineTransactionResult } from '../lib/online/transaction.ts';
import { settleFromCard } from '../lib/online/recovery.ts';
import { destinationsOf, type Destination } from './backend.ts';
import { nowOf, type StaffCard, type StaffDeps } from './open-card.ts';
import { STAFF_ERROR, StaffError, fromBackend, toStaffError } from './errors.ts';
import { STAFF_LIMITS } from './limits.ts';

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

/** The server's pending transaction of this card blocks the unload: settle it from the card now (best effort). */
async function settleBlocking(deps: StaffDeps, card: StaffCard): Promise<void> {
  try {
    const account = await deps.backend.inquiry(card.facts.cardNo);
    await settleFromCard({
      transmit: card.transmit,
      db: deps.db,
      backend: deps.backend,
      cardNo: card.facts.cardNo,
      server: { pending: account.pending },
      terminalId: deps.terminalId,
      nowMs: nowOf(deps),
    });
  } catch (error) {
    toStaffError(error); // world failures only: the operator retries, the card settles later
  }
}

/** The tablet's steps, by the shared client's steps. */
const STEPS: Record<OnlineStep, UnloadStep> = { card: 'card', server: 'server', write: 'debit', confirm: 'confirm' };

/** A failure once the journal entry existed, in the tablet's terms (the card may hold the unload unless CARD_REFUSED). */
function fromTransaction(error: OnlineTransactionError): StaffError {
  const detail = { loadId: error.loadId, cause: error.cause ?? error, ...(error.sw === undefined ? {} : { sw: error.sw }) };
  switch (error.code) {
    case 'CARD_REFUSED':
      return new StaffError(STAFF_ERROR.CARD_REFUSED, 'the card refused DEBIT FOR UNLOAD; the reservation is released', detail);
    case 'CARD_TOOK_IT':
      return new StaffError(STAFF_ERROR.INTERRUPTED, 'the card answered DEBIT FOR UNLOAD badly but took it; its proof is queued', detail);
    case 'INTERRUPTED':
      return new StaffError(STAFF_ERROR.INTERRUPTED, 'the card left during the unload; it is settled at its next insertion', detail);
  }
}

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
  const onStep = request.onStep ?? (() => {});
  let done: OnlineTransactionResult;
  try {
    done = await runOnlineTransaction(
      {
        port: deps.backend,
        db: deps.db,
        terminalId: deps.terminalId,
        nowMs: nowOf(deps),
        initialiseAttemptCountMax: STAFF_LIMITS.initialiseAttemptCountMax,
      },
      card.transmit,
      {
        kind: 'unload',
        cardNo: card.facts.cardNo,
        amountFen: request.amountFen,
        destination: request.destination,
        onStep: (step) => onStep(STEPS[step]),
      },
    );
  } catch (error) {
    if (error instanceof OnlineTransactionError) throw fromTransaction(error);
    if (error instanceof BackendError && error.code === 'LOAD_PENDING') await settleBlocking(deps, card);
    throw error instanceof BackendError ? fromBackend(error) : toStaffError(error);
  }
  card.facts = { ...card.facts, balanceFen: done.card.balanceFenAfter };
  return receiptOf(card, request, done, deps.terminalId);
}
