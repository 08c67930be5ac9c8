/**
 * The load (圈存) and unload (圈提) protocol (docs/architecture.md decision 5, docs/ledger.md
 * "A load, step by step"): initialise with the card's INITIALIZE answer → MAC2; complete with the
 * card's TAC (or unload MAC3) → posted; recover from the card's counter and GET TRANSACTION PROVE
 * after an interruption.
 */
import { z } from 'zod';
import { AmountFen, BalanceFen, Byte, CardNo, Counter16, Hex4, LedgerFen, OperationId, TerminalId } from './common.ts';

/** The card's INITIALIZE FOR LOAD / UNLOAD answer: bal(4) onlineTTC(2) keyVer(1) algId(1) rand(4) MAC1(4). */
export const InitializeAnswer = z.strictObject({
  balanceFen: BalanceFen,
  onlineTtc: Counter16,
  keyVersion: Byte,
  algId: Byte,
  random: Hex4,
  mac1: Hex4,
});
export type InitializeAnswer = z.infer<typeof InitializeAnswer>;

export const LoadInitialiseRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  amountFen: AmountFen,
  /**
   * Best left out: the server loads from the account the card's role loads from, which it knows
   * (a single-user card: its customer's QUOTA; a card of a multi-user customer, main or sub: its
   * own RESERVE) and names in the answer's `balances.account`. Named, it must be that one
   * (SOURCE_ACCOUNT_INVALID otherwise).
   */
  sourceAccount: z
    .enum(['QUOTA', 'RESERVE'])
    .optional()
    .describe(
      "Optional: when absent the server loads from the account the card's role loads from (single: QUOTA; main or sub: RESERVE); when named it must be that one",
    ),
  terminalId: TerminalId,
  /** ED (电子存折, the fuel purse, default) or EP. */
  purse: z.enum(['ED', 'EP']).optional(),
  card: InitializeAnswer,
});
export type LoadInitialiseRequest = z.infer<typeof LoadInitialiseRequest>;

export const UnloadInitialiseRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  amountFen: AmountFen,
  destinationAccount: z.enum(['QUOTA', 'RESERVE']),
  terminalId: TerminalId,
  card: InitializeAnswer,
});
export type UnloadInitialiseRequest = z.infer<typeof UnloadInitialiseRequest>;

export const LoadView = z.object({
  loadId: z.uuid(),
  kind: z.enum(['load', 'unload']),
  cardNo: CardNo,
  onlineTtc: Counter16,
  amountFen: AmountFen,
  balanceFenAfter: BalanceFen,
  state: z.enum(['pending', 'posted', 'voided']),
  settledBy: z.enum(['tac', 'prove', 'counter_advanced', 'counter_unchanged']).nullable(),
  /**
   * While pending: what a recovery probe puts in INITIALIZE FOR LOAD's terminal-id field. Drawn by
   * the server with the MAC2; only a probe whose MAC1 covers it can void the transaction (a card
   * answer made before the MAC2 existed cannot). Null once settled.
   */
  probeChallenge: TerminalId.nullable(),
});
export type LoadView = z.infer<typeof LoadView>;

/**
 * The balances behind the card as they will stand once the card takes the transaction (its TAC
 * or MAC3 posts it), worked out by the server with the reservation, under the card's lock. One
 * shape for loads and unloads: `account` is the customer account the money comes from (a load's
 * source) or goes to (an unload's destination), `accountAvailableFen` what may be spent from it
 * then (for a load, already so once reserved; for an unload, once posted), and `purseMirrorFen`
 * the ledger's mirror of the card's purse then (its posted balance ± the amount). A transaction
 * the card does not take (voided from its counter) leaves both as they were before it.
 */
export const OnlineBalances = z
  .object({
    account: z.enum(['QUOTA', 'RESERVE']),
    accountAvailableFen: LedgerFen,
    purseMirrorFen: LedgerFen,
  })
  .describe(
    'Balances once the card takes the transaction: the source (load) or destination (unload) account available, and the purse mirror',
  );
export type OnlineBalances = z.infer<typeof OnlineBalances>;

export const LoadInitialiseResponse = z.object({
  load: LoadView,
  /** What the customer account and the purse mirror will show once the card takes this transaction. */
  balances: OnlineBalances,
  /** For CREDIT FOR LOAD / DEBIT FOR UNLOAD: MAC2 and the date (YYYYMMDD) and time (HHMMSS) it covers. */
  mac2: Hex4,
  date: z.string().regex(/^[0-9]{8}$/),
  time: z.string().regex(/^[0-9]{6}$/),
  /** An older pending load of this card that this initialise settled first, from the card's counter. */
  settledPrevious: LoadView.nullable(),
});
export type LoadInitialiseResponse = z.infer<typeof LoadInitialiseResponse>;

export const LoadCompleteRequest = z.strictObject({
  loadId: z.uuid(),
  /** CREDIT FOR LOAD's TAC, or DEBIT FOR UNLOAD's MAC3. */
  tac: Hex4,
});
export type LoadCompleteRequest = z.infer<typeof LoadCompleteRequest>;

export const LoadCompleteResponse = z.object({ load: LoadView });
export type LoadCompleteResponse = z.infer<typeof LoadCompleteResponse>;

/**
 * After an interruption: a fresh INITIALIZE FOR LOAD (its MAC1 authenticates the card's counter)
 * and, when the counter moved on, the GET TRANSACTION PROVE answer for the pending transaction.
 * To void (counter unchanged) the recovery must name the load and its probe must carry the load's
 * `probeChallenge` as terminal id; otherwise it is refused with PROBE_NOT_FRESH, nothing changed.
 */
export const LoadRecoverRequest = z.strictObject({
  cardNo: CardNo,
  /** The pending load this recovery was made for; a recovery for a load already settled changes nothing. */
  loadId: z.uuid().optional(),
  probe: z.strictObject({
    amountFen: z.number().int().min(0).max(4_294_967_295),
    terminalId: TerminalId,
    purse: z.enum(['ED', 'EP']).optional(),
    answer: InitializeAnswer,
  }),
  prove: z.strictObject({ tac: Hex4, mac: Hex4.optional() }).optional(),
});
export type LoadRecoverRequest = z.infer<typeof LoadRecoverRequest>;

export const LoadRecoverResponse = z.object({ settled: LoadView.nullable() });
export type LoadRecoverResponse = z.infer<typeof LoadRecoverResponse>;
