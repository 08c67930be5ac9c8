/**
 * The rules of customers' details (server/contract/customer-rules.ts): the two check characters
 * with real-format numbers. The valid examples were worked out by hand from the standards' weights
 * (GB 11643's 11010519491231002X is the standard's own example; 91350100M000100Y43 is GB 32100's,
 * and 914403001922038216 a registered company's), and each one changed in one character fails.
 */
import { describe, expect, it } from 'vitest';
import {
  normaliseIdNumber,
  normaliseName,
  normalisePhone,
  normaliseResidentId,
  normaliseTaxId,
  residentIdCheckChar,
  taxIdCheckChar,
} from '../../server/contract/customer-rules.ts';

const TODAY = new Date('2025-06-01T00:00:00Z');

describe('resident ID numbers (GB 11643)', () => {
  const VALID = [
    '11010519491231002X',
    '32010219900101007X',
    '320102199001011232',
    '440304198506152715',
    '530102198411032110',
    '320102200002290013',
  ];

  it('accepts numbers with the right check digit, X included', () => {
    for (const id of VALID) expect(normaliseResidentId(id, TODAY), id).toBe(id);
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('takes a lower-case x and surrounding spaces, and stores the number upper case and trimmed', () => {
    expect(normaliseResidentId(' 11010519491231002x ', TODAY)).toBe('11010519491231002X');
  });

  it('refuses a wrong check digit, and any single changed digit', () => {
    expect(normaliseResidentId('320102199001011234', TODAY)).toBeNull();
    expect(normaliseResidentId('110105194912310021', TODAY)).toBeNull();
    for (const id of VALID) {
      for (let i = 0; i < 17; i++) {
        const digit = Number(id[i]);
        const changed = `${id.slice(0, i)}${(digit + 1) % 10}${id.slice(i + 1)}`;
        expect(normaliseResidentId(changed, TODAY), changed).toBeNull();
      }
    }
  });

  it('refuses impossible and future birth dates even with a matching check digit', () => {
    const withCheck = (first17: string) => `${first17}${residentIdCheckChar(first17)}`;
    expect(normaliseResidentId(withCheck('32010219900230001'), TODAY)).toBeNull(); // 30 February
    expect(normaliseResidentId(withCheck('32010219900001001'), TODAY)).toBeNull(); // month 0
    expect(normaliseResidentId(withCheck('32010219010229001'), TODAY)).toBeNull(); // 1901 not a leap year
    expect(normaliseResidentId(withCheck('32010218991231001'), TODAY)).toBeNull(); // before 1900
    expect(normaliseResidentId(withCheck('32010220300101001'), TODAY)).toBeNull(); // not born yet
    expect(normaliseResidentId(withCheck('32010220000229001'), TODAY)).toBe('320102200002290013'); // 2000 was a leap year
  });

  it('refuses the wrong length, letters other than a final X, and a leading 0', () => {
    for (const bad of [
      '',
      '32010219900101123',
      '3201021990010112320',
      '32010219900101123A',
      '3201021990010X1232',
      '020102199001011232',
      '32010219 900101123',
    ])
      expect(normaliseResidentId(bad, TODAY), bad).toBeNull();
  });
});

describe('unified social credit codes (GB 32100)', () => {
  const VALID = [
    '91350100M000100Y43',
    '914403001922038216',
    '91320100MA1DEM0A5X',
    '12100000400010754X',
    '92320100MA1NX1234N',
    '91110000100000000R',
  ];

  it('accepts codes with the right check character, X included', () => {
    for (const code of VALID) expect(normaliseTaxId(code), code).toBe(code);
    expect(taxIdCheckChar('91350100M000100Y4')).toBe('3');
  });

  it('takes lower case and spaces around, and stores the code upper case', () => {
    expect(normaliseTaxId(' 91320100ma1dem0a5x ')).toBe('91320100MA1DEM0A5X');
  });

  it('refuses a wrong check character and any single changed character', () => {
    expect(normaliseTaxId('91350100M000100Y44')).toBeNull();
    for (const code of VALID) {
      for (let i = 0; i < 17; i++) {
        const swapped = code[i] === '1' ? '2' : '1';
        const changed = `${code.slice(0, i)}${swapped}${code.slice(i + 1)}`;
        expect(normaliseTaxId(changed), changed).toBeNull();
      }
    }
  });

  it('refuses letters outside the alphabet (I, O, Z, S, V), letters in the area code, and the wrong length', () => {
    for (const bad of ['91320100MA1DEMO001', '91320100MA1DEM0I5X', '9132A100MA1DEM0A5X', '91320100MA1DEM0A5', '91320100MA1DEM0A5XX', ''])
      expect(normaliseTaxId(bad), bad).toBeNull();
  });
});

describe('other documents, names and phones', () => {
  it('checks other documents for shape only', () => {
    expect(normaliseIdNumber('passport', 'e12345678', TODAY)).toBe('E12345678');
    expect(normaliseIdNumber('hk_macao_permit', 'H12345678', TODAY)).toBe('H12345678');
    expect(normaliseIdNumber('taiwan_permit', '12345678', TODAY)).toBe('12345678');
    expect(normaliseIdNumber('passport', 'E1234-5678', TODAY)).toBeNull();
    expect(normaliseIdNumber('hk_macao_permit', 'X12345678', TODAY)).toBeNull();
    expect(normaliseIdNumber('resident_id', '320102199001011234', TODAY)).toBeNull();
  });

  it('takes Chinese and Latin names, trimmed, up to 100 characters', () => {
    expect(normaliseName('  张伟 ', 'person')).toBe('张伟');
    expect(normaliseName('阿卜杜·热合曼', 'person')).toBe('阿卜杜·热合曼');
    expect(normaliseName("Mary  O'Brien-Smith", 'person')).toBe("Mary O'Brien-Smith");
    expect(normaliseName('南京第3物流有限公司（江宁）', 'unit')).toBe('南京第3物流有限公司（江宁）');
    expect(normaliseName('张'.repeat(100), 'person')).toBe('张'.repeat(100));
    for (const bad of ['', '   ', '张'.repeat(101), 'Иван', '김철수', '张伟3', '<script>', '---'])
      expect(normaliseName(bad, 'person'), bad).toBeNull();
  });

  it('takes phone numbers of digits with a leading + and spaces or dashes', () => {
    expect(normalisePhone(' 13800000001 ')).toBe('13800000001');
    expect(normalisePhone('+86 25-8888 0000')).toBe('+86 25-8888 0000');
    for (const bad of ['1234', '138-', 'phone', '+86 25 8888 0000 1234567', '１３８００００００01'])
      expect(normalisePhone(bad), bad).toBeNull();
  });
});
