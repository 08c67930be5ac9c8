import { describe, expect, it } from 'vitest';
import { EMPTY_EF16 } from '../../ccid/fuelcard/issue-holder.ts';
import type { CustomerDetail } from '../../server/contract/customers.ts';
import { CARD_FEE_FEN, findingOf, holderFrom, issueSlip, pinProblem, planFor } from './issue-plan.ts';

const USER = '01';
const MAIN = '12345678901234567890';

function detail(
  kind: 'personal' | 'unit',
  cards: Array<{ role: 'single' | 'main' | 'sub'; state: string; cardNo?: string }>,
): CustomerDetail {
  return {
    customer: { id: '7', kind, name: '演示客户张伟' },
    cards: cards.map((c) => ({ cardNo: c.cardNo ?? MAIN, state: c.state, role: c.role, named: true, grey: false, mainCardNo: null })),
    revisions: [],
  } as unknown as CustomerDetail;
}

function reading(cardType: string, ef16: string) {
  return { ef15: { asn: `0000${cardType}00000000000001` }, ef16, pinMode: 0 } as unknown as Parameters<typeof findingOf>[0];
}

describe('the issue screen’s rules (src/staff/issue-plan.ts)', () => {
  it('a person gets a single card; a unit its main card first, then sub cards under the active main card', () => {
    expect(planFor(detail('personal', []))).toEqual({ role: 'single' });
    expect(planFor(detail('unit', []))).toEqual({ role: 'main' });
    expect(planFor(detail('unit', [{ role: 'main', state: 'lost' }]))).toEqual({ role: 'main' });
    expect(planFor(detail('unit', [{ role: 'main', state: 'active' }]))).toEqual({ role: 'sub', mainCardNo: MAIN });
  });

  it('a blank customer card is stock; a holder on the chip is issued; another card type is refused', () => {
    expect(findingOf(reading(USER, EMPTY_EF16)).kind).toBe('stock');
    expect(findingOf(reading(USER, '01' + EMPTY_EF16.slice(2))).kind).toBe('issued');
    expect(findingOf(reading('02', EMPTY_EF16)).kind).toBe('not-customer-card');
  });

  it('a unit’s holder: a name of at most 20 GBK bytes and an ID number of printable ASCII up to 18', () => {
    expect(holderFrom({ name: ' 李娜 ', idType: 2, idNumber: 'B123' })).toEqual({ holder: { name: '李娜', idType: 2, idNumber: 'B123' } });
    expect(holderFrom({ name: '', idType: 1, idNumber: '' })).toEqual({ problem: 'name' });
    expect(holderFrom({ name: '一二三四五六七八九十一', idType: 1, idNumber: '' })).toEqual({ problem: 'name' });
    expect(holderFrom({ name: '李娜', idType: 1, idNumber: '1234567890123456789' })).toEqual({ problem: 'id_number' });
    expect(holderFrom({ name: '李娜', idType: 1, idNumber: '证件' })).toEqual({ problem: 'id_number' });
    expect(holderFrom({ name: '李娜', idType: 9, idNumber: '' })).toEqual({ problem: 'id_number' });
  });

  it('the PIN is 4 to 6 digits, typed twice alike', () => {
    expect(pinProblem('2468', '2468')).toBeNull();
    expect(pinProblem('246810', '246811')).toBe('pin_mismatch');
    expect(pinProblem('123', '123')).toBe('pin_format');
    expect(pinProblem('1234567', '1234567')).toBe('pin_format');
    expect(pinProblem('12a4', '12a4')).toBe('pin_format');
  });

  it('the slip names the printed card number, the holder and the fee', () => {
    const slip = issueSlip(
      {
        issueId: 'i-1',
        cardNo: '01000000000000000001',
        holder: { name: '张伟', idType: 1, idNumber: 'x' },
        feeFen: CARD_FEE_FEN,
        expiresOn: null,
        resumed: false,
      },
      { operatorName: 'op', outletName: 'outlet', terminalId: '000000000001', atMs: 1 },
    );
    expect(slip).toMatchObject({
      kind: 'issue',
      amountFen: CARD_FEE_FEN,
      cardNo: '1000000000000000001',
      customerName: '张伟',
      reference: 'i-1',
    });
  });
});
