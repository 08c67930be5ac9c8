/**
 * One load (圈存) at the kiosk, as docs/ledger.md "A load, step by step" lays it out:
 * INITIALIZE FOR LOAD on the card (MAC1) → the server checks and reserves, answers MAC2 → the
 * journal entry is written → CREDIT FOR LOAD (TAC) → the TAC is saved and queued for the server.
 * A refusal before CREDIT leaves nothing anywhere; a card that refuses CREDIT (MAC2 not accepted)
 * is settled at once from its counter, so the server's reservation is released on the card's
 * word, not on a timer.
 */
import { load, type HostAuthorisation, type OnlineRequest } from '../../ccid/fuelcard/load.ts';
import { FuelCardError } from '../../ccid/fuelcard/errors.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { newOperationId } from '../lib/outbox/ids.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { CardFacts } from '../lib/card/facts.ts';
import { journalLoad, markSettled } from '../lib/online/journal.ts';
import { recoverOnline } from '../lib/online/recovery.ts';
import { loadRefusalNotice } from './refusals.ts';
import type { KioskDeps } from './session.ts';
import type { LoadStep, Notice, Receipt } from './screens.ts';

export type LoadRunResult = { kind: 'loaded'; receipt: Receipt } | { kind: 'refused'; notice: Notice };

type LoadOptions = {
  transmit: Transmit;
  deps: KioskDeps;
  card: CardFacts;
  amountFen: number;
  onStep: (step: LoadStep) => void;
  nowMs: number;
};

export async function runLoad(options: LoadOptions): Promise<LoadRunResult> {
  const { deps, card, amountFen, onStep } = options;
  let loadId: string | undefined;
  const host = async (request: OnlineRequest): Promise<HostAuthorisation> => {
    onStep('server');
    const auth = await deps.backend.loadInitialise({ operationId: newOperationId(options.nowMs), cardNo: card.cardNo, ...request });
    loadId = auth.loadId;
    // Written before CREDIT FOR LOAD is sent: from here on the card may hold the money.
    await journalLoad(deps.db, { loadId, cardNo: card.cardNo, onlineTtc: request.onlineTtc, amountFen, terminalId: deps.terminalId, probeChallenge: auth.probeChallenge, createdAtMs: options.nowMs });
    onStep('credit');
    return auth;
  };
  onStep('card');
  let result;
  try {
    result = await load(options.transmit, { amountFen, terminalId: deps.terminalId, host });
  } catch (error) {
    if (error instanceof BackendError) return { kind: 'refused', notice: loadRefusalNotice(error.code) };
    if (error instanceof FuelCardError && loadId !== undefined) {
      // The card refused CREDIT FOR LOAD: settle from its counter right away.
      await recoverOnline({ transmit: options.transmit, db: deps.db, backend: deps.backend, cardNo: card.cardNo, server: null, terminalId: deps.terminalId, nowMs: options.nowMs });
      return { kind: 'refused', notice: { key: 'kiosk.load.card_refused', tone: 'error' } };
    }
    throw error;
  }
  onStep('confirm');
  const id = loadId!;
  // The TAC and the journal's end in one transaction: a crash leaves both or neither.
  const { db, backend } = deps;
  await db.transaction('rw', [db.outbox, db.settings, db.loadJournal], async () => {
    await backend.queue({ kind: 'tac', loadId: id, cardNo: card.cardNo, onlineTtc: result.onlineTtc, tac: result.tac });
    await markSettled(db, id, options.nowMs, result.tac);
  });
  await backend.send();
  return {
    kind: 'loaded',
    receipt: {
      cardNo: card.printedNo,
      holderName: card.holderName,
      amountFen,
      balanceFenBefore: result.balanceFen,
      balanceFenAfter: result.balanceFenAfter,
      onlineTtc: result.onlineTtc,
      terminalId: deps.terminalId,
      loadId: id,
      tac: result.tac,
      atIso: `${result.date.slice(0, 4)}-${result.date.slice(4, 6)}-${result.date.slice(6, 8)}T${result.time.slice(0, 2)}:${result.time.slice(2, 4)}:${result.time.slice(4, 6)}+08:00`,
    },
  };
}
