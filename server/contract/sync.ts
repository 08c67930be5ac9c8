/**
 * The exactly-once sync API (docs/architecture.md decision 4). A device pushes numbered operations;
 * each gets one result; a replay gets the first result back; a gap in `seq` stops the batch; a
 * business refusal is a result, not a blocked queue. Pull gives what a device needs to work
 * offline.
 *
 * Both carry `contractVersion` in the request and in the answer (version.ts): a push or pull of
 * another version than the server's is refused whole with CONTRACT_VERSION_MISMATCH before any
 * operation is looked at, and the app refuses an answer of another version, so a device never
 * records a refusal that is only a version's as a business answer.
 */
import { z } from 'zod';
import { AmountFen, CardNo, DeviceId, EntityId, OperationId } from './common.ts';
import { CardSummary } from './cards.ts';
import { ErrorCode } from './errors.ts';
import { ContractVersion } from './version.ts';
import { OperationMaker } from './maker.ts';
import { LoadCompleteRequest, LoadRecoverRequest, LoadView } from './loads.ts';
import { CustomerCreatePayload, CustomerUpdatePayload } from './customers.ts';
import { ChequeReceiptPayload, ReversalPayload, ShiftClosePayload, ShiftOpenPayload } from './shifts.ts';

export const CashReceiptPayload = z.strictObject({
  customerId: EntityId,
  amountFen: AmountFen,
  /** Above the installation's approval threshold, taken by someone who is not a supervisor: a supervisor's approval of this customer and amount. */
  approvalId: z.uuid().optional(),
});
export const PreallocationPayload = z.strictObject({
  customerId: EntityId,
  allocations: z
    .array(z.strictObject({ cardNo: CardNo, amountFen: AmountFen }))
    .min(1)
    .max(64),
});
export const InquiryPayload = z.strictObject({ cardNo: CardNo });

export const OperationType = z.enum([
  'receipt.cash',
  'preallocation',
  'load.complete',
  'load.recover',
  'unload.complete',
  'inquiry',
  'customer.create',
  'customer.update',
  'shift.open',
  'shift.close',
  'receipt.cheque',
  'reversal',
]);
export type OperationType = z.infer<typeof OperationType>;

/** The payload schema of each operation type: one for every type, and none without its type. */
export const OPERATION_PAYLOADS = {
  'receipt.cash': CashReceiptPayload,
  preallocation: PreallocationPayload,
  'load.complete': LoadCompleteRequest,
  'load.recover': LoadRecoverRequest,
  /** An unload's MAC3 saved on the tablet and sent when the link came back (outlet staff only). */
  'unload.complete': LoadCompleteRequest,
  inquiry: InquiryPayload,
  /** A new customer of the operator's outlet (outlet staff only). */
  'customer.create': CustomerCreatePayload,
  /** An edit of a customer's details, by its own outlet's staff only; recorded as a revision. */
  'customer.update': CustomerUpdatePayload,
  /** The operator opens a shift with the float counted (outlet staff only; one open shift per operator). */
  'shift.open': ShiftOpenPayload,
  /** The operator closes its own open shift with the cash counted; over or short is recorded and posted. */
  'shift.close': ShiftClosePayload,
  /** A cheque into a customer's quota at its own outlet (outlet staff only). */
  'receipt.cheque': ChequeReceiptPayload,
  /** A supervisor's reversal of a receipt or pre-allocation, with a reason. */
  reversal: ReversalPayload,
} as const satisfies Record<OperationType, z.ZodType>;
/** The payload an operation of type T is sent with (OPERATION_PAYLOADS[T]'s input): what a device's outbox holds for it. */
export type OperationPayload<T extends OperationType> = z.input<(typeof OPERATION_PAYLOADS)[T]>;

export const PushOperation = z.strictObject({
  id: OperationId,
  deviceId: DeviceId,
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  type: OperationType,
  /** Checked against OPERATION_PAYLOADS[type]; a bad payload is a rejected result, not a failed push. */
  payload: z.unknown(),
  /** Who made it: an operator's session on this device, with its proof (maker.ts); none = the sender's session. */
  maker: OperationMaker.optional(),
});
export type PushOperation = z.infer<typeof PushOperation>;

export const PushRequest = z.strictObject({ contractVersion: ContractVersion, operations: z.array(PushOperation).min(1).max(100) });
export type PushRequest = z.infer<typeof PushRequest>;

export const PushResult = z.object({
  id: OperationId,
  seq: z.number().int(),
  /** not_applied: the batch stopped before this operation (send it again later). */
  status: z.enum(['applied', 'rejected', 'not_applied']),
  /** True when this is the stored first result of an operation applied before. */
  replayed: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: ErrorCode, message: z.string() }).optional(),
});
export type PushResult = z.infer<typeof PushResult>;

export const PushResponse = z.object({
  /** The server's CONTRACT_VERSION; the app refuses an answer of another. */
  contractVersion: ContractVersion,
  lastSeq: z.number().int().min(0),
  results: z.array(PushResult),
  stopped: z.object({ seq: z.number().int(), reason: z.enum(['SEQ_GAP', 'SEQ_CONFLICT']), expectedSeq: z.number().int() }).nullable(),
});
export type PushResponse = z.infer<typeof PushResponse>;

export const PullRequest = z.strictObject({ contractVersion: ContractVersion, cardNos: z.array(CardNo).max(50) });
export type PullRequest = z.infer<typeof PullRequest>;

export const PullResponse = z.object({
  /** The server's CONTRACT_VERSION; the app refuses an answer of another. */
  contractVersion: ContractVersion,
  serverTime: z.iso.datetime(),
  deviceId: DeviceId,
  lastSeq: z.number().int().min(0),
  cards: z.array(CardSummary),
  pendingLoads: z.array(LoadView),
  lists: z.object({ blacklistVersion: z.string(), greylistVersion: z.string() }),
});
export type PullResponse = z.infer<typeof PullResponse>;
