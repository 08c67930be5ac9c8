/**
 * Anonymous cards (不记名卡, docs/domain.md "Anonymous cards"): a stock card initialised at the
 * outlet (its holder file written anonymous by a secure UPDATE BINARY the server MACs, then a MAC1
 * probe), sold (the card fee and a first amount in cash into the shift's drawer, the card active),
 * topped up with cash at any outlet (into its quota, loaded at once by the usual online load) and
 * upgraded to a named personal card (the buyer's details on the chip and in the card's customer
 * row, the customer's PIN set; the balance kept where it is). Every call is online and exactly once
 * by its operation id.
 */
import { z } from 'zod';
import { AmountFen, CardNo, EntityId, Hex4, OperationId, TerminalId } from './common.ts';
import { InitializeAnswer } from './loads.ts';
import { ISSUE_FEE_FEN_MAX, IssueFile } from './issue.ts';
import { PersonalCustomerFields } from './customers.ts';

/**
 * EF16 of an anonymous card (docs/card-protocol.md §3.2), as hex: a single-user customer card
 * (holder flag 01, employee flag 01) whose name, ID number and ID type are blank (zeros). A bureau
 * stock card's EF16 is all zeros; this one says the card was initialised as anonymous.
 */
export const ANONYMOUS_EF16 = `0101${'00'.repeat(39)}`;

export const AnonymousCardState = z.enum(['initialising', 'initialised', 'sold', 'upgraded']);
export type AnonymousCardState = z.infer<typeof AnonymousCardState>;

export const AnonymousCardParams = z.strictObject({ cardNo: CardNo });

export const AnonymousCardView = z.object({
  cardNo: CardNo,
  state: AnonymousCardState,
  /** Once sold: the card's customer (marked anonymous until the upgrade). */
  customerId: EntityId.nullable(),
  /** The 41 bytes of EF16 the card receives next (the anonymous holder, or the upgrade's), as hex. */
  ef16: z.string().regex(/^[0-9A-F]{82}$/),
  expiresOn: z
    .string()
    .regex(/^[0-9]{8}$/)
    .nullable(),
});
export type AnonymousCardView = z.infer<typeof AnonymousCardView>;

/** Initialise (初始化) one stock card of the operator's outlet as an anonymous card. */
export const AnonymousInitRequest = z.strictObject({ operationId: OperationId, cardNo: CardNo });
export type AnonymousInitRequest = z.infer<typeof AnonymousInitRequest>;

/** One secure write of an initialisation (EF16) or an upgrade (EF16, then EF1B), for the card's challenge. */
export const AnonymousWriteRequest = z.strictObject({ file: IssueFile, challenge: Hex4 });
export type AnonymousWriteRequest = z.infer<typeof AnonymousWriteRequest>;

const Probe = z.strictObject({
  terminalId: TerminalId,
  amountFen: z.number().int().min(0).max(4_294_967_295),
  answer: InitializeAnswer,
});

/** The card's read-back and an INITIALIZE FOR LOAD probe with the last write's probe challenge. */
export const AnonymousProofRequest = z.strictObject({
  operationId: OperationId,
  ef16: z.string().regex(/^[0-9A-Fa-f]{82}$/),
  pinMode: z.number().int().min(0).max(255),
  probe: Probe,
});
export type AnonymousProofRequest = z.infer<typeof AnonymousProofRequest>;

/** Sell (发售) an initialised card of the operator's outlet: the fee and a first amount, both cash. */
export const AnonymousSellRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  feeFen: z.number().int().min(0).max(ISSUE_FEE_FEN_MAX),
  /** Into the card's quota, to be loaded onto the card at once; 0 for none. */
  firstAmountFen: z.number().int().min(0).max(4_294_967_295),
});
export type AnonymousSellRequest = z.infer<typeof AnonymousSellRequest>;

/** Top up (充值) a sold anonymous card with cash: into its quota, loaded onto the card at once. */
export const AnonymousTopUpRequest = z.strictObject({ operationId: OperationId, cardNo: CardNo, amountFen: AmountFen });
export type AnonymousTopUpRequest = z.infer<typeof AnonymousTopUpRequest>;

export const AnonymousMoneyResponse = z.object({
  card: AnonymousCardView,
  /** The card's quota after the cash went in: what the load takes from. */
  quotaFen: z.number().int().min(0),
  /** The cash transfer (none for a sale without a first amount). */
  transferId: z.uuid().nullable(),
});
export type AnonymousMoneyResponse = z.infer<typeof AnonymousMoneyResponse>;

/** Upgrade (升级) a sold anonymous card to a named personal card: the buyer's details, checked as a customer's are. */
export const AnonymousUpgradeRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  details: PersonalCustomerFields,
});
export type AnonymousUpgradeRequest = z.infer<typeof AnonymousUpgradeRequest>;
