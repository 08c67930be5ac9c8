/**
 * One load (圈存) at the kiosk: the shared online-transaction client (src/lib/online/transaction.ts)
 * does the card and the server; this screen's part is what the customer is told. A refusal before
 * CREDIT leaves nothing anywhere; a card that refuses CREDIT is settled at once from its counter,
 * so the server's reservation is released on the card's word, not on a timer.
 */
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { CardFacts } from '../lib/card/facts.ts';
import { cardTimeIso } from '../lib/card/time.ts';
import { formatMoney } from '../lib/money.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { OnlineTransactionError, runOnlineTransaction, type OnlineStep, type OnlineTransactionResult } from '../lib/online/transaction.ts';
import type { KioskDeps } from './deps.ts';
import { loadRefusalNotice } from './refusals.ts';
import type { LoadStep, Notice, Receipt } from './screens.ts';
import type { StationInfo } from '../../server/contract/station.ts';

export type LoadRunResult =
  | { kind: 'loaded'; receipt: Receipt; loaded: OnlineTransactionResult }
  /** `cardChanged`: the card took the load after all (its answer was garbled): read it again. */
  | { kind: 'refused'; notice: Notice; cardChanged?: boolean };

/** The kiosk's screen steps, by the shared client's steps. */
const STEPS: Record<OnlineStep, LoadStep> = { card: 'card', server: 'server', write: 'credit', confirm: 'confirm' };

type LoadOptions = {
  transmit: Transmit;
  deps: KioskDeps;
  card: CardFacts;
  amountFen: number;
  onStep: (step: LoadStep) => void;
  nowMs: number;
  /** The station the receipt names (receipt.ts stationForReceipt), asked for when the session began. */
  station: Promise<StationInfo | null>;
};

export async function runLoad(options: LoadOptions): Promise<LoadRunResult> {
  const { deps, card, amountFen } = options;
  // The receipt's model is in the receipt's chunk, not the start bundle: fetched before the card or
  // the server is asked anything, so a missing chunk stops a load that has not begun.
  const { maskCardNo, maskHolderName } = await import('./receipt.ts');
  let loaded: OnlineTransactionResult;
  try {
    loaded = await runOnlineTransaction(
      { port: deps.backend, db: deps.db, terminalId: deps.terminalId, nowMs: options.nowMs },
      options.transmit,
      {
        kind: 'load',
        cardNo: card.cardNo,
        amountFen,
        onStep: (step) => options.onStep(STEPS[step]),
      },
    );
  } catch (error) {
    if (error instanceof BackendError) return { kind: 'refused', notice: loadRefusalNotice(error.code) };
    if (error instanceof OnlineTransactionError) {
      if (error.code === 'CARD_REFUSED') return { kind: 'refused', notice: { key: 'kiosk.load.card_refused', tone: 'error' } };
      if (error.code === 'CARD_TOOK_IT')
        return {
          kind: 'refused',
          notice: { key: 'kiosk.notice.recovered_completed', values: { amount: formatMoney(amountFen) }, tone: 'success' },
          cardChanged: true,
        };
      // The card left or the reader failed mid-CREDIT: the session ends and the card's next insertion tells.
      throw error.cause;
    }
    throw error;
  }
  const { card: result, loadId } = loaded;
  return {
    kind: 'loaded',
    loaded,
    receipt: {
      cardNoMasked: maskCardNo(card.printedNo),
      holderNameMasked: maskHolderName(card.holderName),
      amountFen,
      balanceFenBefore: result.balanceFen,
      balanceFenAfter: result.balanceFenAfter,
      onlineTtc: result.onlineTtc,
      terminalId: deps.terminalId,
      loadId,
      tac: result.tac,
      atIso: cardTimeIso(result.date, result.time),
      station: await options.station,
    },
  };
}
