/**
 * Customers (客户, docs/domain.md §5): made and edited by outlet staff through the push operations
 * customer.create and customer.update (server/sync/operations.ts calls in here, inside the push's
 * transaction and the operation's savepoint), and read by search and by id anywhere in the
 * network (reading and querying are allowed at any outlet; changing belongs to the customer's own
 * outlet, server/auth/policy.ts OWN_OUTLET_OPERATIONS).
 *
 * Every value is checked by the rules in server/contract/customer-rules.ts, each refusal its own
 * catalogue code; a refused operation leaves nothing (the savepoint is rolled back). Every change
 * is a customer_revision (the changed fields before and after, who, from which device, by which
 * operation) and an audit entry that names the fields but not their values: the values are
 * personal data, kept in the revision rows rather than copied into the hash-chained log.
 */
import { PLAN_EACH_TIME, type Sql } from '../db/index.ts';
import {
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
  normaliseTaxId,
  normaliseText,
  PERSONAL_ID_TYPES,
  type CustomerCreatePayload,
  type CustomerDetail,
  type CustomerList,
  type CustomerOperationResult,
  type CustomerSearchQuery,
  type CustomerUpdatePayload,
  type CustomerView,
  type PersonalIdType,
} from '../contract/index.ts';
import { ApiError, type ApiErrorCode } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import { appendAudit } from '../audit/log.ts';
import { LIMITS } from '../limits.ts';

/** The fields of a customer's details, by the names of the contract's CustomerView, and their columns. */
const COLUMNS = {
  name: 'name',
  idType: 'id_doc_type',
  idNo: 'id_doc_no',
  phone: 'phone',
  taxId: 'tax_id',
  address: 'address',
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  introLetterRef: 'intro_letter_ref',
} as const;
type Field = keyof typeof COLUMNS;
type Fields = Partial<Record<Field, string | null>>;
const FIELD_NAMES = Object.keys(COLUMNS) as Field[];

/** The longest address and letter reference stored (the columns' checks, 0012_customers.sql). */
const ADDRESS_CHARS_MAX = 200;
const INTRO_LETTER_REF_CHARS_MAX = 60;

type CustomerRow = {
  id: bigint;
  kind: 'unit' | 'personal';
  name: string;
  id_doc_type: CustomerView['idType'];
  id_doc_no: string | null;
  phone: string | null;
  tax_id: string | null;
  address: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  intro_letter_ref: string | null;
  org_unit_id: bigint;
  revision: number;
  created_at: Date;
  updated_at: Date;
};

function valid(value: string | null, code: ApiErrorCode): string {
  if (value === null) throw new ApiError(code);
  return value;
}

const optional = (value: string | null | undefined, check: (v: string) => string): string | null | undefined =>
  value === null || value === undefined ? value : check(value);

/**
 * The given fields checked and normalised (trimmed, upper case where the rules say), in the
 * customer's kind; `stored` is the customer before an edit, for a document type or number
 * changed without the other.
 */
function checkFields(
  kind: CustomerRow['kind'],
  input: Partial<Record<Field, string | null | undefined>>,
  stored: CustomerRow | null,
  today: Date,
): Fields {
  const out: Fields = {};
  const set = (field: Field, value: string | null | undefined) => {
    if (value !== undefined) out[field] = value;
  };
  set(
    'name',
    optional(input.name, (v) => valid(normaliseName(v, kind === 'unit' ? 'unit' : 'person'), 'CUSTOMER_NAME_INVALID')),
  );
  set(
    'contactName',
    optional(input.contactName, (v) => valid(normaliseName(v, 'person'), 'CUSTOMER_NAME_INVALID')),
  );
  set(
    'phone',
    optional(input.phone, (v) => valid(normalisePhone(v), 'PHONE_INVALID')),
  );
  set(
    'contactPhone',
    optional(input.contactPhone, (v) => valid(normalisePhone(v), 'PHONE_INVALID')),
  );
  set(
    'taxId',
    optional(input.taxId, (v) => valid(normaliseTaxId(v), 'TAX_ID_INVALID')),
  );
  set(
    'address',
    optional(input.address, (v) => valid(normaliseText(v, ADDRESS_CHARS_MAX), 'CUSTOMER_TEXT_INVALID')),
  );
  set(
    'introLetterRef',
    optional(input.introLetterRef, (v) => valid(normaliseText(v, INTRO_LETTER_REF_CHARS_MAX), 'CUSTOMER_TEXT_INVALID')),
  );
  if (input.idType !== undefined || input.idNo !== undefined) {
    // A type or a number changed alone is checked together with the other as stored.
    const type = input.idType ?? stored?.id_doc_type ?? null;
    const number = input.idNo ?? stored?.id_doc_no ?? null;
    if (type === null || number === null || !(PERSONAL_ID_TYPES as readonly string[]).includes(type))
      throw new ApiError('ID_NUMBER_INVALID');
    const normalised = normaliseIdNumber(type as PersonalIdType, number, today);
    if (normalised === null) throw new ApiError(type === 'resident_id' ? 'RESIDENT_ID_INVALID' : 'ID_NUMBER_INVALID');
    out.idType = type;
    out.idNo = normalised;
  }
  return out;
}

const iso = (d: Date) => d.toISOString();

function customerView(row: CustomerRow): CustomerView {
  return {
    id: String(row.id),
    kind: row.kind,
    name: row.name,
    orgUnitId: String(row.org_unit_id),
    revision: row.revision,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    idType: row.id_doc_type,
    idNo: row.id_doc_no,
    phone: row.phone,
    taxId: row.tax_id,
    address: row.address,
    contactName: row.contact_name,
    contactPhone: row.contact_phone,
    introLetterRef: row.intro_letter_ref,
  };
}

/** Who made a change and with which operation, as a revision row records it. */
export type ChangeContext = { principal: Principal; operationId: string; today: Date };

async function recordRevision(
  tx: Sql,
  customerId: bigint,
  revision: number,
  before: Fields | null,
  after: Fields,
  ctx: ChangeContext,
): Promise<void> {
  await tx.query(
    'INSERT INTO customer_revision (customer_id, revision, before, after, operator_id, device_id, operation_id) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)',
    [
      customerId,
      revision,
      before === null ? null : JSON.stringify(before),
      JSON.stringify(after),
      ctx.principal.operatorId,
      ctx.principal.deviceId,
      ctx.operationId,
    ],
  );
}

/** customer.create: a new customer of the operator's own organisation unit (the outlet), revision 1. */
export async function createCustomer(tx: Sql, p: CustomerCreatePayload, ctx: ChangeContext): Promise<CustomerOperationResult> {
  const { kind, ...input } = p;
  const fields = checkFields(kind, input, null, ctx.today);
  // Every field of the kind is written, an absent optional one as null, so revision 1 shows the whole record.
  const ofKind: readonly Field[] =
    kind === 'unit' ? ['name', 'taxId', 'address', 'contactName', 'contactPhone', 'introLetterRef'] : ['name', 'idType', 'idNo', 'phone'];
  const after: Fields = Object.fromEntries(ofKind.map((f) => [f, fields[f] ?? null]));
  const columns = ofKind.map((f) => COLUMNS[f]);
  const inserted = await tx.query<{ id: bigint }>(
    `INSERT INTO customer (kind, org_unit_id, ${columns.join(', ')}) VALUES ($1, $2, ${columns.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING id`,
    [kind, ctx.principal.orgUnitId, ...ofKind.map((f) => after[f])],
  );
  const customerId = inserted.rows[0]!.id;
  await recordRevision(tx, customerId, 1, null, after, ctx);
  await appendAudit(tx, ctx.principal, {
    action: 'customer.create',
    subject: `customer:${customerId}`,
    detail: { kind, revision: 1, fields: ofKind, operationId: ctx.operationId },
  });
  return { customerId: String(customerId), revision: 1 };
}

/**
 * customer.update: the changed fields written, a new revision of those that really differ (an
 * edit that changes nothing is applied without one). The customer's row is locked first, so two
 * edits of one customer at once are numbered one after the other. The caller has checked the
 * customer is of the principal's outlet (sync/operations.ts, OWN_OUTLET_OPERATIONS).
 */
export async function updateCustomer(tx: Sql, p: CustomerUpdatePayload, ctx: ChangeContext): Promise<CustomerOperationResult> {
  const found = await tx.query<CustomerRow>('SELECT * FROM customer WHERE id = $1 FOR UPDATE', [p.customerId]);
  const stored = found.rows[0];
  if (!stored) throw new ApiError('CUSTOMER_NOT_FOUND');
  if (stored.kind !== p.kind) throw new ApiError('CUSTOMER_KIND_MISMATCH');
  const fields = checkFields(stored.kind, p.changes, stored, ctx.today);
  const changed = FIELD_NAMES.filter((f) => f in fields && fields[f] !== stored[COLUMNS[f]]);
  if (changed.length === 0) return { customerId: String(stored.id), revision: stored.revision };
  const before: Fields = Object.fromEntries(changed.map((f) => [f, stored[COLUMNS[f]]]));
  const after: Fields = Object.fromEntries(changed.map((f) => [f, fields[f] ?? null]));
  const revision = stored.revision + 1;
  await tx.query(
    `UPDATE customer SET ${changed.map((f, i) => `${COLUMNS[f]} = $${i + 3}`).join(', ')}, revision = $2, updated_at = now() WHERE id = $1`,
    [stored.id, revision, ...changed.map((f) => after[f])],
  );
  await recordRevision(tx, stored.id, revision, before, after, ctx);
  await appendAudit(tx, ctx.principal, {
    action: 'customer.update',
    subject: `customer:${stored.id}`,
    detail: { revision, fields: changed, operationId: ctx.operationId },
  });
  return { customerId: String(stored.id), revision };
}

/** The organisation unit a customer belongs to, or CUSTOMER_NOT_FOUND. */
export async function customerOrgUnit(sql: Sql, customerId: string): Promise<bigint> {
  const found = await sql.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM customer WHERE id = $1', [customerId]);
  const row = found.rows[0];
  if (!row) throw new ApiError('CUSTOMER_NOT_FOUND');
  return row.org_unit_id;
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Whether a query could be part of a name: not when it is only digits, spaces, dashes and plus
 * signs (an ID number may end in X). Such a query skips the name's branch, which for a string no
 * name holds would read the whole table in id order looking for a first match.
 */
const mayBeName = (q: string): boolean => !/^[0-9+\- ]+[xX]?$/.test(q);

/**
 * Customers by part of the name (case-insensitive for Latin letters), or the whole ID number, tax
 * id, phone or contact phone, or a card number (20 digits, or the 19 printed without the leading
 * 0). Across the whole network; ordered by id, a page at a time. Each way of matching is its own
 * indexed branch (the name through its character pairs, migration 0016; the numbers through their
 * B-trees), each taking at most a page, so a search costs the same with a million customers as
 * with a hundred; an OR of them all would read the whole table. Planned for its values each time
 * (PLAN_EACH_TIME): a generic plan would read a rare name in id order through the whole table.
 * An anonymous card's customer (0018_anonymous_cards.sql) is no one to find until its upgrade.
 */
export async function searchCustomers(sql: Sql, query: CustomerSearchQuery): Promise<CustomerList> {
  const q = query.q;
  const limit = query.limit ?? LIMITS.customerSearchPageDefault;
  const cardNo = /^[0-9]{20}$/.test(q) ? q : /^[0-9]{19}$/.test(q) ? `0${q}` : null;
  const found = await sql.query<CustomerRow>(
    `${PLAN_EACH_TIME}
     WITH hits AS (
       (SELECT id FROM customer WHERE $2::text IS NOT NULL AND name_grams @> customer_query_grams($2) AND name ILIKE $3 ESCAPE '\\'
           AND ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $7)
       UNION (SELECT id FROM customer WHERE id_doc_no = $4 AND ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $7)
       UNION (SELECT id FROM customer WHERE tax_id = $4 AND ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $7)
       UNION (SELECT id FROM customer WHERE phone = $5 AND ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $7)
       UNION (SELECT id FROM customer WHERE contact_phone = $5 AND ($1::bigint IS NULL OR id > $1::bigint) ORDER BY id LIMIT $7)
       UNION (SELECT customer_id FROM card WHERE card_no = $6::text AND customer_id IS NOT NULL
                AND ($1::bigint IS NULL OR customer_id > $1::bigint))
     )
     SELECT c.* FROM customer c JOIN hits ON hits.id = c.id WHERE NOT c.anonymous ORDER BY c.id LIMIT $7`,
    [query.after ?? null, mayBeName(q) ? q : null, `%${likeLiteral(q)}%`, q.toUpperCase(), q, cardNo, limit + 1],
  );
  const page = found.rows.slice(0, limit);
  const next = found.rows.length > limit ? String(page[page.length - 1]!.id) : null;
  return { customers: page.map(customerView), next };
}

type CardRow = {
  card_no: string;
  state: CustomerDetail['cards'][number]['state'];
  role: CustomerDetail['cards'][number]['role'];
  named: boolean;
  grey: boolean;
  main_card_no: string | null;
};
type RevisionRow = {
  revision: number;
  at: Date;
  operator_id: bigint | null;
  device_id: string | null;
  before: Fields | null;
  after: Fields;
};

/** A customer with its cards (by number, at most LIMITS.customerCardsListMax) and its revisions, newest first (at most LIMITS.customerRevisionsListMax). */
export async function customerDetail(sql: Sql, customerId: string): Promise<CustomerDetail> {
  const found = await sql.query<CustomerRow>('SELECT * FROM customer WHERE id = $1', [customerId]);
  const row = found.rows[0];
  if (!row) throw new ApiError('CUSTOMER_NOT_FOUND');
  const cards = await sql.query<CardRow>(
    'SELECT card_no, state, role, named, grey, main_card_no FROM card WHERE customer_id = $1 ORDER BY card_no LIMIT $2',
    [row.id, LIMITS.customerCardsListMax],
  );
  const revisions = await sql.query<RevisionRow>(
    'SELECT revision, at, operator_id, device_id, before, after FROM customer_revision WHERE customer_id = $1 ORDER BY revision DESC LIMIT $2',
    [row.id, LIMITS.customerRevisionsListMax],
  );
  return {
    customer: customerView(row),
    cards: cards.rows.map((c) => ({
      cardNo: c.card_no,
      state: c.state,
      role: c.role,
      named: c.named,
      grey: c.grey,
      mainCardNo: c.main_card_no,
    })),
    revisions: revisions.rows.map((r) => ({
      revision: r.revision,
      at: iso(r.at),
      operatorId: r.operator_id === null ? null : String(r.operator_id),
      deviceId: r.device_id,
      before: r.before,
      after: r.after,
    })),
  };
}
