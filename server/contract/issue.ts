/**
 * Opening an account and issuing a card (开户发卡, docs/domain.md "Issuing a card"): start (the
 * stock card bound to a customer, the card fee charged once) → write (the server builds each
 * secure UPDATE BINARY for the card's challenge: the holder file EF16, then the PIN mode of EF1B)
 * → complete (the card's read-back and a MAC1 probe made after the last write; the card becomes
 * active) or cancel (a supervisor; the fee given back). Every call is online: only the server
 * holds the maintenance key the writes are MACed with.
 */
import { z } from 'zod';
import { CardNo, EntityId, Hex4, OperationId, TerminalId } from './common.ts';
import { InitializeAnswer } from './loads.ts';

/** The most a card fee (工本费) may be, in fen: 1,000 yuan. */
export const ISSUE_FEE_FEN_MAX = 100_000;

/** EF16 as the card receives it (docs/card-protocol.md §3.2). */
export const IssueHolder = z.strictObject({
  /** Up to 20 GBK bytes (10 Chinese characters). */
  name: z.string().trim().min(1).max(20),
  /** 1 ID card, 2 driving licence, 3 officer card, 4 other. */
  idType: z.number().int().min(1).max(4),
  /** Up to 18 printable ASCII characters; empty for a holder without a document on file. */
  idNumber: z.string().regex(/^[!-~]{0,18}$/),
});
export type IssueHolder = z.infer<typeof IssueHolder>;

export const IssueStartRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  customerId: EntityId,
  role: z.enum(['single', 'main', 'sub']),
  /** A sub card's main card: an active main card of the same customer. Only for a sub card. */
  mainCardNo: CardNo.optional(),
  /**
   * The holder written to EF16. A personal customer's card carries the customer's own name and
   * document: leave it out (or send exactly those). A unit's card names its driver or holder.
   */
  holder: IssueHolder.optional(),
  feeFen: z.number().int().min(0).max(ISSUE_FEE_FEN_MAX),
});
export type IssueStartRequest = z.infer<typeof IssueStartRequest>;

export const IssueView = z.object({
  issueId: z.uuid(),
  cardNo: CardNo,
  customerId: EntityId,
  role: z.enum(['single', 'main', 'sub']),
  mainCardNo: CardNo.nullable(),
  /** 1 single-user, 2 multi-user card, with the holder, as EF16 receives them. */
  holderFlag: z.number().int().min(1).max(2),
  holder: IssueHolder,
  /** The 41 bytes of EF16 the card receives, as hex: the card reads back exactly these. */
  ef16: z.string().regex(/^[0-9A-F]{82}$/),
  feeFen: z.number().int().min(0).max(ISSUE_FEE_FEN_MAX),
  state: z.enum(['started', 'done', 'cancelled']),
  /** Once done: the card's expiry and its purse limit. */
  expiresOn: z
    .string()
    .regex(/^[0-9]{8}$/)
    .nullable(),
});
export type IssueView = z.infer<typeof IssueView>;

export const IssueParams = z.strictObject({ id: z.uuid() });

/** The files an issuance writes: the holder file, then EF1B byte 0 (the PIN mode: 01 customer PIN). */
export const IssueFile = z.enum(['EF16', 'EF1B']);
export type IssueFile = z.infer<typeof IssueFile>;

export const IssueWriteRequest = z.strictObject({
  file: IssueFile,
  /** GET CHALLENGE's 4 bytes, read from the card just before. */
  challenge: Hex4,
});
export type IssueWriteRequest = z.infer<typeof IssueWriteRequest>;

export const IssueWriteResponse = z.object({
  /** The whole UPDATE BINARY with MAC (04 D6 …) to send to the card as it is. */
  command: z.string().regex(/^(?:[0-9A-F]{2}){10,255}$/),
  /**
   * Drawn with this write: the terminal id of the INITIALIZE FOR LOAD probe that completes the
   * issuance, which proves the genuine card answered after this write was authorised.
   */
  probeChallenge: TerminalId,
});
export type IssueWriteResponse = z.infer<typeof IssueWriteResponse>;

export const IssueCompleteRequest = z.strictObject({
  operationId: OperationId,
  /** EF16 as read back from the card after the write (41 bytes, hex). */
  ef16: z.string().regex(/^[0-9A-Fa-f]{82}$/),
  /** EF1B byte 0 as read back: 1 (the customer's PIN). */
  pinMode: z.number().int().min(0).max(255),
  /** INITIALIZE FOR LOAD answered by the card with the last write's probe challenge as terminal id. */
  probe: z.strictObject({ terminalId: TerminalId, amountFen: z.number().int().min(0).max(4_294_967_295), answer: InitializeAnswer }),
});
export type IssueCompleteRequest = z.infer<typeof IssueCompleteRequest>;

export const IssueCancelRequest = z.strictObject({
  operationId: OperationId,
  reason: z.string().trim().min(1).max(200),
});
export type IssueCancelRequest = z.infer<typeof IssueCancelRequest>;
