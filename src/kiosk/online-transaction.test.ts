/**
 * The shared client for online card transactions, against a simulated demo card and the kiosk's
 * in-memory central accounts (which check MAC1 and make MAC2 with the real cryptography): what
 * each outcome leaves in the journal, the outbox port and the card. The kiosk's and the tablet's
 * own tests drive the same code through their screens; here are the outcomes they cannot reach
 * easily, such as a card that takes a load but garbles its answer.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { getBalance, selectSinopec, verifyPin } from '../../ccid/fuelcard/card.ts';
import { createDemoCard } from '../../ccid/sim/demo/cards.ts';
import { FakeBackend } from './testing/fake-backend.ts';
import { DeviceDatabase } from '../lib/device-db/database.ts';
import { openEntries } from '../lib/online/journal.ts';
import type { OnlinePort } from '../lib/online/port.ts';
import { OnlineTransactionError, runOnlineTransaction, type OnlineStep } from '../lib/online/transaction.ts';

const TERMINAL_ID = '320100000009';
const INS_CREDIT_FOR_LOAD = 0x52;
let dbCount = 0;
const dbs: DeviceDatabase[] = [];

async function setup(options: { garbleCredit?: boolean } = {}) {
  const demo = createDemoCard('named');
  demo.card.powerOn();
  const cardNo = toHex(demo.asn);
  // A card that commits CREDIT FOR LOAD and answers it with a truncated TAC (the bytes lost on the way back).
  const transmit = async (apdu: Uint8Array) => {
    const answer = demo.card.transmit(apdu);
    if (options.garbleCredit && apdu[1] === INS_CREDIT_FOR_LOAD) return Uint8Array.of(answer[0]!, 0x90, 0x00);
    return answer;
  };
  await selectSinopec(transmit);
  await verifyPin(transmit, demo.pin);
  const port = new FakeBackend();
  port.waitingFen.set(cardNo, 50_000);
  const db = new DeviceDatabase(`online-transaction-test-${++dbCount}`);
  dbs.push(db);
  const deps = { port, db, terminalId: TERMINAL_ID, nowMs: Date.UTC(2026, 11, 7, 4, 0, 0) };
  return { demo, cardNo, transmit, port, db, deps };
}

afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

describe('runOnlineTransaction', () => {
  it('loads: the card credited, its TAC queued, the journal entry closed, the steps in order', async () => {
    const { cardNo, transmit, port, db, deps } = await setup();
    const before = await getBalance(transmit);
    const steps: OnlineStep[] = [];
    const done = await runOnlineTransaction(deps, transmit, { kind: 'load', cardNo, amountFen: 12_000, onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['card', 'server', 'write', 'confirm']);
    expect(await getBalance(transmit)).toBe(before + 12_000);
    expect(done.card.balanceFenAfter).toBe(before + 12_000);
    expect(port.settlements).toEqual([expect.objectContaining({ kind: 'tac', loadId: done.loadId, tac: done.card.tac })]);
    expect(port.loads.find((l) => l.loadId === done.loadId)?.state).toBe('posted');
    expect(await openEntries(db, cardNo)).toEqual([]);
  });

  it('refused by the server before the journal: the BackendError as it came, nothing journaled, the card untouched', async () => {
    const { cardNo, transmit, port, db, deps } = await setup();
    const before = await getBalance(transmit);
    port.refuseNextLoad = 'INSUFFICIENT_FUNDS';
    await expect(runOnlineTransaction(deps, transmit, { kind: 'load', cardNo, amountFen: 12_000 })).rejects.toMatchObject({
      name: 'BackendError',
      code: 'INSUFFICIENT_FUNDS',
    });
    expect(await getBalance(transmit)).toBe(before);
    expect(await db.loadJournal.count()).toBe(0);
    expect(port.settlements).toEqual([]);
  });

  it('a card that takes the load but garbles its answer: CARD_TOOK_IT, settled from its counter with its proof', async () => {
    const { cardNo, transmit, port, db, deps } = await setup({ garbleCredit: true });
    const before = await getBalance(transmit);
    const error = await runOnlineTransaction(deps, transmit, { kind: 'load', cardNo, amountFen: 7_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OnlineTransactionError);
    expect(error).toMatchObject({ code: 'CARD_TOOK_IT' });
    expect(await getBalance(transmit)).toBe(before + 7_000);
    const loadId = (error as OnlineTransactionError).loadId;
    expect(port.settlements).toEqual([expect.objectContaining({ kind: 'recover', loadId, prove: expect.anything() })]);
    expect(port.loads.find((l) => l.loadId === loadId)?.state).toBe('posted');
    expect(await openEntries(db, cardNo)).toEqual([]);
  });

  it('a card that refuses the MAC2: CARD_REFUSED, the reservation released on its counter', async () => {
    const { cardNo, transmit, port, db, deps } = await setup();
    const before = await getBalance(transmit);
    const corruptPort: OnlinePort = {
      initialise: async (request) => ({ ...(await port.initialise(request)), mac2: '00000000' }),
      queue: (proof) => port.queue(proof),
      send: () => port.send(),
      flush: () => port.flush(),
    };
    const corrupt = { ...deps, port: corruptPort };
    const error = await runOnlineTransaction(corrupt, transmit, { kind: 'load', cardNo, amountFen: 7_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OnlineTransactionError', code: 'CARD_REFUSED' });
    expect(await getBalance(transmit)).toBe(before);
    expect(port.loads.at(-1)?.state).toBe('voided');
    expect(port.waitingFen.get(cardNo)).toBe(50_000);
    expect(await openEntries(db, cardNo)).toEqual([]);
  });

  it('refuses an unload without a destination and a non-positive amount before touching the card', async () => {
    const { cardNo, transmit, deps } = await setup();
    await expect(runOnlineTransaction(deps, transmit, { kind: 'unload', cardNo, amountFen: 100 })).rejects.toThrow(/destination/);
    await expect(runOnlineTransaction(deps, transmit, { kind: 'load', cardNo, amountFen: 0 })).rejects.toThrow(/positive/);
  });
});
