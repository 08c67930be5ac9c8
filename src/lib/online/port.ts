/**
 * What every client of online card transactions (a kiosk's load, an outlet's unload, and the
 * outlet's card work to come) needs from the central accounts: one port, implemented over HTTP by
 * `HttpOnlinePort` (./http.ts) and by in-memory fakes in tests. The card's answers travel in the
 * wire's own shapes (server/contract/loads.ts); the port adds no meaning of its own.
 */
import type { InitializeAnswer } from '../../../ccid/fuelcard/load.ts';
import type { OnlineBalances } from '../../../server/contract/loads.ts';

export type { InitializeAnswer, OnlineBalances };

/** The online transactions the card's online counter orders: loads (圈存) and unloads (圈提). */
export type OnlineKind = 'load' | 'unload';

/** Where an unload's money goes: the customer's quota, or a unit card's reserve. */
export type Destination = 'QUOTA' | 'RESERVE';

/**
 * INITIALIZE FOR LOAD (or UNLOAD) as the card answered it, and who asks: the server checks MAC1,
 * reserves the money and answers MAC2. The same operation id on every send of one transaction, so
 * a retry after a lost answer gets the first MAC2 back.
 */
export type OnlineInitialise = {
  kind: OnlineKind;
  operationId: string;
  cardNo: string;
  amountFen: number;
  terminalId: string;
  /** INITIALIZE's answer: its MAC1 authenticates balance and online counter. */
  card: InitializeAnswer;
  /** An unload's destination; a load's source account is the server's to choose from the card's role. */
  destination?: Destination;
};

/**
 * The server's MAC2 for the card, with the date and time it stamps, the challenge a probe of this
 * transaction must carry, and the balances once the card takes it (the server's word: the account
 * the money comes from or goes to, what that account then has available, and the purse mirror), so
 * no client works out the postings itself.
 */
export type OnlineAuthorisation = {
  loadId: string;
  mac2: string;
  date: string;
  time: string;
  probeChallenge: string;
  balances: OnlineBalances;
};

/**
 * The card's word on a pending transaction at a later contact (`load.recover`): the probe of its
 * online counter (ccid/fuelcard probeOnline) and, when the counter moved past the transaction's,
 * the proof if the card still holds it.
 */
export type RecoverSettlement = {
  kind: 'recover';
  loadId: string;
  cardNo: string;
  onlineTtc: number;
  /** `terminalId` is the transaction's challenge when known (only then can an unchanged counter void it), else this terminal's. */
  probe: { amountFen: 0; terminalId: string; answer: InitializeAnswer };
  prove?: { tac: string; mac: string };
};

/**
 * The card's proof of a transaction, for the server to settle it:
 * - `tac`: CREDIT FOR LOAD answered, its TAC proves the load (`load.complete`);
 * - `unload-mac3`: DEBIT FOR UNLOAD answered, its MAC3 proves the unload (`unload.complete`);
 * - `recover`: at a later contact, the counter and maybe the proof (`load.recover`, loads and unloads alike).
 */
export type CardProof =
  | { kind: 'tac'; loadId: string; cardNo: string; onlineTtc: number; tac: string }
  | { kind: 'unload-mac3'; loadId: string; mac3: string }
  | RecoverSettlement;

/** Where the card's proofs go: the device's outbox, then the server. */
export interface ProofSink {
  /**
   * Writes the proof to the outbox, durably, and sends nothing. It must touch only the outbox and
   * its settings: it runs inside the Dexie transaction that closes the journal entry it settles.
   */
  queue(proof: CardProof): Promise<void>;
  /** Sends what is queued, soon; never throws for the network. */
  send(): Promise<void>;
  /**
   * Sends what is queued now and resolves once the server has answered: true when nothing is left
   * queued (the server's accounts now include every proof), false when it could not be reached.
   * Never throws for the network.
   */
  flush(): Promise<boolean>;
}

/** The central accounts, as online card transactions see them. */
export interface OnlinePort extends ProofSink {
  /** MAC1 checked, the money reserved, MAC2 returned; throws BackendError (NETWORK when unreachable). */
  initialise(request: OnlineInitialise): Promise<OnlineAuthorisation>;
}
