/**
 * Selling (发售) and topping up (充值) an anonymous card at the outlet tablet, headless (docs/domain.md
 * "Anonymous cards"): the cash goes to the server first (the fee and a first amount, or the top-up,
 * into the drawer of the clerk's shift and on into the card's quota, exactly once by the operation
 * id), then the amount is loaded onto the card at once by the counter load (src/staff/load.ts),
 * with its recovery: a card pulled during the load is settled at its next insertion.
 *
 * Should the load fail after the cash was taken, the money waits in the card's quota, nothing lost:
 * the result carries the load's error and the clerk loads it with a counter load (圈存).
 */
import { readStockCard } from '../../ccid/fuelcard/issue-holder.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { ANONYMOUS_EF16, ISSUE_FEE_FEN_MAX } from '../../server/contract/index.ts';
import type { AnonymousBackend } from './anonymous-backend.ts';
import { ANONYMOUS_ERROR, AnonymousError } from './anonymous.ts';
import { STAFF_ERROR, StaffError, toStaffError } from './errors.ts';
import { runLoad, type LoadReceipt, type LoadStep } from './load.ts';
import { openCard, type StaffDeps } from './open-card.ts';

export type MoneyStep = 'read' | 'server' | 'open' | LoadStep;

export type AnonymousMoneyReceipt = {
  cardNo: string;
  /** The server's reference of the cash (the operation id). */
  operationId: string;
  feeFen: number;
  amountFen: number;
  /** The quota after the cash went in (before the load takes it). */
  quotaFen: number;
  /** The load, or null (no amount, or the load failed: see loadError). */
  load: LoadReceipt | null;
  /** Why the amount was not loaded: it waits in the card's quota for a counter load. */
  loadError: StaffError | null;
};

type Common = { transmit: Transmit; onStep?: (step: MoneyStep) => void; newOperationId?: () => string };

function checkFen(value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${value} is not a whole number of fen from ${min} to ${max}`);
}

async function loadNow(deps: StaffDeps, transmit: Transmit, amountFen: number, onStep: (s: MoneyStep) => void) {
  try {
    onStep('open');
    const card = await openCard(deps, transmit);
    return { load: await runLoad(deps, card, { amountFen, onStep }), loadError: null };
  } catch (error) {
    return { load: null, loadError: toStaffError(error) };
  }
}

/** Sells the initialised anonymous card in the reader: the fee and the first amount in cash, the amount loaded at once. */
export async function runSell(
  deps: StaffDeps,
  backend: AnonymousBackend,
  request: Common & { feeFen: number; firstAmountFen: number },
): Promise<AnonymousMoneyReceipt> {
  checkFen(request.feeFen, 0, ISSUE_FEE_FEN_MAX);
  checkFen(request.firstAmountFen, 0, Number.MAX_SAFE_INTEGER);
  const onStep = request.onStep ?? (() => {});
  const operationId = (request.newOperationId ?? (() => crypto.randomUUID()))();
  let sold;
  let cardNo: string;
  try {
    onStep('read');
    const card = await readStockCard(request.transmit);
    if (card.ef16 !== ANONYMOUS_EF16) throw new AnonymousError(ANONYMOUS_ERROR.NOT_ANONYMOUS, 'not an initialised anonymous card');
    cardNo = card.ef15.asn;
    onStep('server');
    sold = await backend.sell({ operationId, cardNo, feeFen: request.feeFen, firstAmountFen: request.firstAmountFen });
  } catch (error) {
    if (error instanceof AnonymousError) throw error;
    throw toStaffError(error);
  }
  const loaded =
    request.firstAmountFen > 0 ? await loadNow(deps, request.transmit, request.firstAmountFen, onStep) : { load: null, loadError: null };
  return { cardNo, operationId, feeFen: request.feeFen, amountFen: request.firstAmountFen, quotaFen: sold.quotaFen, ...loaded };
}

/** Tops up the sold anonymous card in the reader with cash, loaded at once. */
export async function runTopUp(
  deps: StaffDeps,
  backend: AnonymousBackend,
  request: Common & { amountFen: number },
): Promise<AnonymousMoneyReceipt> {
  checkFen(request.amountFen, 1, Number.MAX_SAFE_INTEGER);
  const onStep = request.onStep ?? (() => {});
  const operationId = (request.newOperationId ?? (() => crypto.randomUUID()))();
  let topped;
  let cardNo: string;
  try {
    // Opened first: an interrupted load of this card is settled before more money goes in.
    onStep('open');
    const card = await openCard(deps, request.transmit);
    cardNo = card.facts.cardNo;
    onStep('server');
    topped = await backend.topUp({ operationId, cardNo, amountFen: request.amountFen });
  } catch (error) {
    throw toStaffError(error);
  }
  const loaded = await loadNow(deps, request.transmit, request.amountFen, onStep);
  return { cardNo, operationId, feeFen: 0, amountFen: request.amountFen, quotaFen: topped.quotaFen, ...loaded };
}
