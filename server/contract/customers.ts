/**
 * Customers (客户, docs/domain.md §5): units (单位) and persons (个人), created and edited by outlet
 * staff as queued push operations (`customer.create`, `customer.update`, sync.ts) and read through
 * GET /api/v1/customers and /api/v1/customers/:id.
 *
 * The payload schemas fix only types and generous bounds on length (so no request carries a
 * novel); the rules of the details themselves (check characters of a resident ID or a unified
 * social credit code, a name's script, a phone's shape: customer-rules.ts) are the server's to
 * apply, each refusal answering its own catalogue code rather than INVALID_REQUEST, and the
 * app's forms apply the same functions before queueing.
 */
import { z } from 'zod';
import { CardNo, DeviceId, EntityId } from './common.ts';
import { CardSummary } from './cards.ts';
import { PERSONAL_ID_TYPES } from './customer-rules.ts';

export const PersonalIdType = z
  .enum(PERSONAL_ID_TYPES)
  .describe('resident_id: mainland resident ID card (check digit and birth date checked); the others are checked for shape only');
export type PersonalIdType = z.infer<typeof PersonalIdType>;
/** What a stored customer's document may say: the personal types, and those of units written before units carried a tax id. */
export const StoredIdType = z.enum([...PERSONAL_ID_TYPES, 'business_licence', 'org_code']);

const NameInput = z.string().max(200);
const PhoneInput = z.string().max(40);

/** A unit's details (单位): name, unified social credit code, contact; address and letter of introduction optional. */
export const UnitCustomerFields = z.strictObject({
  name: NameInput,
  /** 统一社会信用代码, 18 characters, its check character verified (GB 32100-2015). */
  taxId: z.string().max(40),
  address: z.string().max(400).nullable().optional(),
  contactName: NameInput,
  contactPhone: PhoneInput,
  /** The reference of the unit's letter of introduction (介绍信) seen at the counter. */
  introLetterRef: z.string().max(120).nullable().optional(),
});
/** A person's details (个人): name, identity document, phone optional. */
export const PersonalCustomerFields = z.strictObject({
  name: NameInput,
  idType: PersonalIdType,
  idNo: z.string().max(80),
  phone: PhoneInput.nullable().optional(),
});

/** `customer.create`: the customer belongs to the outlet of the operator who queued it. */
export const CustomerCreatePayload = z.discriminatedUnion('kind', [
  UnitCustomerFields.extend({ kind: z.literal('unit') }),
  PersonalCustomerFields.extend({ kind: z.literal('personal') }),
]);
export type CustomerCreatePayload = z.infer<typeof CustomerCreatePayload>;

const someChange = (changes: object) => Object.keys(changes).length > 0;

/**
 * `customer.update`: the fields to change, of the customer's kind (which never changes); null
 * clears an optional field. Only the customer's own outlet may change it. Each applied edit is a
 * new revision with the fields before and after.
 */
export const CustomerUpdatePayload = z.discriminatedUnion('kind', [
  z.strictObject({
    customerId: EntityId,
    kind: z.literal('unit'),
    changes: UnitCustomerFields.partial().refine(someChange, 'no field to change'),
  }),
  z.strictObject({
    customerId: EntityId,
    kind: z.literal('personal'),
    changes: PersonalCustomerFields.partial().refine(someChange, 'no field to change'),
  }),
]);
export type CustomerUpdatePayload = z.infer<typeof CustomerUpdatePayload>;

/** The result of an applied customer.create or customer.update. */
export const CustomerOperationResult = z.object({ customerId: EntityId, revision: z.number().int().positive() });
export type CustomerOperationResult = z.infer<typeof CustomerOperationResult>;

export const CustomerView = z.object({
  id: EntityId,
  kind: z.enum(['unit', 'personal']),
  name: z.string(),
  /** The outlet the customer belongs to: the only one that may change its details. */
  orgUnitId: EntityId,
  /** 1 when created; one more for every applied edit. */
  revision: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  idType: StoredIdType.nullable(),
  idNo: z.string().nullable(),
  phone: z.string().nullable(),
  taxId: z.string().nullable(),
  address: z.string().nullable(),
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  introLetterRef: z.string().nullable(),
});
export type CustomerView = z.infer<typeof CustomerView>;

/**
 * GET /api/v1/customers?q=…: by part of the name, or the whole ID number, tax id, phone or card
 * number (20 digits, or the 19 printed). Ordered by id; `after` is the last id of the page before.
 */
export const CustomerSearchQuery = z.strictObject({
  q: z.string().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(50).optional(),
  after: EntityId.optional(),
});
export type CustomerSearchQuery = z.infer<typeof CustomerSearchQuery>;

export const CustomerList = z.object({
  customers: z.array(CustomerView),
  /** The `after` of the next page, or null when this is the last. */
  next: EntityId.nullable(),
});
export type CustomerList = z.infer<typeof CustomerList>;

export const CustomerParams = z.strictObject({ id: EntityId });

export const CustomerCard = z.object({
  cardNo: CardNo,
  state: CardSummary.shape.state,
  role: CardSummary.shape.role,
  named: z.boolean(),
  grey: z.boolean(),
  mainCardNo: CardNo.nullable(),
});

/** The changed fields' values (null: empty), by the names of CustomerView. */
const FieldValues = z.record(z.string(), z.string().nullable());

export const CustomerRevision = z.object({
  revision: z.number().int().positive(),
  at: z.iso.datetime(),
  operatorId: EntityId.nullable(),
  deviceId: DeviceId.nullable(),
  /** The fields this revision changed, as they were; null for the creation. */
  before: FieldValues.nullable(),
  after: FieldValues,
});

/** GET /api/v1/customers/:id: the customer, its cards, and its revisions newest first (at most the server's cap). */
export const CustomerDetail = z.object({
  customer: CustomerView,
  cards: z.array(CustomerCard),
  revisions: z.array(CustomerRevision),
});
export type CustomerDetail = z.infer<typeof CustomerDetail>;
