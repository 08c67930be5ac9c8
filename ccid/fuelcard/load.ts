/**
 * Loads (圈存) and unloads (圈提), two-phase and proven by the card (docs/architecture.md decision 5):
 * INITIALIZE gives MAC1, the host checks it and answers MAC2 with the date and time it stamps,
 * CREDIT (or DEBIT FOR UNLOAD) gives the TAC. If the card leaves in between, `probeOnline` asks
 * the card's online counter what happened and fetches the TAC with GET TRANSACTION PROVE.
 */
import { TRANS_TYPE } from '../crypto/index.ts';
import { creditForLoad, debitForUnload, getTransactionProve, initializeForLoad, initializeForUnload, type ProveOrder } from './card.ts';
import { PURSE, type Purse } from './spec.ts';
import type { Transmit } from './transport.ts';
import { FuelCardError } from './errors.ts';
import { SW } from './sw.ts';

/** What the card said at INITIALIZE, for the host to check MAC1 and compute MAC2. */
export type OnlineRequest = {
  transType: number;
  amountFen: number;
  terminalId: string;
  balanceFen: number;
  onlineTtc: number;
  keyVersion: number;
  algId: number;
  random: string;
  mac1: string;
};

/** The host's authorisation: MAC2 over amount, type, TID and the date and time it chose. */
export type HostAuthorisation = { mac2: string; date: string; time: string };
export type OnlineHost = (request: OnlineRequest) => Promise<HostAuthorisation>;

export type OnlineResult = OnlineRequest & { balanceFenAfter: number; tac: string; date: string; time: string };

type OnlineOptions = { amountFen: number; terminalId: string; host: OnlineHost; keyIndex?: number; purse?: Purse };

/** The two online transactions, by what the card's online counter orders. */
export type OnlineKind = 'load' | 'unload';

/**
 * The first half of a load or unload: INITIALIZE FOR LOAD (or UNLOAD) on the card, whose answer
 * (MAC1 over balance, counter and amount) the host checks before it answers MAC2. Nothing on the
 * card changes yet. A caller that keeps a journal writes it between `beginOnline` and `finishOnline`.
 */
export async function beginOnline(transmit: Transmit, kind: OnlineKind, f: Omit<OnlineOptions, 'host'>): Promise<OnlineRequest> {
  const purse = f.purse ?? PURSE.ED;
  const fields = { purse, keyIndex: f.keyIndex ?? 1, amountFen: f.amountFen, terminalId: f.terminalId };
  if (kind === 'unload')
    return {
      transType: TRANS_TYPE.UNLOAD,
      amountFen: f.amountFen,
      terminalId: f.terminalId,
      ...(await initializeForUnload(transmit, fields)),
    };
  const transType = purse === PURSE.ED ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.LOAD_EP;
  return { transType, amountFen: f.amountFen, terminalId: f.terminalId, ...(await initializeForLoad(transmit, fields)) };
}

/** The second half: CREDIT FOR LOAD (TAC) or DEBIT FOR UNLOAD (MAC3) with the host's MAC2. From the moment it is sent the card may hold the transaction. */
export async function finishOnline(transmit: Transmit, request: OnlineRequest, auth: HostAuthorisation): Promise<OnlineResult> {
  if (request.transType === TRANS_TYPE.UNLOAD) {
    const { mac3 } = await debitForUnload(transmit, auth);
    return { ...request, balanceFenAfter: request.balanceFen - request.amountFen, tac: mac3, date: auth.date, time: auth.time };
  }
  const { tac } = await creditForLoad(transmit, auth);
  return { ...request, balanceFenAfter: request.balanceFen + request.amountFen, tac, date: auth.date, time: auth.time };
}

export async function load(transmit: Transmit, f: OnlineOptions): Promise<OnlineResult> {
  const request = await beginOnline(transmit, 'load', f);
  return finishOnline(transmit, request, await f.host(request));
}

export async function unload(transmit: Transmit, f: OnlineOptions): Promise<OnlineResult> {
  const request = await beginOnline(transmit, 'unload', f);
  return finishOnline(transmit, request, await f.host(request));
}

/** INITIALIZE FOR LOAD's answer: balance, online counter, key version, algorithm, random, MAC1. */
export type InitializeAnswer = Awaited<ReturnType<typeof initializeForLoad>>;

/** What a probe of the card's online counter found for one earlier load or unload. */
export type ProbeResult = {
  /** The probe itself, for the host: INITIALIZE FOR LOAD of 0 fen under `terminalId`, its MAC1 over the counter. */
  probe: { amountFen: 0; terminalId: string; answer: InitializeAnswer };
  /** The counter moved past the transaction's: the card took it. */
  completed: boolean;
  /** GET TRANSACTION PROVE's answer when completed and the card still holds it; null otherwise (9406: a later transaction replaced it). */
  prove: { tac: string; mac: string } | null;
};

/**
 * The one probe rule for settling an earlier load or unload from the card (docs/architecture.md
 * decision 5, docs/ledger.md "Recovery"), used by every client: a fresh INITIALIZE FOR LOAD of 0 fen
 * (it commits nothing without CREDIT, and a full purse cannot refuse it) shows the online counter,
 * which loads and unloads share. Its terminal id is the transaction's probe challenge when the
 * caller knows it (only such a probe lets the host void the transaction on an unchanged counter),
 * else the caller's own. A counter past the transaction's means the card took it, and GET
 * TRANSACTION PROVE, asked with the transaction's own type, gives its TAC (or an unload's MAC3).
 * A counter at or below it means the card did not take it (below cannot come from the card's
 * genuine history; the host refuses such a probe).
 */
export async function probeOnline(
  transmit: Transmit,
  f: { transType: number; onlineTtc: number; terminalId: string; keyIndex?: number; order?: ProveOrder },
): Promise<ProbeResult> {
  const answer = await initializeForLoad(transmit, { keyIndex: f.keyIndex ?? 1, amountFen: 0, terminalId: f.terminalId });
  const probe = { amountFen: 0 as const, terminalId: f.terminalId, answer };
  if (answer.onlineTtc <= f.onlineTtc) return { probe, completed: false, prove: null };
  try {
    const prove = await getTransactionProve(transmit, { transType: f.transType, ttc: f.onlineTtc, ...(f.order ? { order: f.order } : {}) });
    return { probe, completed: true, prove };
  } catch (error) {
    if (error instanceof FuelCardError && error.sw === SW.REQUIRED_MAC_UNAVAILABLE) return { probe, completed: true, prove: null };
    throw error;
  }
}

export type RecoveryOutcome = { outcome: 'COMPLETED'; tac: string; onlineTtcNow: number } | { outcome: 'NOT_DONE'; onlineTtcNow: number };

/**
 * After a load or unload whose answer was lost, in the terms of one terminal that keeps no
 * journal (the CLI, the transcripts): `probeOnline`, and a card that took the transaction but no
 * longer holds its proof is an error here (the caller has nothing else to show for it).
 */
export async function recoverOnline(
  transmit: Transmit,
  f: { transType: number; onlineTtc: number; terminalId: string; keyIndex?: number; order?: ProveOrder },
): Promise<RecoveryOutcome> {
  const found = await probeOnline(transmit, f);
  const onlineTtcNow = found.probe.answer.onlineTtc;
  if (!found.completed) return { outcome: 'NOT_DONE', onlineTtcNow };
  // No proof held any more (9406): asked again, the card's own refusal is what the caller gets.
  const prove =
    found.prove ??
    (await getTransactionProve(transmit, { transType: f.transType, ttc: f.onlineTtc, ...(f.order ? { order: f.order } : {}) }));
  return { outcome: 'COMPLETED', tac: prove.tac, onlineTtcNow };
}
