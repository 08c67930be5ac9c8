import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { DeviceDatabase } from '../device-db/database.ts';
import { Outbox, type PushTransport } from '../outbox/outbox.ts';
import { SyncLoop } from './sync-loop.ts';

let dbCount = 0;

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the sync loop', () => {
  it('shows what the outbox holds at start, while the first drain is still waiting for the server', async () => {
    const outbox = new Outbox(new DeviceDatabase(`sync-loop-test-${++dbCount}`));
    await outbox.enqueue('inquiry', { cardNo: '1' });
    await outbox.enqueue('inquiry', { cardNo: '2' });
    let answer: (() => void) | undefined;
    const push: PushTransport = (_deviceId, operations) =>
      new Promise((resolve) => (answer = () => resolve(operations.map((op) => ({ id: op.id, outcome: 'applied', result: null })))));
    // A fresh loop over an outbox that already holds work: a page reloaded with a queue.
    const sync = new SyncLoop({ outbox, push, deviceId: () => 'kiosk-1' });
    sync.start(null, 60_000);
    await until(() => answer !== undefined);
    expect(get(sync.queued)).toBe(2);
    answer!();
    await until(() => get(sync.queued) === 0);
    sync.stop();
  });

  it('retries soon after the network fails, not only on the next interval', async () => {
    const outbox = new Outbox(new DeviceDatabase(`sync-loop-test-${++dbCount}`));
    await outbox.enqueue('inquiry', { cardNo: '1' });
    let calls = 0;
    const push: PushTransport = async (_deviceId, operations) => {
      calls++;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return operations.map((op) => ({ id: op.id, outcome: 'applied', result: null }));
    };
    const sync = new SyncLoop({ outbox, push, deviceId: () => 'kiosk-1' });
    // An interval far longer than the test: only the retry can drain the queue in time.
    sync.start(null, 3_600_000);
    await until(() => calls === 2 && get(sync.queued) === 0, 10_000);
    expect(await outbox.queuedCount()).toBe(0);
    sync.stop();
  });
});
