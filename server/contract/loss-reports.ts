/**
 * Loss reports 挂失 (docs/domain.md § Customer service, server/cards/loss-report.ts): the holder
 * proves who they are (a personal card: the customer's own ID document; a unit card: a letter of
 * introduction and its bearer), chooses what happens to the card's balance, and the loss takes
 * effect 2 working days later (the province's calendar, contract/calendar.ts): until then spending
 * is the customer's, and the report may be cancelled (解挂). Once effective the card is lost (on
 * the blacklist; no load takes it) and its purse mirror is frozen at what the ledger then holds.
 * Anonymous cards are never reported lost (ANONYMOUS_NO_LOSS_REPORT).
 */
import { z } from 'zod';
import { CardNo, DeviceId, EntityId, LedgerFen, OperationId } from './common.ts';

/** Working days between the report and its effect (the seed's rule). */
export const LOSS_EFFECT_WORKING_DAYS = 2;

/** What the customer chose at reporting: a new card carrying the balance, or the balance back to the quota account. */
export const LossChoice = z.enum(['replacement', 'refund']);
export type LossChoice = z.infer<typeof LossChoice>;

/** The identity checked at the counter: recorded with the report (and with its cancellation). */
export const LossIdentity = z.discriminatedUnion('kind', [
  /** A personal card: the ID document's number as presented; it must be the customer's own. */
  z.strictObject({ kind: z.literal('id_document'), idNo: z.string().trim().min(1).max(40) }),
  /** A unit card: the letter of introduction's reference, and the bearer it names with their ID number. */
  z.strictObject({
    kind: z.literal('intro_letter'),
    letterRef: z.string().trim().min(1).max(60),
    bearerName: z.string().trim().min(1).max(100),
    bearerIdNo: z.string().trim().min(1).max(40),
  }),
]);
export type LossIdentity = z.infer<typeof LossIdentity>;

export const LossReportRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  identity: LossIdentity,
  choice: LossChoice,
});
export type LossReportRequest = z.infer<typeof LossReportRequest>;

export const LossCancelRequest = z.strictObject({
  operationId: OperationId,
  identity: LossIdentity,
});
export type LossCancelRequest = z.infer<typeof LossCancelRequest>;

export const LossReportParams = z.strictObject({ id: z.uuid() });

/** pending: reported, not yet effective; effective: the card is lost; cancelled: 解挂 before the effect. */
export const LossReportState = z.enum(['pending', 'effective', 'cancelled']);
export type LossReportState = z.infer<typeof LossReportState>;

export const LossReportView = z.object({
  lossReportId: z.uuid(),
  cardNo: CardNo,
  customerId: EntityId,
  customerName: z.string(),
  customerKind: z.enum(['personal', 'unit']),
  state: LossReportState,
  choice: LossChoice,
  identity: LossIdentity,
  reportedAt: z.iso.datetime(),
  /** When the loss takes (or took) effect: the start of the day after the 2nd working day after the report, China time. */
  effectiveAt: z.iso.datetime(),
  cancelledAt: z.iso.datetime().nullable(),
  /** The ledger's mirror of the card's purse when the loss took effect (fen); null before. */
  frozenPurseFen: LedgerFen.nullable(),
  reportedBy: z.string(),
  reportedDevice: DeviceId.nullable(),
  cancelledBy: z.string().nullable(),
});
export type LossReportView = z.infer<typeof LossReportView>;

/** A card's loss reports, newest first. */
export const CardLossReports = z.object({
  cardNo: CardNo,
  reports: z.array(LossReportView),
});
export type CardLossReports = z.infer<typeof CardLossReports>;
