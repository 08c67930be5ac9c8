/**
 * An app of another contract version against the real server (PGlite with the demo data, reached
 * through fastify's inject by the app's own ApiClient, Outbox and SyncLoop): the sync loop stops
 * in `update-required`, sends nothing more, and its outbox keeps every operation queued, never
 * settled as a business refusal; an app of the right version, started on the same outbox, sends
 * them and they are applied once.
 */
import 'fake-indexeddb/auto';
import type { FastifyInstance } from 'fastify';
import { get } from 'svelte/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../../server/contract/version.ts';
import { DEMO_DEVICE_SECRETS } from '../../../server/demo/seed.ts';
import { demoCardNo } from '../../../server/demo/money.ts';
import { expectSound, openTestApp, type TestApp } from '../../../server/testing/app.ts';
import { DeviceDatabase } from '../device-db/database.ts';
import { Outbox } from '../outbox/outbox.ts';
import { ApiClient } from './client.ts';
import { httpPush } from './push.ts';
import { SyncLoop } from './sync-loop.ts';

const BASE_URL = 'https://fuelcard.test';
const KIOSK = 'demo-kiosk-1';
const SETUP_TIMEOUT_MS = 60_000;
const WAIT_MS_MAX = 10_000;
const TEST_TIMEOUT_MS = 30_000;

/** fetch over fastify's inject; `answer` may rewrite the server's JSON answer on its way back. */
function injectFetch(
  app: FastifyInstance,
  seen: string[],
  answer: (path: string, json: unknown) => unknown = (_path, json) => json,
): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    seen.push(url.pathname);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: url.pathname + url.search,
      headers,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    return new Response(JSON.stringify(answer(url.pathname, response.json())), {
      status: response.statusCode,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS_MAX;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let dbCount = 0;

describe('a device whose app speaks another contract version than the server', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  const loops: SyncLoop[] = [];
  beforeAll(async () => {
    t = await openTestApp();
  }, SETUP_TIMEOUT_MS);
  afterEach(async () => {
    for (const loop of loops.splice(0)) loop.stop();
    await expectSound(t.db);
  });
  afterAll(async () => t?.close());

  const apiFor = (seen: string[], options: { contractVersion?: number; answer?: (path: string, json: unknown) => unknown } = {}) =>
    new ApiClient({
      baseUrl: BASE_URL,
      credentials: () => ({ deviceId: KIOSK, secret: DEMO_DEVICE_SECRETS[KIOSK] }),
      fetch: injectFetch(t.app, seen, options.answer),
      ...(options.contractVersion === undefined ? {} : { contractVersion: options.contractVersion }),
    });
  const loopOn = (outbox: Outbox, api: ApiClient): SyncLoop => {
    const loop = new SyncLoop({ outbox, push: httpPush(api), deviceId: () => KIOSK });
    api.onContractMismatch(() => loop.requireUpdate());
    loops.push(loop);
    return loop;
  };
  const serverRecords = async (ids: string[]) =>
    (await t.db.query<{ status: string }>('SELECT status FROM operation WHERE id = ANY($1::uuid[])', [ids])).rows.map((r) => r.status);
  /** A fresh device database for the demo kiosk, numbering on from what the server applied of it last. */
  const freshOutbox = async (): Promise<Outbox> => {
    const db = new DeviceDatabase(`contract-version-test-${++dbCount}`);
    const head = await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [KIOSK]);
    await db.settings.put({ key: 'outbox.nextSeq', value: Number(head.rows[0]?.last_seq ?? 0n) + 1 });
    return new Outbox(db);
  };
  const queueInquiries = async (outbox: Outbox) =>
    [await outbox.enqueue('inquiry', { cardNo: demoCardNo(1) }), await outbox.enqueue('inquiry', { cardNo: demoCardNo(2) })].map(
      (r) => r.id,
    );

  /** The stopped loop's outbox: every operation still queued, none settled, nothing more sent. */
  async function expectStoppedWithQueueKept(loop: SyncLoop, outbox: Outbox, ids: string[], seen: string[]): Promise<void> {
    await until(() => get(loop.status) === 'update-required', 'the loop to stop for an update');
    for (const id of ids) {
      const record = await outbox.get(id);
      expect(record, id).toMatchObject({ status: 'queued' });
      expect(record?.errorCode, id).toBeUndefined();
      expect(record?.settledAtMs, id).toBeUndefined();
    }
    expect(await outbox.queuedCount()).toBe(ids.length);
    const sentBefore = seen.length;
    loop.kick();
    await loop.queuedChanged();
    expect(await loop.drain()).toBeNull();
    expect(seen.length, 'a stopped loop sends nothing').toBe(sentBefore);
    expect(get(loop.queued)).toBe(ids.length);
  }

  /** An app of the right version started on the same outbox: its loop sends the queue, applied once. */
  async function resumeWithTheRightApp(outbox: Outbox, ids: string[]): Promise<string[]> {
    const seen: string[] = [];
    const loop = loopOn(outbox, apiFor(seen));
    loop.start(null, 60_000);
    expect(get(loop.status)).toBe('running');
    await until(async () => (await outbox.queuedCount()) === 0, 'the right app to send the queue');
    for (const id of ids) expect(await outbox.get(id), id).toMatchObject({ status: 'applied' });
    expect(get(loop.status)).toBe('running');
    return seen;
  }

  it('stops its sync loop for an update when the server refuses its version, keeps the queue, and the right app sends it', async () => {
    const outbox = await freshOutbox();
    const ids = await queueInquiries(outbox);
    const seen: string[] = [];
    const loop = loopOn(outbox, apiFor(seen, { contractVersion: CONTRACT_VERSION + 1 }));
    loop.start(null, 60_000);
    await expectStoppedWithQueueKept(loop, outbox, ids, seen);
    expect(seen).toEqual(['/api/v1/sync/push']);
    // The server looked at none of it.
    expect(await serverRecords(ids)).toEqual([]);
    await resumeWithTheRightApp(outbox, ids);
    expect(await serverRecords(ids)).toEqual(['applied', 'applied']);
  });

  it('stops its sync loop when the answer comes under another version, even though the server applied the push, and the right app gets the first results back', async () => {
    const outbox = await freshOutbox();
    const ids = await queueInquiries(outbox);
    const seen: string[] = [];
    // A server of another version, as far as this app can tell from its answers.
    const otherAnswer = (_path: string, json: unknown) => ({ ...(json as object), contractVersion: CONTRACT_VERSION + 1 });
    const loop = loopOn(outbox, apiFor(seen, { answer: otherAnswer }));
    loop.start(null, 60_000);
    await expectStoppedWithQueueKept(loop, outbox, ids, seen);
    expect(await serverRecords(ids)).toEqual(['applied', 'applied']);
    await resumeWithTheRightApp(outbox, ids);
    expect(await serverRecords(ids)).toEqual(['applied', 'applied']);
  });

  it('stops its sync loop when a pull (the kiosk reads one at every card) meets another version', async () => {
    const outbox = await freshOutbox();
    const ids = await queueInquiries(outbox);
    const seen: string[] = [];
    const api = apiFor(seen, { contractVersion: CONTRACT_VERSION - 1 });
    const loop = loopOn(outbox, api);
    await expect(api.call('syncPull', { body: { cardNos: [demoCardNo(1)] } })).rejects.toMatchObject({ code: 'CONTRACT_VERSION_MISMATCH' });
    expect(get(loop.status)).toBe('update-required');
    loop.start(null, 60_000);
    await expectStoppedWithQueueKept(loop, outbox, ids, seen);
    expect(seen).toEqual(['/api/v1/sync/pull']);
    await resumeWithTheRightApp(outbox, ids);
  });
});
