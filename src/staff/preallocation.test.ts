import { describe, expect, it } from 'vitest';
import type { CustomerDetail } from '../../server/contract/customers.ts';
import { allocatableCards, allocationsFrom, mainCardOf } from './preallocation.ts';

function unit(cards: Array<[string, 'single' | 'main' | 'sub', string]>, kind: 'unit' | 'personal' = 'unit'): CustomerDetail {
  return {
    customer: { id: '9', kind, name: '演示运输公司' },
    cards: cards.map(([cardNo, role, state]) => ({ cardNo, role, state, named: true, grey: false, mainCardNo: null })),
    revisions: [],
  } as unknown as CustomerDetail;
}

describe('pre-allocation at the outlet tablet (src/staff/preallocation.ts)', () => {
  it('funds the unit’s active main and sub cards, the main card first; a person has none', () => {
    const detail = unit([
      ['S1', 'sub', 'active'],
      ['M', 'main', 'active'],
      ['S2', 'sub', 'lost'],
    ]);
    expect(allocatableCards(detail)).toEqual(['M', 'S1']);
    expect(mainCardOf(detail)).toBe('M');
    expect(allocatableCards(unit([['P', 'single', 'active']], 'personal'))).toEqual([]);
    expect(mainCardOf(unit([['M', 'main', 'lost']]))).toBeNull();
  });

  it('takes the typed amounts in yuan, skips blank ones, and refuses a bad amount, a card twice, nothing, or more than the quota', () => {
    expect(
      allocationsFrom(
        [
          { cardNo: 'S1', text: '100.50' },
          { cardNo: 'S2', text: ' ' },
          { cardNo: 'S3', text: '20' },
        ],
        20_050 + 2_000,
      ),
    ).toEqual({
      allocations: [
        { cardNo: 'S1', amountFen: 10_050 },
        { cardNo: 'S3', amountFen: 2_000 },
      ],
      totalFen: 12_050,
    });
    expect(allocationsFrom([{ cardNo: 'S1', text: '0' }], null)).toEqual({ problem: { kind: 'amount', cardNo: 'S1' } });
    expect(allocationsFrom([{ cardNo: 'S1', text: '1.234' }], null)).toEqual({ problem: { kind: 'amount', cardNo: 'S1' } });
    expect(allocationsFrom([{ cardNo: 'S1', text: '-5' }], null)).toEqual({ problem: { kind: 'amount', cardNo: 'S1' } });
    expect(
      allocationsFrom(
        [
          { cardNo: 'S1', text: '1' },
          { cardNo: 'S1', text: '2' },
        ],
        null,
      ),
    ).toEqual({ problem: { kind: 'amount', cardNo: 'S1' } });
    expect(allocationsFrom([{ cardNo: 'S1', text: '' }], null)).toEqual({ problem: { kind: 'none' } });
    expect(allocationsFrom([{ cardNo: 'S1', text: '30' }], 2_999)).toEqual({ problem: { kind: 'over_quota', totalFen: 3_000 } });
  });
});
