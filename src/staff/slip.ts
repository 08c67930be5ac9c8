/**
 * What a money slip (凭条) prints, one shape for the counter operations (a card's issue prints its
 * fee, a pre-allocation its total): the amount in
 * figures and in capitals (moneyInCapitals), who, where, when, and the reference the ledger
 * knows it by (the operation id, or the load id of a card transaction).
 */
import type { Destination } from './backend.ts';

export type Slip = {
  kind: 'receipt' | 'cheque' | 'load' | 'unload' | 'issue' | 'preallocation' | 'anonymous_sell' | 'anonymous_topup' | 'anonymous_upgrade';
  /** The cash taken; an anonymous card's upgrade takes none and prints the balance it keeps. */
  amountFen: number;
  /** When it happened: the card's own time for card work (ISO), the server's answer for a receipt (ms). */
  at: string | number;
  operatorName: string;
  outletName: string;
  terminalId: string;
  /** The operation id (receipt, pre-allocation), the load id (load, unload) or the issue id (issue). */
  reference: string;
  customerName: string;
  cardNo?: string;
  balanceBeforeFen?: number;
  balanceAfterFen?: number;
  /** The customer's quota after a receipt, when the server said. */
  quotaAfterFen?: number | null;
  destination?: Destination;
  /** The supervisor who approved a large receipt. */
  approvedBy?: string;
  /** A cheque receipt's cheque, as written on it. */
  cheque?: { bank: string; chequeNo: string; chequeDate: string };
  /** An anonymous card's sale: the card fee and the first amount, which together are `amountFen`. */
  feeFen?: number;
  loadFen?: number;
  /** The cash went into the card's quota but the load did not finish: a counter load (圈存) puts it on the card. */
  loadPending?: boolean;
  /** Queued, not yet answered by the server (offline): the slip says so. */
  queued?: boolean;
};
