/**
 * One counter load (圈存) at the outlet tablet, by the shared online-transaction client
 * (src/lib/online/transaction.ts) as the kiosk's load is (docs/ledger.md "A load, step by step"):
 * INITIALIZE FOR LOAD on the card (MAC1) → the server checks the card and the amount and reserves
 * the money on the account the card's role loads from → the journal entry is written → CREDIT FOR
 * LOAD (MAC2) → the card's TAC is queued as `load.complete` with the journal's close, and sent.
 * This module adds the tablet's part, as unload.ts does for 圈提: the operator's input checked
 * first, the errors in StaffError's terms, a blocking pending transaction settled from the card,
 * the slip's facts.
 *
 * What each failure leaves: a refusal before the journal leaves nothing anywhere (a NETWORK
 * failure may leave a pending load on the server, which the card's counter settles at its next
 * contact). A card that refuses CREDIT is settled from its counter at once. A card that leaves
 * after the journal entry throws INTERRUPTED: its next insertion at any tablet or kiosk
 * (openCard) settles it.
 */
import { BackendError } from '../lib/net/backend-error.ts';
import { cardTimeIso } from '../lib/card/time.ts';
import { OnlineTransactionError, runOnlineTransaction, type OnlineStep, type OnlineTransactionResult } from '../lib/online/transaction.ts';
import { settleFromCard } from '../lib/online/recovery.ts';
import { nowOf, type StaffCard, type StaffDeps } from './open-card.ts';
import { STAFF_ERROR, StaffError, fromBackend, toStaffError } from './errors.ts';
import { STAFF_LIMITS } from './limits.ts';

export type LoadStep = 'card' | 'server' | 'credit' | 'confirm';

export type LoadRequest = { amountFen: number; onStep?: (step: LoadStep) => void };

export type LoadReceipt = {
  cardNo: string;
  holderName: string;
  amountFen: number;
  balanceFenBefore: number;
  balanceFenAfter: number;
  onlineTtc: number;
  terminalId: string;
  loadId: string;
  /** CREDIT FOR LOAD's TAC, queued for the server. */
  tac: string;
  atIso: string;
};

function checkRequest(card: StaffCard, request: LoadRequest): void {
  const { amountFen } = request;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
    throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${amountFen} is not a positive number of fen`);
  // What the card's account holds is the server's to check; a view read at opening that already says no spares the card a step.
  const source = card.account && (card.account.role === 'single' ? card.account.quotaFen : card.account.reserveFen);
  if (typeof source === 'number' && amountFen > source)
    throw new StaffError(STAFF_ERROR.PURSE_INSUFFICIENT, `amount ${amountFen} is more than the account holds (${source})`);
}

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

const STEPS: Record<OnlineStep, LoadStep> = { card: 'card', server: 'server', write: 'credit', confirm: 'confirm' };

function fromTransaction(error: OnlineTransactionError): StaffError {
  const detail = { loadId: error.loadId, cause: error.cause ?? error, ...(error.sw === undefined ? {} : { sw: error.sw }) };
  switch (error.code) {
    case 'CARD_REFUSED':
      return new StaffError(STAFF_ERROR.CARD_REFUSED, 'the card refused CREDIT FOR LOAD; the reservation is released', detail);
    case 'CARD_TOOK_IT':
      return new StaffError(STAFF_ERROR.INTERRUPTED, 'the card answered CREDIT FOR LOAD badly but took it; its proof is queued', detail);
    case 'INTERRUPTED':
      return new StaffError(STAFF_ERROR.INTERRUPTED, 'the card left during the load; it is settled at its next insertion', detail);
  }
}

/**
 * Loads `amountFen` onto the opened card's purse. Resolves with the slip's facts once the card
 * has credited and its TAC is queued; throws StaffError otherwise. The card must stay opened by
 * `openCard` meanwhile.
 */
export async function runLoad(deps: StaffDeps, card: StaffCard, request: LoadRequest): Promise<LoadReceipt> {
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
      { kind: 'load', cardNo: card.facts.cardNo, amountFen: request.amountFen, onStep: (step) => onStep(STEPS[step]) },
    );
  } catch (error) {
    if (error instanceof OnlineTransactionError) throw fromTransaction(error);
    if (error instanceof BackendError && error.code === 'LOAD_PENDING') await settleBlocking(deps, card);
    throw error instanceof BackendError ? fromBackend(error) : toStaffError(error);
  }
  card.facts = { ...card.facts, balanceFen: done.card.balanceFenAfter };
  const result = done.card;
  return {
    cardNo: card.facts.printedNo,
    holderName: card.facts.holderName,
    amountFen: request.amountFen,
    balanceFenBefore: result.balanceFen,
    balanceFenAfter: result.balanceFenAfter,
    onlineTtc: result.onlineTtc,
    terminalId: deps.terminalId,
    loadId: done.loadId,
    tac: result.tac,
    atIso: cardTimeIso(result.date, result.time),
  };
}
