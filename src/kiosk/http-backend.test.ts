import { describe, expect, it } from 'vitest';
import type { CardSummary } from '../../server/contract/cards.ts';
import { ApiClient } from '../lib/sync/client.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { SyncLoop } from '../lib/sync/sync-loop.ts';
import { accountViewOf, HttpKioskBackend, waitingAccountOf } from './http-backend.ts';

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

describe("the kiosk's load initialise", () => {
  it("names no source account (the server picks the card's) and hands on the balances the server answers", async () => {
    const sent: unknown[] = [];
    const answer = {
      load: {
        loadId: '01890000-0000-7000-8000-0000000000aa',
        kind: 'load',
        cardNo: '01000113200000000001',
        onlineTtc: 3,
        amountFen: 1_000,
        balanceFenAfter: 4_000,
        state: 'pending',
        settledBy: null,
        probeChallenge: 'A1B2C3D4E5F6',
      },
      balances: { account: 'RESERVE', accountAvailableFen: 10_000, purseMirrorFen: 4_000 },
      mac2: '0A0B0C0D',
      date: '20261126',
      time: '120000',
      settledPrevious: null,
    };
    const fetchStub = (async (_url: RequestInfo | URL, init: RequestInit = {}) => {
      sent.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const api = new ApiClient({ baseUrl: 'https://fuelcard.test', credentials: () => null, fetch: fetchStub });
    const backend = new HttpKioskBackend({ api, outbox: {} as Outbox, sync: {} as SyncLoop });
    const auth = await backend.initialise({
      kind: 'load',
      operationId: '01890000-0000-7000-8000-000000000001',
      cardNo: '01000113200000000001',
      amountFen: 1_000,
      terminalId: '320100000001',
      card: { balanceFen: 3_000, onlineTtc: 3, keyVersion: 1, algId: 2, random: '00112233', mac1: '44556677' },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('sourceAccount');
    expect(auth).toMatchObject({
      loadId: answer.load.loadId,
      mac2: '0A0B0C0D',
      probeChallenge: 'A1B2C3D4E5F6',
      balances: { account: 'RESERVE', accountAvailableFen: 10_000, purseMirrorFen: 4_000 },
    });
  });
});
