/** The customer form's checks before anything is queued (src/staff/customers.ts), by the contract's own rules. */
import { describe, expect, it } from 'vitest';
import type { CustomerView } from '../../server/contract/customers.ts';
import { changesOf, checkCustomer, emptyForm, formOf } from './customers.ts';

const TODAY = new Date('2026-01-05T00:00:00Z');

describe('the customer form', () => {
  it('accepts a person with a valid resident ID, normalised as stored', () => {
    const form = { ...emptyForm('personal'), name: ' 张  伟 ', idNo: '320102199001011232', phone: '' };
    expect(checkCustomer(form, TODAY)).toEqual({
      ok: true,
      payload: { kind: 'personal', name: '张 伟', idType: 'resident_id', idNo: '320102199001011232', phone: null },
    });
  });

  it('marks each wrong field with its code and queues nothing', () => {
    const form = { ...emptyForm('personal'), name: '123', idNo: '320102199001011233', phone: 'abc' };
    expect(checkCustomer(form, TODAY)).toEqual({
      ok: false,
      errors: { name: 'CUSTOMER_NAME_INVALID', idNo: 'RESIDENT_ID_INVALID', phone: 'PHONE_INVALID' },
    });
    expect(checkCustomer({ ...form, idType: 'passport', idNo: '!' }, TODAY)).toMatchObject({ errors: { idNo: 'ID_NUMBER_INVALID' } });
  });

  it('checks a unit: its tax id check character, contact and optional texts', () => {
    const unit = {
      ...emptyForm('unit'),
      name: '演示物流有限公司',
      taxId: '91320100MA1DEM0A5X',
      contactName: '李娜',
      contactPhone: '025-0000001',
    };
    expect(checkCustomer(unit, TODAY)).toMatchObject({ ok: true, payload: { kind: 'unit', address: null, introLetterRef: null } });
    expect(checkCustomer({ ...unit, taxId: '91320100MA1DEM0A5Y', contactPhone: '' }, TODAY)).toEqual({
      ok: false,
      errors: { taxId: 'TAX_ID_INVALID', contactPhone: 'PHONE_INVALID' },
    });
    expect(checkCustomer({ ...unit, address: 'x'.repeat(201) }, TODAY)).toMatchObject({ errors: { address: 'CUSTOMER_TEXT_INVALID' } });
  });

  it('edits send only the fields that changed, and nothing when nothing did', () => {
    const stored: CustomerView = {
      id: '7',
      kind: 'personal',
      name: '张伟',
      orgUnitId: '3',
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      idType: 'resident_id',
      idNo: '320102199001011232',
      phone: null,
      taxId: null,
      address: null,
      contactName: null,
      contactPhone: null,
      introLetterRef: null,
    };
    const same = checkCustomer(formOf(stored), TODAY);
    expect(same.ok && changesOf(stored, same.payload, stored.id)).toBeNull();
    const edited = checkCustomer({ ...formOf(stored), phone: '13800000009' }, TODAY);
    expect(edited.ok && changesOf(stored, edited.payload, stored.id)).toEqual({
      customerId: '7',
      kind: 'personal',
      changes: { phone: '13800000009' },
    });
  });
});
