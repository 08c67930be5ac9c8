/**
 * The counter's customers (docs/domain.md §5): search and read online, create and edit as queued
 * operations (`customer.create`, `customer.update`). The form is checked here with the server's
 * own rules (server/contract/customer-rules.ts) before anything is queued, so the clerk sees
 * which field is wrong at once; the server applies the same rules again.
 */
import type { CustomerCreatePayload, CustomerUpdatePayload, CustomerView } from '../../server/contract/customers.ts';
import { normaliseIdNumber, normaliseName, normalisePhone, normaliseTaxId, normaliseText } from '../../server/contract/customer-rules.ts';
import type { PersonalIdType } from '../../server/contract/customers.ts';

/** What the clerk typed, every field as text ('' for empty). */
export type CustomerForm = {
  kind: 'personal' | 'unit';
  name: string;
  idType: PersonalIdType;
  idNo: string;
  phone: string;
  taxId: string;
  address: string;
  contactName: string;
  contactPhone: string;
  introLetterRef: string;
};

/** The field a refusal belongs to, and the server's code for it (the catalogue says it: staff.customer.invalid.<code>). */
export type FieldErrors = Partial<
  Record<
    keyof CustomerForm,
    'CUSTOMER_NAME_INVALID' | 'RESIDENT_ID_INVALID' | 'ID_NUMBER_INVALID' | 'TAX_ID_INVALID' | 'PHONE_INVALID' | 'CUSTOMER_TEXT_INVALID'
  >
>;

export type CheckedCustomer = { ok: true; payload: CustomerCreatePayload } | { ok: false; errors: FieldErrors };

export function emptyForm(kind: CustomerForm['kind']): CustomerForm {
  return {
    kind,
    name: '',
    idType: 'resident_id',
    idNo: '',
    phone: '',
    taxId: '',
    address: '',
    contactName: '',
    contactPhone: '',
    introLetterRef: '',
  };
}

/** A stored customer as the edit form starts from. */
export function formOf(customer: CustomerView): CustomerForm {
  const idType =
    customer.idType && customer.idType !== 'business_licence' && customer.idType !== 'org_code' ? customer.idType : 'resident_id';
  return {
    kind: customer.kind,
    name: customer.name,
    idType,
    idNo: customer.idNo ?? '',
    phone: customer.phone ?? '',
    taxId: customer.taxId ?? '',
    address: customer.address ?? '',
    contactName: customer.contactName ?? '',
    contactPhone: customer.contactPhone ?? '',
    introLetterRef: customer.introLetterRef ?? '',
  };
}

/** Checks the form by the contract's rules; `today` dates a resident ID's birth date. */
export function checkCustomer(form: CustomerForm, today: Date): CheckedCustomer {
  const errors: FieldErrors = {};
  if (form.kind === 'personal') {
    const name = normaliseName(form.name, 'person');
    const idNo = normaliseIdNumber(form.idType, form.idNo, today);
    const phone = form.phone.trim() === '' ? null : normalisePhone(form.phone);
    if (name === null) errors.name = 'CUSTOMER_NAME_INVALID';
    if (idNo === null) errors.idNo = form.idType === 'resident_id' ? 'RESIDENT_ID_INVALID' : 'ID_NUMBER_INVALID';
    if (form.phone.trim() !== '' && phone === null) errors.phone = 'PHONE_INVALID';
    if (name === null || idNo === null || Object.keys(errors).length > 0) return { ok: false, errors };
    return { ok: true, payload: { kind: 'personal', name, idType: form.idType, idNo, phone } };
  }
  const name = normaliseName(form.name, 'unit');
  const taxId = normaliseTaxId(form.taxId);
  const contactName = normaliseName(form.contactName, 'person');
  const contactPhone = normalisePhone(form.contactPhone);
  const address = form.address.trim() === '' ? null : normaliseText(form.address, 200);
  const introLetterRef = form.introLetterRef.trim() === '' ? null : normaliseText(form.introLetterRef, 60);
  if (name === null) errors.name = 'CUSTOMER_NAME_INVALID';
  if (taxId === null) errors.taxId = 'TAX_ID_INVALID';
  if (contactName === null) errors.contactName = 'CUSTOMER_NAME_INVALID';
  if (contactPhone === null) errors.contactPhone = 'PHONE_INVALID';
  if (form.address.trim() !== '' && address === null) errors.address = 'CUSTOMER_TEXT_INVALID';
  if (form.introLetterRef.trim() !== '' && introLetterRef === null) errors.introLetterRef = 'CUSTOMER_TEXT_INVALID';
  if (name === null || taxId === null || contactName === null || contactPhone === null || Object.keys(errors).length > 0)
    return { ok: false, errors };
  return { ok: true, payload: { kind: 'unit', name, taxId, contactName, contactPhone, address, introLetterRef } };
}

/** The edit as the contract takes it: only the fields that changed (null clears an optional one); null when nothing changed. */
export function changesOf(before: CustomerView, after: CustomerCreatePayload, customerId: string): CustomerUpdatePayload | null {
  const changes: Record<string, unknown> = {};
  const was = before as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(after)) {
    if (key === 'kind') continue;
    if ((was[key] ?? null) !== (value ?? null)) changes[key] = value ?? null;
  }
  if (Object.keys(changes).length === 0) return null;
  return { customerId, kind: after.kind, changes } as CustomerUpdatePayload;
}
