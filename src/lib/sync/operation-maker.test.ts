/**
 * The outbox stamps what it queues with the signed-in operator's session (docs/sync.md "The maker
 * of an operation"): the stamp travels with the push, its proof is the HMAC the server checks,
 * and nothing is stamped when nobody is signed in.
 */
import 'fake-indexeddb/auto';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makerMessage } from '../../../server/contract/maker.ts';
import { DeviceDatabase } from '../device-db/database.ts';
import { Outbox, type PushOperation } from '../outbox/outbox.ts';
import { makerStamp } from './operation-maker.ts';

const SESSION = { sessionId: '0190b2a4-7c1e-7000-8000-000000000001', operationKey: 'ab'.repeat(32) };
let dbCount = 0;

describe('the maker stamp', () => {
  it('stamps each queued operation with the session, its time and an HMAC the server can check, and sends it', async () => {
    let signedIn = true;
    const outbox = new Outbox(new DeviceDatabase(`maker-test-${++dbCount}`), {
      maker: () => (signedIn ? makerStamp('demo-tablet-1', SESSION) : null),
    });
    const nowMs = Date.parse('2026-12-07T10:00:00.000Z');
    const record = await outbox.enqueue('receipt.cash', { customerId: '7', amountFen: 50_000 }, nowMs);
    expect(record.maker).toMatchObject({ sessionId: SESSION.sessionId, madeAt: '2026-12-07T10:00:00.000Z' });
    const message = makerMessage(
      { id: record.id, deviceId: 'demo-tablet-1', type: 'receipt.cash', payload: { amountFen: 50_000, customerId: '7' } },
      SESSION.sessionId,
      record.maker!.madeAt,
    );
    expect(record.maker!.proof).toBe(createHmac('sha256', Buffer.from(SESSION.operationKey, 'hex')).update(message).digest('hex'));
    expect((await outbox.get(record.id))?.maker).toEqual(record.maker);
    // Signed out: what is queued now carries no maker (the server books it to whoever sends it).
    signedIn = false;
    const bare = await outbox.enqueue('receipt.cash', { customerId: '7', amountFen: 100 }, nowMs);
    expect(bare.maker).toBeUndefined();
    const sent: PushOperation[] = [];
    await outbox.drain('demo-tablet-1', async (_deviceId, ops) => {
      sent.push(...ops);
      return ops.map((op) => ({ id: op.id, outcome: 'applied' as const, result: null }));
    });
    expect(sent.map((op) => op.maker)).toEqual([record.maker, undefined]);
  });
});
