import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Decimal from 'decimal.js';
import { formatMoney, formatYuan, parseYuan } from './money.ts';

describe('money as people read it', () => {
  it('formats fen as yuan with two decimals and thousands separators', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(12345)).toBe('123.45');
    expect(formatYuan(123456789)).toBe('1,234,567.89');
    expect(formatMoney(-150)).toBe('-¥1.50');
  });

  it('parses what people type and refuses what is not an amount', () => {
    expect(parseYuan('100')).toBe(10000);
    expect(parseYuan('0.1')).toBe(10);
    expect(parseYuan(' 12.34 ')).toBe(1234);
    for (const bad of ['', '-1', '1.234', 'abc', '1e3', '1,000', '.5', '0x10', '9999999999']) expect(parseYuan(bad), bad).toBeNull();
  });

  it('round-trips every amount without floating-point error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (fen) => {
        expect(parseYuan(formatYuan(fen).replace(/,/g, ''))).toBe(fen);
      }),
    );
  });

  it('agrees with decimal.js on every safe amount, both ways', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        const yuan = new Decimal(fen).dividedBy(100).toFixed(2);
        const [whole, cents] = yuan.split('.');
        expect(formatYuan(fen)).toBe(`${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,9}(\.\d{1,2})?$/), (typed) => {
        expect(parseYuan(typed)).toBe(new Decimal(typed).times(100).toNumber());
      }),
    );
  });

  it('refuses a fen amount that is not a whole number', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });
});
