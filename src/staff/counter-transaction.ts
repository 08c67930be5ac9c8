/**
 * What a counter load (load.ts, 圈存) and a counter unload (unload.ts, 圈提) share at the outlet
 * tablet: the run through the shared online-transaction client (src/lib/online/transaction.ts)
 * with the tablet's limits, a pending transaction of the card that blocks the new one settled from
 * the card there and then (best effort), every failure in StaffError's terms, and the opened card's
 * balance brought up to date. Each caller keeps its own checks of the operator's input and its
 * slip; this module keeps the one order of steps, so a fix to it reaches both.
 */
import { BackendError } from '../lib/net/backend-error.ts';
import {
  OnlineTransactionError,
  runOnlineTransaction,
  type OnlineStep,
  type OnlineTransactionRequest,
  type OnlineTransactionResult,
} from '../lib/online/transaction.ts';
import { settleFromCard } from '../lib/online/recovery.ts';
import { nowOf, type StaffCard, type StaffDeps } from './open-card.ts';
import { STAFF_ERROR, StaffError, fromBackend, toStaffError } from './errors.ts';
import { STAFF_LIMITS } from './limits.ts';

/** The card command that moves the money, as the operator's errors name it. */
const WRITE: Record<OnlineTransactionRequest['kind'], { command: string; noun: string }> = {
  load: { command: 'CREDIT FOR LOAD', noun: 'load' },
  unload: { command: 'DEBIT FOR UNLOAD', noun: 'unload' },
};

/** The server's pending transaction of this card blocks a new one: settle it from the card now (best effort). */
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

/** A failure once the journal entry existed, in the tablet's terms (the card may hold the money unless CARD_REFUSED). */
function fromTransaction(kind: OnlineTransactionRequest['kind'], error: OnlineTransactionError): StaffError {
  const { command, noun } = WRITE[kind];
  const detail = { loadId: error.loadId, cause: error.cause ?? error, ...(error.sw === undefined ? {} : { sw: error.sw }) };
  switch (error.code) {
    case 'CARD_REFUSED':
      return new StaffError(STAFF_ERROR.CARD_REFUSED, `the card refused ${command}; the reservation is released`, detail);
    case 'CARD_TOOK_IT':
      return new StaffError(STAFF_ERROR.INTERRUPTED, `the card answered ${command} badly but took it; its proof is queued`, detail);
    case 'INTERRUPTED':
      return new StaffError(STAFF_ERROR.INTERRUPTED, `the card left during the ${noun}; it is settled at its next insertion`, detail);
  }
}

/**
 * Runs one load or unload on the opened card; `steps` names the shared client's steps in the
 * caller's terms. Resolves once the card has taken it and its proof is queued; throws StaffError
 * otherwise. The card must stay opened by `openCard` meanwhile.
 */
export async function runCounterTransaction<Step>(
  deps: StaffDeps,
  card: StaffCard,
  request: Omit<OnlineTransactionRequest, 'onStep'>,
  steps: Record<OnlineStep, Step>,
  onStep: (step: Step) => void = () => {},
): Promise<OnlineTransactionResult> {
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
      { ...request, onStep: (step) => onStep(steps[step]) },
    );
  } catch (error) {
    if (error instanceof OnlineTransactionError) throw fromTransaction(request.kind, error);
    if (error instanceof BackendError && error.code === 'LOAD_PENDING') await settleBlocking(deps, card);
    throw error instanceof BackendError ? fromBackend(error) : toStaffError(error);
  }
  card.facts = { ...card.facts, balanceFen: done.card.balanceFenAfter };
  return done;
}
