import { describe, expect, it } from 'vitest';
import type { CardSummary } from '../../server/contract/cards.ts';
import { accountViewOf, waitingAccountOf } from './http-backend.ts';

function card(role: CardSummary['role']): CardSummary {
  return {
    cardNo: '1000320000000008',
    state: 'active',
    grey: false,
    named: true,
    role,
    onlineTtcSeen: 3,
    purseLimitFen: 500_000,
    accounts: [
      { code: 'QUOTA', balanceFen: 90_000, availableFen: 90_000, pendingFen: 0 },
      { code: 'RESERVE', balanceFen: 12_000, availableFen: 11_000, pendingFen: -1_000 },
      { code: 'PURSE', balanceFen: 3_000, availableFen: 3_000, pendingFen: 0 },
    ],
  };
}

describe('the money waiting for a card', () => {
  it('is the quota for a single-user card and the reserve for every card of a unit, main cards included', () => {
    expect(waitingAccountOf('single')).toBe('QUOTA');
    expect(waitingAccountOf('main')).toBe('RESERVE');
    expect(waitingAccountOf('sub')).toBe('RESERVE');
  });

  it('shows a main card what its reserve can still give, not the unit quota it may not load from', () => {
    expect(accountViewOf(card('main')).waitingFen).toBe(11_000);
    expect(accountViewOf(card('sub')).waitingFen).toBe(11_000);
    expect(accountViewOf(card('single')).waitingFen).toBe(90_000);
  });
});
