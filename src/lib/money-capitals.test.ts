/** The amount in Chinese capital numerals that every staff slip prints (src/lib/money.ts moneyInCapitals). */
import { describe, expect, it } from 'vitest';
import { moneyInCapitals } from './money.ts';

describe('moneyInCapitals', () => {
  it.each([
    [0, '零元整'],
    [12345, '壹佰贰拾叁元肆角伍分'],
    [100, '壹元整'],
    [10000, '壹佰元整'],
    [1000000, '壹万元整'],
    [2000000, '贰万元整'],
    [10, '壹角整'],
    [5, '伍分'],
    [15, '壹角伍分'],
    [120, '壹元贰角整'],
    [105, '壹元零伍分'],
    [100005, '壹仟元零伍分'],
    [100500, '壹仟零伍元整'],
    [105000, '壹仟零伍拾元整'],
    [1000500, '壹万零伍元整'],
    [10010000, '壹拾万零壹佰元整'],
    [10001000000, '壹亿零壹万元整'],
    [10000000000, '壹亿元整'],
    [123456789012, '壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分'],
    [100000010000, '壹拾亿零壹佰元整'],
    [100000000000000, '壹万亿元整'],
    [1000000000000000, '壹拾万亿元整'],
  ])('%i fen is %s', (fen, text) => {
    expect(moneyInCapitals(fen)).toBe(text);
  });

  it('refuses what is not a whole, non-negative number of fen', () => {
    expect(() => moneyInCapitals(-1)).toThrow(RangeError);
    expect(() => moneyInCapitals(1.5)).toThrow(RangeError);
    expect(() => moneyInCapitals(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});
