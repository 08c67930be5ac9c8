/**
 * The centre's and the administrator's calls: the ledger and audit check, and setting up an
 * installation (organisation units and the devices registered in them). A device registered
 * here then gets its one-time enrolment code from POST /api/v1/admin/devices/enrolment.
 */
import { z } from 'zod';
import { CardNo, DeviceId, EntityId, LedgerFen } from './common.ts';

export const LedgerCheckResponse = z.object({
  ledgerSound: z.boolean(),
  violations: z.array(z.object({ rule: z.string(), accountId: z.string().nullable(), detail: z.string() })),
  auditSound: z.boolean(),
  auditRowsChecked: z.number().int(),
});
export type LedgerCheckResponse = z.infer<typeof LedgerCheckResponse>;

/** The levels of the organisation; which kind may sit under which is server/admin/org-tree.ts. */
export const OrgUnitKind = z.enum(['province', 'city', 'county', 'center', 'outlet', 'station']);
export type OrgUnitKind = z.infer<typeof OrgUnitKind>;
/** A unit's code: upper-case letters and digits, unique over the whole organisation. */
export const OrgUnitCode = z.string().regex(/^[0-9A-Z]{2,16}$/);
const UnitName = z.string().trim().min(1).max(100);

export const CreateOrgUnitRequest = z.strictObject({
  kind: OrgUnitKind,
  code: OrgUnitCode,
  nameZh: UnitName,
  nameEn: UnitName,
  /** null only for a province, the root of the tree. */
  parentId: EntityId.nullable(),
});
export type CreateOrgUnitRequest = z.infer<typeof CreateOrgUnitRequest>;
/** New names for a unit; its kind, code and place in the tree never change (money is held under them). */
export const RenameOrgUnitRequest = z.strictObject({ orgUnitId: EntityId, nameZh: UnitName, nameEn: UnitName });
export type RenameOrgUnitRequest = z.infer<typeof RenameOrgUnitRequest>;

export const OrgUnit = z.object({
  id: EntityId,
  kind: OrgUnitKind,
  code: OrgUnitCode,
  nameZh: z.string(),
  nameEn: z.string(),
  parentId: EntityId.nullable(),
});
export type OrgUnit = z.infer<typeof OrgUnit>;
/** The units within the caller's part of the organisation, parents before children. */
export const OrgUnitList = z.object({ orgUnits: z.array(OrgUnit), truncated: z.boolean() });
export type OrgUnitList = z.infer<typeof OrgUnitList>;

export const DeviceKind = z.enum(['kiosk', 'tablet']);
/** The 6-byte terminal number the card puts in its MACs, as the enrolment answer spells it. */
export const DeviceTerminalId = z.string().regex(/^[0-9A-F]{12}$/);

export const RegisterDeviceRequest = z.strictObject({
  deviceId: DeviceId,
  kind: DeviceKind,
  /** An outlet or a station. */
  orgUnitId: EntityId,
  terminalId: DeviceTerminalId,
  name: z.string().trim().min(1).max(100),
});
export type RegisterDeviceRequest = z.infer<typeof RegisterDeviceRequest>;

export const DisableDeviceRequest = z.strictObject({ deviceId: DeviceId });
/** Re-enabling a disabled device: it must enrol again with a new code before it signs anything. */
export const EnableDeviceRequest = z.strictObject({ deviceId: DeviceId });

export const DeviceView = z.object({
  deviceId: DeviceId,
  kind: DeviceKind,
  orgUnitId: EntityId,
  terminalId: DeviceTerminalId,
  name: z.string(),
  state: z.enum(['active', 'disabled']),
  /** True once the device has exchanged an enrolment code for its secret. */
  enrolled: z.boolean(),
});
export type DeviceView = z.infer<typeof DeviceView>;
export const DeviceList = z.object({ devices: z.array(DeviceView), truncated: z.boolean() });
export type DeviceList = z.infer<typeof DeviceList>;

/**
 * A chip that showed more money under its MAC1 than the ledger ever gave it
 * (server/loads/chip-check.ts). The card's loads and unloads stop until someone at a centre clears
 * its review.
 */
export const CardAlarm = z.object({
  id: EntityId,
  cardNo: CardNo,
  kind: z.enum(['chip_above_ledger']),
  chipBalanceFen: LedgerFen,
  ledgerMaxFen: LedgerFen,
  onlineTtc: z.number().int().min(0),
  deviceId: DeviceId.nullable(),
  raisedAt: z.iso.datetime(),
  clearedAt: z.iso.datetime().nullable(),
  clearNote: z.string().nullable(),
});
export type CardAlarm = z.infer<typeof CardAlarm>;
/** Alarms of cards within the caller's scope: open ones first, then the newest cleared, up to the server's cap. */
export const CardAlarmList = z.object({ alarms: z.array(CardAlarm), truncated: z.boolean() });
export type CardAlarmList = z.infer<typeof CardAlarmList>;
/** Clears a card's review after a look at its history: its open alarms are closed with the note, its loads resume. */
export const ClearCardReviewRequest = z.strictObject({ cardNo: CardNo, note: z.string().trim().min(1).max(500) });
export type ClearCardReviewRequest = z.infer<typeof ClearCardReviewRequest>;
export const ClearCardReviewResponse = z.object({ cardNo: CardNo, alarmsCleared: z.number().int().min(0) });
export type ClearCardReviewResponse = z.infer<typeof ClearCardReviewResponse>;
