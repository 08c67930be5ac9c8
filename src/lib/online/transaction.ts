/**
 * One online card transaction, load (圈存) or unload (圈提), for every client (kiosk, outlet
 * tablet), as docs/ledger.md "A load, step by step" lays it out:
 *
 *   INITIALIZE on the card (MAC1) → the server checks and reserves, answers MAC2 → the journal
 *   entry is written → CREDIT FOR LOAD / DEBIT FOR UNLOAD (TAC / MAC3) → the proof is queued for
 *   the server in the same Dexie transaction that closes the journal entry, and sent.
 *
 * What each failure leaves, and how the caller hears of it:
 * - before the journal (the server refused, the link is down, the card refused INITIALIZE, the
 *   card left): nothing anywhere on the device, and the error is rethrown as it came (BackendError,
 *   FuelCardError, the reader's error). A NETWORK failure may leave a pending transaction on the
 *   server; the card's counter settles it at its next contact, as a lost answer does.
 * - after the journal, the card answered its write with an error: the card is asked at once by
 *   the probe rule (src/lib/online/recovery.ts) and `OnlineTransactionError` says whether it took
 *   the transaction (CARD_TOOK_IT, its proof queued) or not (CARD_REFUSED, the reservation released
 *   on the card's word).
 * - after the journal, the exchange broke (the card left, the reader failed), or the card could
 *   not be asked: `OnlineTransactionError` INTERRUPTED. The card may hold the transaction; its
 *   next insertion at any kiosk or tablet settles it from the counter. Never "failed".
 * Nothing is voided on a timer: only the card's own answer settles a transaction.
 */
import { FuelCardError } from '../../../ccid/fuelcard/errors.ts';
import { beginOnline, finishOnline, type OnlineResult } from '../../../ccid/fuelcard/load.ts';
import type { Transmit } from '../../../ccid/fuelcard/transport.ts';
import { isCcidError } from '../../../ccid/usb/index.ts';
import type { DeviceDatabase } from '../device-db/database.ts';
import { BackendError } from '../net/backend-error.ts';
import { newOperationId } from '../outbox/ids.ts';
import { journalLoad, journalUnload, markSettled } from './journal.ts';
import type { Destination, OnlineAuthorisation, OnlineInitialise, OnlineKind, OnlinePort } from './port.ts';
import { settleFromCard } from './recovery.ts';

/** Where the transaction is, for the screen: reading the card, asking the server, writing the card, confirming. */
export type OnlineStep = 'card' | 'server' | 'write' | 'confirm';

export type OnlineTransactionRequest = {
  kind: OnlineKind;
  cardNo: string;
  amountFen: number;
  /** An unload's destination account. */
  destination?: Destination;
  onStep?: (step: OnlineStep) => void;
};

export type OnlineTransactionDeps = {
  port: OnlinePort;
  /** The device's database; the port's outbox must write to this same database. */
  db: DeviceDatabase;
  /** 12 hex digits: the terminal id the card writes into its log and MACs. */
  terminalId: string;
  nowMs: number;
  /**
   * Sends of the initialise (the same operation id each time) while the server cannot be reached
   * or is busy, before the caller hears of it; 1 sends once.
   */
  initialiseAttemptCountMax?: number;
};

/** A transaction the card took: its answer, the server's authorisation and the id both share. */
export type OnlineTransactionResult = {
  loadId: string;
  /** The card's side: balance before and after, online counter, the card's TAC or MAC3, the server's date and time. */
  card: OnlineResult;
  authorisation: OnlineAuthorisation;
};

export const ONLINE_TRANSACTION_ERROR = {
  /** The card answered its write with an error and, asked at once, had not taken it: nothing moved. */
  CARD_REFUSED: 'CARD_REFUSED',
  /** The card answered its write badly but, asked at once, had taken it: its proof is queued. */
  CARD_TOOK_IT: 'CARD_TOOK_IT',
  /** The exchange broke after the journal entry: the card's next insertion tells. */
  INTERRUPTED: 'INTERRUPTED',
} as const;
export type OnlineTransactionErrorCode = (typeof ONLINE_TRANSACTION_ERROR)[keyof typeof ONLINE_TRANSACTION_ERROR];

/** A failure once the journal entry exists, i.e. once the card may hold the transaction. */
export class OnlineTransactionError extends Error {
  readonly code: OnlineTransactionErrorCode;
  readonly loadId: string;
  /** The card's status word, when the card answered its write with an error. */
  readonly sw: number | undefined;

  constructor(code: OnlineTransactionErrorCode, loadId: string, message: string, detail: { sw?: number; cause?: unknown } = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.name = 'OnlineTransactionError';
    this.code = code;
    this.loadId = loadId;
    this.sw = detail.sw;
  }
}

/** A broken invariant of this module's own code: a programmer error, never the world's. */
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Worth another send of the same initialise: no answer, or the server busy or restarting. */
function retryable(error: BackendError): boolean {
  return error.offline || error.code === 'UNAVAILABLE' || error.code === 'DATABASE_UNAVAILABLE' || /^HTTP_5\d\d$/.test(error.code);
}

async function initialise(deps: OnlineTransactionDeps, request: OnlineInitialise): Promise<OnlineAuthorisation> {
  const attempts = deps.initialiseAttemptCountMax ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.port.initialise(request);
    } catch (error) {
      if (!(error instanceof BackendError) || !retryable(error) || attempt >= attempts) throw error;
    }
  }
}

/** The card answered its write with an error: ask it now, by its counter, whether it took the transaction. */
async function settleAfterCardError(
  deps: OnlineTransactionDeps,
  transmit: Transmit,
  request: OnlineTransactionRequest,
  loadId: string,
  error: FuelCardError,
): Promise<OnlineTransactionError> {
  try {
    const report = await settleFromCard({
      transmit,
      db: deps.db,
      backend: deps.port,
      cardNo: request.cardNo,
      server: null,
      terminalId: deps.terminalId,
      nowMs: deps.nowMs,
    });
    const settled = report.transactions.find((t) => t.loadId === loadId);
    if (settled?.completed)
      return new OnlineTransactionError(
        'CARD_TOOK_IT',
        loadId,
        `the card answered its ${request.kind} write badly but took it; its proof is queued`,
        { sw: error.sw, cause: error },
      );
    return new OnlineTransactionError('CARD_REFUSED', loadId, `the card refused its ${request.kind} write; the reservation is released`, {
      sw: error.sw,
      cause: error,
    });
  } catch (recoveryError) {
    if (recoveryError instanceof FuelCardError || isCcidError(recoveryError))
      return new OnlineTransactionError('INTERRUPTED', loadId, 'the card could not be asked; it is settled at its next insertion', {
        cause: recoveryError,
      });
    throw recoveryError;
  }
}

/**
 * Runs one load or unload on the card in `transmit` (see the module comment for what each failure
 * leaves). Resolves once the card has written and its proof is queued and sent.
 */
export async function runOnlineTransaction(
  deps: OnlineTransactionDeps,
  transmit: Transmit,
  request: OnlineTransactionRequest,
): Promise<OnlineTransactionResult> {
  const { kind, cardNo, amountFen } = request;
  assert(Number.isSafeInteger(amountFen) && amountFen > 0, 'an online transaction moves a positive number of fen');
  assert(kind === 'load' || request.destination !== undefined, 'an unload names its destination');
  const onStep = request.onStep ?? (() => {});
  const operationId = newOperationId(deps.nowMs);
  onStep('card');
  const init = await beginOnline(transmit, kind, { amountFen, terminalId: deps.terminalId });
  onStep('server');
  const { balanceFen, onlineTtc, keyVersion, algId, random, mac1 } = init;
  const card = { balanceFen, onlineTtc, keyVersion, algId, random, mac1 };
  const auth = await initialise(deps, {
    kind,
    operationId,
    cardNo,
    amountFen,
    terminalId: deps.terminalId,
    card,
    ...(request.destination ? { destination: request.destination } : {}),
  });
  // Written before the card write is sent: from here on the card may hold the transaction.
  const entry = {
    loadId: auth.loadId,
    cardNo,
    onlineTtc,
    amountFen,
    terminalId: deps.terminalId,
    probeChallenge: auth.probeChallenge,
    createdAtMs: deps.nowMs,
  };
  if (kind === 'load') await journalLoad(deps.db, entry);
  else await journalUnload(deps.db, { ...entry, destination: request.destination!, operationId, balanceFenBefore: balanceFen });
  onStep('write');
  let result: OnlineResult;
  try {
    result = await finishOnline(transmit, init, auth);
  } catch (error) {
    if (error instanceof FuelCardError) throw await settleAfterCardError(deps, transmit, request, auth.loadId, error);
    if (isCcidError(error))
      throw new OnlineTransactionError(
        'INTERRUPTED',
        auth.loadId,
        `the card left during the ${kind}; it is settled at its next insertion`,
        { cause: error },
      );
    throw error;
  }
  const moved = kind === 'load' ? amountFen : -amountFen;
  assert(result.balanceFenAfter === result.balanceFen + moved, 'the purse moves by the amount');
  onStep('confirm');
  const { db, port } = deps;
  // The proof and the journal's end in one transaction: a crash leaves both or neither.
  await db.transaction('rw', [db.outbox, db.settings, db.loadJournal], async () => {
    if (kind === 'load') await port.queue({ kind: 'tac', loadId: auth.loadId, cardNo, onlineTtc: result.onlineTtc, tac: result.tac });
    else await port.queue({ kind: 'unload-mac3', loadId: auth.loadId, mac3: result.tac });
    await markSettled(db, auth.loadId, deps.nowMs, result.tac);
  });
  await port.send();
  return { loadId: auth.loadId, card: result, authorisation: auth };
}
