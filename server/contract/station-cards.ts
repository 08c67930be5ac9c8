/**
 * Station cards 站内卡 (docs/domain.md § Station cards): employee (员工卡), maintenance (维修卡) and
 * pump-verification (验泵卡, card type `test`) cards a management centre issues from its own stock
 * to a filling station of its subtree. The same three steps as a customer card's issue
 * (contract/issue.ts) with no customer and no fee: start (the card bound to the station, the
 * holder fixed) → write (the server's secure UPDATE BINARY of EF16 or EF1B[0]) → complete (the
 * read-back and a MAC1 probe: the card active). A station's list feeds its white list (docs/domain.md
 * § White list); a withdrawn card (an employee leaves) drops out of it.
 */
import { z } from 'zod';
import { CardNo, EntityId, OperationId, TerminalId } from './common.ts';
import { InitializeAnswer } from './loads.ts';

/** What a station card is for: its card type, as the ASN carries it (docs/card-protocol.md §5.1). */
/** The most cards one station's list answers with. */
export const STATION_CARDS_LISTED_MAX = 500;

export const StationCardType = z.enum(['employee', 'maintenance', 'test']);
export type StationCardType = z.infer<typeof StationCardType>;

/** The holder as EF16 receives it: a name (up to 20 GBK bytes) and a number (staff number, unit code), printable ASCII. */
export const StationCardHolder = z.strictObject({
  /** The employee's name; the servicing unit or person (maintenance); the station manager (pump verification). */
  name: z.string().trim().min(1).max(20),
  /** The staff number (工号) of an employee; any reference of the others; empty for none. Written as EF16's ID number, ID type 4 (other). */
  number: z.string().regex(/^[!-~]{0,18}$/),
});
export type StationCardHolder = z.infer<typeof StationCardHolder>;

export const StationCardStartRequest = z.strictObject({
  operationId: OperationId,
  cardNo: CardNo,
  /** The station the card is issued to: a `station` unit in the centre's subtree. */
  stationId: EntityId,
  /** What the operator chose to issue: must be the card type the card number carries. */
  cardType: StationCardType,
  holder: StationCardHolder,
});
export type StationCardStartRequest = z.infer<typeof StationCardStartRequest>;

export const StationCardState = z.enum(['started', 'issued', 'cancelled', 'withdrawn']);
export type StationCardState = z.infer<typeof StationCardState>;

export const StationCardView = z.object({
  stationCardId: z.uuid(),
  cardNo: CardNo,
  stationId: EntityId,
  cardType: StationCardType,
  holder: StationCardHolder,
  /** The 41 bytes of EF16 the card receives, as hex. */
  ef16: z.string().regex(/^[0-9A-F]{82}$/),
  state: StationCardState,
  /** YYYYMMDD once issued. */
  expiresOn: z
    .string()
    .regex(/^[0-9]{8}$/)
    .nullable(),
  issuedAt: z.iso.datetime().nullable(),
  withdrawnAt: z.iso.datetime().nullable(),
  withdrawReason: z.string().nullable(),
});
export type StationCardView = z.infer<typeof StationCardView>;

export const StationCardParams = z.strictObject({ id: z.uuid() });
export const StationParams = z.strictObject({ stationId: EntityId });

export const StationCardList = z.object({
  stationId: EntityId,
  /** The station's issued cards first (the white list's), then the withdrawn ones, newest first in each. */
  cards: z.array(StationCardView),
  /** More cards than the answer lists (STATION_CARDS_LISTED_MAX). */
  truncated: z.boolean(),
});
export type StationCardList = z.infer<typeof StationCardList>;

export const StationCardWithdrawRequest = z.strictObject({
  operationId: OperationId,
  reason: z.string().trim().min(1).max(200),
});
export type StationCardWithdrawRequest = z.infer<typeof StationCardWithdrawRequest>;

/**
 * The completion: the card's read-back and, for a pump-verification card (the one station card
 * with a purse, docs/card-protocol.md §5.1), an INITIALIZE FOR LOAD probe with the last write's
 * challenge, whose MAC1 proves the genuine card with an empty purse. Employee and maintenance
 * cards have no purse (the card answers 6A81): no probe, the read-back is the client's word.
 */
export const StationCardCompleteRequest = z.strictObject({
  operationId: OperationId,
  ef16: z.string().regex(/^[0-9A-Fa-f]{82}$/),
  pinMode: z.number().int().min(0).max(255),
  probe: z
    .strictObject({ terminalId: TerminalId, amountFen: z.number().int().min(0).max(4_294_967_295), answer: InitializeAnswer })
    .optional(),
});
export type StationCardCompleteRequest = z.infer<typeof StationCardCompleteRequest>;

/** Whether a station card type carries a purse (only the pump-verification card's, which calibration draws on). */
export function stationCardHasPurse(type: StationCardType): boolean {
  return type === 'test';
}
