/**
 * The audit log at the centre 审计日志 (server/audit/search.ts): entries of the caller's part of
 * the organisation, found by time, operator, device, action and card, a page at a time; and the
 * hash chains checked against the signed checkpoints (server/audit/checkpoints.ts), answered in
 * facts the screen puts into words.
 */
import { z } from 'zod';
import { CardNo, DeviceId, EntityId } from './common.ts';

export const AuditSearchQuery = z.strictObject({
  /** From this instant (inclusive) and before `to` (exclusive); the screen sends China-time days as instants. */
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  /** An operator's user name, exactly. */
  operator: z.string().trim().min(1).max(64).optional(),
  deviceId: DeviceId.optional(),
  /** An action, or the start of one ending in a dot (`card.` finds every card action). */
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)*\.?$/)
    .max(64)
    .optional(),
  cardNo: CardNo.optional(),
  page: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/)
    .optional(),
});
export type AuditSearchQuery = z.infer<typeof AuditSearchQuery>;

export const AuditEntryView = z.object({
  /** `chain key#row number`: where the entry sits in its chain. */
  id: z.string(),
  at: z.iso.datetime(),
  action: z.string(),
  subject: z.string(),
  operatorId: EntityId.nullable(),
  operatorUsername: z.string().nullable(),
  operatorName: z.string().nullable(),
  deviceId: z.string().nullable(),
  orgUnitId: EntityId.nullable(),
  orgUnitNameZh: z.string().nullable(),
  orgUnitNameEn: z.string().nullable(),
  /** What the entry recorded, as written: often `before` and `after` objects of the values changed. */
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditPage = z.object({
  entries: z.array(AuditEntryView),
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
  total: z.number().int().min(0),
  /** The actions recorded so far in the caller's part, for the screen's choice of action. */
  actions: z.array(z.string()),
});
export type AuditPage = z.infer<typeof AuditPage>;

/** The whole log's chains checked: every chain, whoever may read which rows, since a break anywhere matters to all. */
export const AuditVerification = z.object({
  sound: z.boolean(),
  rowsChecked: z.number().int().min(0),
  chainsChecked: z.number().int().min(0),
  /** The time of the newest row checked, or null when the log is empty. */
  verifiedUpTo: z.iso.datetime().nullable(),
  /** Rows newer than their chain's last checkpoint: sound as far as the chain tells, not yet anchored. */
  rowsUnanchored: z.number().int().min(0),
  checkpointLines: z.number().int().min(0),
  /** The newest signed checkpoint read, or null when there is none (or no audit key is configured). */
  lastCheckpointAt: z.iso.datetime().nullable(),
  /** Where it breaks: null when sound. */
  broken: z
    .object({
      /** rows: a row does not match its hash or its place; cut: rows a checkpoint saw are gone; head: a chain's head disagrees with its rows; checkpoint: the checkpoints themselves are damaged. */
      kind: z.enum(['row', 'cut', 'head', 'checkpoint']),
      chain: z.string().nullable(),
      rowNo: z.string().nullable(),
      /** The broken row's time, when the row is still there. */
      at: z.iso.datetime().nullable(),
      action: z.string().nullable(),
    })
    .nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

/** A card's state history 卡状态历史 (server/audit/card-states.ts). */
export const CardStatesQuery = z.strictObject({ cardNo: CardNo });
export type CardStatesQuery = z.infer<typeof CardStatesQuery>;

export const CardStateEvent = z.object({
  at: z.iso.datetime(),
  /** stock_in and requisition from the stock movements; the rest are the audit log's actions about the card. */
  kind: z.string(),
  operatorName: z.string().nullable(),
  operatorUsername: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** Where it happened: the recording unit, or the unit the cards went to. */
  unitNameZh: z.string().nullable(),
  unitNameEn: z.string().nullable(),
  /** A requisition's giving unit. */
  fromUnitNameZh: z.string().nullable(),
  fromUnitNameEn: z.string().nullable(),
});
export type CardStateEvent = z.infer<typeof CardStateEvent>;

export const CardStates = z.object({
  cardNo: CardNo,
  /** The card's state now (card.state), or null for a number no card has but a stock range covered. */
  state: z.enum(['stock', 'active', 'lost', 'blacklisted', 'closed', 'expired', 'bad']).nullable(),
  cardType: z.enum(['user', 'employee', 'maintenance', 'test', 'manage']).nullable(),
  events: z.array(CardStateEvent),
});
export type CardStates = z.infer<typeof CardStates>;
