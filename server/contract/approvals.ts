/**
 * A supervisor's approval of one amount of money at the counter (issue 11's limits on money): a
 * cash receipt above the installation's threshold carries the id of an approval an outlet
 * supervisor gave for that customer and amount. The supervisor signs in on the operator's tablet
 * (the usual sign-in, with its throttling), asks for the approval, and signs out again.
 */
import { z } from 'zod';
import { AmountFen, EntityId } from './common.ts';

export const ApprovalRequest = z.strictObject({
  purpose: z.enum(['receipt.cash', 'receipt.cheque']),
  customerId: EntityId,
  amountFen: AmountFen,
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalResponse = z.object({
  approvalId: z.uuid(),
  /** Until when the approval may be used (a receipt queued offline is still accepted if it reaches the server by then). */
  expiresAt: z.iso.datetime(),
});
export type ApprovalResponse = z.infer<typeof ApprovalResponse>;
