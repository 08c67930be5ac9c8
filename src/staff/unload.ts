/**
 * One unload (圈提) at the outlet tablet, as docs/ledger.md "A load, step by step" lays out the load,
 * mirrored: INITIALIZE FOR UNLOAD on the card (MAC1) → the server checks the card, the amount and
 * the destination account and reserves the money (pending PURSE → QUOTA or RESERVE), answers MAC2 →
 * the journal entry is written → DEBIT FOR UNLOAD (MAC3) → the MAC3 is queued for the server as
 * `unload.complete`, in the same Dexie transaction that closes the journal entry, and sent.
 *
 * What each failure leaves: a refusal before the journal leaves nothing anywhere (a NETWORK
 * failure may leave a pending unload on the server, which the card's counter settles at its next
 * contact, as a lost load answer does). A card that refuses DEBIT is settled from its counter at
 * once. A card that leaves after the journal entry is written throws INTERRUPTED: the card may or
 * may not hold the unload, and its next insertion at any tablet (openCard) settles it.
 */
import { unload, type HostAuthorisation, type OnlineRequest, type OnlineResult } from '../../ccid/fuelcard/load.ts';
import { FuelCardError } from '../../ccid/fuelcard/errors.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { newOperationId } from '../lib/outbox/ids.ts';
import { destinationsOf, type Destination, type UnloadAuthorisation, type UnloadInitialiseRequest } from './backend.ts';
import { nowOf, type StaffCard, type StaffDeps } from './card.ts';
import { STAFF_ERROR, StaffError, assert, fromBackend, fromReader, toStaffError } from './errors.ts';
import { journalUnload, markSettled } from '../lib/online/journal.ts';
import { STAFF_LIMITS } from './limits.ts';
import { recoverOnline } from '../lib/online/recovery.ts';

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
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${amountFen} is not a positive number of fen`);
  if (amountFen > card.facts.balanceFen) throw new StaffError(STAFF_ERROR.PURSE_INSUFFICIENT, `amount ${amountFen} is more than the purse holds (${card.facts.balanceFen})`);
  if (card.account && !destinationsOf(card.account.role).includes(destination)) {
    throw new StaffError(STAFF_ERROR.DESTINATION_INVALID, `a ${card.account.role} card does not unload into ${destination}`);
  }
}

const RETRYABLE = (error: BackendError): boolean => error.offline || error.code === 'UNAVAILABLE' || error.code === 'DATABASE_UNAVAILABLE' || /^HTTP_5\d\d$/.test(error.code);

/** The same operation id on every send: a retry after a lost answer gets the first MAC2 back. */
async function initialise(deps: StaffDeps, request: UnloadInitialiseRequest): Promise<UnloadAuthorisation> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.backend.unloadInitialise(request);
    } catch (error) {
      if (!(error instanceof BackendError) || !RETRYABLE(error) || attempt >= STAFF_LIMITS.initialiseAttemptCountMax) throw error;
    }
  }
}

/** The server's pending transaction of this card blocks the unload: settle it from the card now (best effort). */
async function settleBlocking(deps: StaffDeps, card: StaffCard): Promise<void> {
  try {
    const account = await deps.backend.inquiry(card.facts.cardNo);
    await recoverOnline({ transmit: card.transmit, db: deps.db, backend: deps.backend, cardNo: card.facts.cardNo, server: { pending: account.pending }, terminalId: deps.terminalId, nowMs: nowOf(deps) });
  } catch (error) {
    toStaffError(error); // world failures only: the operator retries, the card settles later
  }
}

/** A failure once the journal entry exists: settle from the card's counter now if it is still there. */
async function failureAfterJournal(deps: StaffDeps, card: StaffCard, loadId: string, error: unknown): Promise<StaffError> {
  const interrupted = (cause: unknown) => new StaffError(STAFF_ERROR.INTERRUPTED, 'the card left during the unload; it is settled at its next insertion', { loadId, cause });
  if (!(error instanceof FuelCardError)) {
    if (fromReader(error)) return interrupted(error);
    throw error;
  }
  try {
    const report = await recoverOnline({ transmit: card.transmit, db: deps.db, backend: deps.backend, cardNo: card.facts.cardNo, server: null, terminalId: deps.terminalId, nowMs: nowOf(deps) });
    const settled = report.transactions.find((t) => t.loadId === loadId);
    if (settled?.completed) return new StaffError(STAFF_ERROR.INTERRUPTED, 'the card answered DEBIT FOR UNLOAD badly but took it; its proof is queued', { loadId, sw: error.sw, cause: error });
    return new StaffError(STAFF_ERROR.CARD_REFUSED, 'the card refused DEBIT FOR UNLOAD; the reservation is released', { loadId, sw: error.sw, cause: error });
  } catch (recoveryError) {
    if (fromReader(recoveryError) || recoveryError instanceof FuelCardError) return interrupted(recoveryError);
    throw recoveryError;
  }
}

function receiptOf(card: StaffCard, request: UnloadRequest, result: OnlineResult, loadId: string, terminalId: string): UnloadReceipt {
  const { date, time } = result;
  return {
    cardNo: card.facts.printedNo,
    holderName: card.facts.holderName,
    amountFen: request.amountFen,
    destination: request.destination,
    balanceFenBefore: result.balanceFen,
    balanceFenAfter: result.balanceFenAfter,
    onlineTtc: result.onlineTtc,
    terminalId,
    loadId,
    mac3: result.tac,
    atIso: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}+08:00`,
  };
}

/**
 * Unloads `amountFen` from the opened card's purse into `destination`. Resolves with the receipt
 * once the card has debited and the MAC3 is queued; throws StaffError otherwise (see the module
 * comment for what each leaves behind). The card must stay opened by `openCard` meanwhile.
 */
export async function runUnload(deps: StaffDeps, card: StaffCard, request: UnloadRequest): Promise<UnloadReceipt> {
  checkRequest(card, request);
  const onStep = request.onStep ?? (() => {});
  const nowMs = nowOf(deps);
  const operationId = newOperationId(nowMs);
  let loadId: string | undefined;
  const host = async (init: OnlineRequest): Promise<HostAuthorisation> => {
    onStep('server');
    const { amountFen, destination } = request;
    const { balanceFen, onlineTtc, keyVersion, algId, random, mac1 } = init;
    const answer = { balanceFen, onlineTtc, keyVersion, algId, random, mac1 };
    const auth = await initialise(deps, { operationId, cardNo: card.facts.cardNo, amountFen, destination, terminalId: deps.terminalId, card: answer });
    // Written before DEBIT FOR UNLOAD is sent: from here on the card may hold the unload.
    await journalUnload(deps.db, { loadId: auth.loadId, cardNo: card.facts.cardNo, onlineTtc: init.onlineTtc, amountFen, terminalId: deps.terminalId, probeChallenge: auth.probeChallenge, destination, operationId, balanceFenBefore: init.balanceFen, createdAtMs: nowMs });
    loadId = auth.loadId;
    onStep('debit');
    return auth;
  };
  onStep('card');
  let result: OnlineResult;
  try {
    result = await unload(card.transmit, { amountFen: request.amountFen, terminalId: deps.terminalId, host });
  } catch (error) {
    if (loadId !== undefined) throw await failureAfterJournal(deps, card, loadId, error);
    if (error instanceof BackendError && error.code === 'LOAD_PENDING') await settleBlocking(deps, card);
    throw error instanceof BackendError ? fromBackend(error) : toStaffError(error);
  }
  const id: string = loadId!;
  assert(result.balanceFenAfter === result.balanceFen - request.amountFen, 'the purse goes down by the amount unloaded');
  onStep('confirm');
  const { db, backend } = deps;
  // The proof's message and the journal's end together: a crash between them leaves neither.
  await db.transaction('rw', [db.outbox, db.settings, db.loadJournal], async () => {
    await backend.queue({ kind: 'unload-mac3', loadId: id, mac3: result.tac });
    await markSettled(db, id, nowOf(deps), result.tac);
  });
  await backend.send();
  card.facts = { ...card.facts, balanceFen: result.balanceFenAfter };
  return receiptOf(card, request, result, id, deps.terminalId);
}
