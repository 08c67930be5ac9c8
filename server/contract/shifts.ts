/**
 * Shifts (班次) and cash drawers, cheque receipts and supervisors' reversals (冲正): the push
 * operations' payloads (registered in sync.ts OPERATION_PAYLOADS) and the tablet's status bar
 * answer (GET /api/v1/shifts/current). Money moved at the counter goes through the drawer of the
 * operator's open shift (docs/ledger.md "Shifts and drawers"); a refusal without one is
 * SHIFT_NOT_OPEN.
 */
import { z } from 'zod';
import { AmountFen, DeviceId, EntityId, OperationId } from './common.ts';

/** An amount of counted cash in fen: zero allowed (an empty drawer), within a card's 4-byte field. */
export const CountedFen = z.number().int().min(0).max(4_294_967_295);

/** `shift.open`: the operator opens a shift on this tablet with the opening float counted into the drawer. */
export const ShiftOpenPayload = z.strictObject({ openingFloatFen: CountedFen });
/** `shift.close`: the operator's own open shift, with the cash counted in the drawer and an optional note (over or short explained). */
export const ShiftClosePayload = z.strictObject({
  countedFen: CountedFen,
  note: z.string().trim().min(1).max(200).optional(),
});

/** A calendar date as the cheque carries it. */
export const IsoDate = z.iso.date();

/** `receipt.cheque`: a cheque taken at the customer's own outlet into its quota; a cheque (bank and number) is taken once only. */
export const ChequeReceiptPayload = z.strictObject({
  customerId: EntityId,
  amountFen: AmountFen,
  /** The drawee bank as written on the cheque. */
  bank: z.string().trim().min(1).max(60),
  /** The cheque's number (digits, letters, dashes). */
  chequeNo: z.string().regex(/^[0-9A-Za-z-]{1,30}$/),
  chequeDate: IsoDate,
  /** As for a cash receipt: above the approval threshold, taken by someone who is not a supervisor. */
  approvalId: z.uuid().optional(),
});

/**
 * `reversal`: a supervisor reverses an applied receipt.cash, receipt.cheque or preallocation by the
 * original's operation id (made by `deviceId`; the supervisor's own device when left out), with a
 * reason. Posted as mirror transfers coded REVERSAL; an operation is reversed once only.
 */
export const ReversalPayload = z.strictObject({
  operationId: OperationId,
  deviceId: DeviceId.optional(),
  reason: z.string().trim().min(1).max(200),
});

/** The signed-in operator's open shift, as the tablet's status bar shows it. */
export const CurrentShift = z.object({
  id: EntityId,
  openedAt: z.iso.datetime(),
  openingFloatFen: CountedFen,
  /** What the drawer should hold now: the float, plus cash taken, minus cash paid out. */
  drawerFen: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Cash receipts taken into this shift's drawer. */
  receiptsCount: z.number().int().min(0),
  /** The tablet the shift was opened on (null: opened without one). */
  deviceId: DeviceId.nullable(),
});
export type CurrentShift = z.infer<typeof CurrentShift>;
export const CurrentShiftResponse = z.object({ shift: CurrentShift.nullable() });
export type CurrentShiftResponse = z.infer<typeof CurrentShiftResponse>;

/** `GET /api/v1/shifts/current/operations`: the caller's open shift, or (a supervisor) any shift of its outlet by id. */
export const ShiftOperationsQuery = z.strictObject({ shiftId: EntityId.optional() });
export type ShiftOperationsQuery = z.infer<typeof ShiftOperationsQuery>;

/** The kinds of money operation a shift lists. */
export const ShiftOperationKind = z.enum([
  'receipt.cash',
  'receipt.cheque',
  'preallocation',
  'card.fee',
  'card.fee.refund',
  'anonymous.sell',
  'anonymous.topup',
  'load',
  'unload',
  'reversal',
]);
export type ShiftOperationKind = z.infer<typeof ShiftOperationKind>;

/** One money operation of a shift as the Shift screen lists it. */
export const ShiftOperation = z.object({
  operationId: OperationId,
  deviceId: DeviceId.nullable(),
  type: ShiftOperationKind,
  /** When its maker made it (when it arrived, for an operation without a maker). */
  madeAt: z.iso.datetime(),
  customerId: EntityId,
  customerName: z.string(),
  /** The card it concerns (card fees, anonymous cards, loads and unloads); null for account-only operations. */
  cardNo: z.string().nullable(),
  /** Signed by the money's direction: into the drawer, the account or onto the card above zero, out below. */
  amountFen: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  status: z.enum(['applied', 'reversed']),
  /** Cash that arrived after the shift was closed, posted against CASH_DIFFERENCE (docs/ledger.md "Late cash"). */
  late: z.boolean(),
  /** For a reversal: the operation it undoes. */
  reverses: OperationId.nullable(),
});
export type ShiftOperation = z.infer<typeof ShiftOperation>;
/** A kind's total: what stands (a reversed operation and the reversal undoing it in the same shift count for nothing). */
export const ShiftOperationTotal = z.object({
  type: ShiftOperationKind,
  count: z.number().int().min(0),
  amountFen: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
});
export type ShiftOperationTotal = z.infer<typeof ShiftOperationTotal>;
export const ShiftOperationsResponse = z.object({
  shift: z.object({ id: EntityId, openedAt: z.iso.datetime(), closedAt: z.iso.datetime().nullable() }).nullable(),
  operations: z.array(ShiftOperation),
  totals: z.array(ShiftOperationTotal),
});
export type ShiftOperationsResponse = z.infer<typeof ShiftOperationsResponse>;
