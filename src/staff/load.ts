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
import { cardTimeIso } from '../lib/card/time.ts';
import type { OnlineStep } from '../lib/online/transaction.ts';
import { runCounterTransaction } from './counter-transaction.ts';
import type { StaffCard, StaffDeps } from './open-card.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';

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

const STEPS: Record<OnlineStep, LoadStep> = { card: 'card', server: 'server', write: 'credit', confirm: 'confirm' };

/**
 * Loads `amountFen` onto the opened card's purse. Resolves with the slip's facts once the card
 * has credited and its TAC is queued; throws StaffError otherwise. The card must stay opened by
 * `openCard` meanwhile.
 */
export async function runLoad(deps: StaffDeps, card: StaffCard, request: LoadRequest): Promise<LoadReceipt> {
  checkRequest(card, request);
  const done = await runCounterTransaction(
    deps,
    card,
    { kind: 'load', cardNo: card.facts.cardNo, amountFen: request.amountFen },
    STEPS,
    request.onStep,
  );
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
