/**
 * Loads (圈存) and unloads (圈提), two-phase and proven by the card (docs/architecture.md decision 5):
 * INITIALIZE gives MAC1, the host checks it and answers MAC2 with the date and time it stamps,
 * CREDIT (or DEBIT FOR UNLOAD) gives the TAC. If the card leaves in between, `recoverOnline` asks
 * the card's online counter what happened and fetches the TAC with GET TRANSACTION PROVE.
 */
import { TRANS_TYPE } from '../crypto/index.ts';
import { creditForLoad, debitForUnload, getTransactionProve, initializeForLoad, initializeForUnload, type ProveOrder } from './card.ts';
import { PURSE, type Purse } from './spec.ts';
import type { Transmit } from './transport.ts';

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

export async function load(transmit: Transmit, f: OnlineOptions): Promise<OnlineResult> {
  const purse = f.purse ?? PURSE.ED;
  const init = await initializeForLoad(transmit, { purse, keyIndex: f.keyIndex ?? 1, amountFen: f.amountFen, terminalId: f.terminalId });
  const transType = purse === PURSE.ED ? TRANS_TYPE.LOAD_ED : TRANS_TYPE.LOAD_EP;
  const request: OnlineRequest = { transType, amountFen: f.amountFen, terminalId: f.terminalId, ...init };
  const auth = await f.host(request);
  const { tac } = await creditForLoad(transmit, auth);
  return { ...request, balanceFenAfter: init.balanceFen + f.amountFen, tac, date: auth.date, time: auth.time };
}

export async function unload(transmit: Transmit, f: OnlineOptions): Promise<OnlineResult> {
  const init = await initializeForUnload(transmit, { purse: f.purse ?? PURSE.ED, keyIndex: f.keyIndex ?? 1, amountFen: f.amountFen, terminalId: f.terminalId });
  const request: OnlineRequest = { transType: TRANS_TYPE.UNLOAD, amountFen: f.amountFen, terminalId: f.terminalId, ...init };
  const auth = await f.host(request);
  const { mac3 } = await debitForUnload(transmit, auth);
  return { ...request, balanceFenAfter: init.balanceFen - f.amountFen, tac: mac3, date: auth.date, time: auth.time };
}

export type RecoveryOutcome = { outcome: 'COMPLETED'; tac: string; onlineTtcNow: number } | { outcome: 'NOT_DONE'; onlineTtcNow: number };

/**
 * After a load or unload whose answer was lost: probe the online counter with a fresh INITIALIZE
 * FOR LOAD (nothing is committed without CREDIT) and compare with the TTC the pending operation got.
 * Advanced means the operation happened, and GET TRANSACTION PROVE gives its TAC.
 */
export async function recoverOnline(
  transmit: Transmit,
  f: { transType: number; onlineTtc: number; terminalId: string; amountFen: number; keyIndex?: number; order?: ProveOrder },
): Promise<RecoveryOutcome> {
  const probe = await initializeForLoad(transmit, { keyIndex: f.keyIndex ?? 1, amountFen: f.amountFen, terminalId: f.terminalId });
  if (probe.onlineTtc === f.onlineTtc) return { outcome: 'NOT_DONE', onlineTtcNow: probe.onlineTtc };
  const { tac } = await getTransactionProve(transmit, { transType: f.transType, ttc: f.onlineTtc, ...(f.order ? { order: f.order } : {}) });
  return { outcome: 'COMPLETED', tac, onlineTtcNow: probe.onlineTtc };
}
