import { describe, expect, it } from 'vitest';
import { groupedCardNo, todayIso } from './facts.ts';

describe('card facts as the kiosk shows them', () => {
  it('groups a card number in fours, as it is printed on the card', () => {
    expect(groupedCardNo('1000113200100000011')).toBe('1000 1132 0010 0000 011');
    expect(groupedCardNo('10001132')).toBe('1000 1132');
    expect(groupedCardNo('123')).toBe('123');
  });

  it('takes today as Beijing’s calendar day: 23:30 UTC is already tomorrow there', () => {
    expect(todayIso(Date.parse('2026-12-06T23:30:00Z'))).toBe('2026-12-07');
    expect(todayIso(Date.parse('2026-12-07T15:59:59Z'))).toBe('2026-12-07');
    expect(todayIso(Date.parse('2026-12-07T16:00:00Z'))).toBe('2026-12-08');
  });
});
