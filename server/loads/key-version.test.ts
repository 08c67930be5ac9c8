/**
 * A card answer naming a key version the issuer does not hold (issue 11, item 2). On PGlite one
 * such recovery, by request or by push, used to hang the whole server for good: the key store read
 * issuer_key on a connection of its own while the request's transaction held PGlite's only one.
 * Every such answer is refused KEY_VERSION_UNKNOWN on both engines, and the server goes on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEK_HEX } from '../config.ts';
import { generateKeySet, storeKeySet } from '../keys/ceremony.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { initializeForLoad, openCard, simCard, KIOSK_TERMINAL_ID } from '../testing/sim.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

/** Settles `promise`, or rejects when it has not within `ms`: a hung server fails the test instead of stalling the run. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: the server hangs`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const ANSWER_MS = 10_000;
/** Versions the demo issuer does not hold (it holds 1): a small one and one near the byte's top. */
const UNKNOWN_KEY_VERSIONS = [7, 200] as const;

describe(`a card naming a key version the issuer does not hold, on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const zhangWei = () => {
    const c = simCard(1, [50_000, 30_000]);
    openCard(c.card, c.pin);
    return c;
  };
  const probe = (keyVersion: number) => {
    const { card, cardNo } = zhangWei();
    return { cardNo, probe: { amountFen: 0, terminalId: KIOSK_TERMINAL_ID, answer: { ...initializeForLoad(card, 0), keyVersion } } };
  };
  const healthy = async () => {
    const health = await within(ANSWER_MS, t.app.inject({ method: 'GET', url: '/healthz' }));
    expect(health.statusCode).toBe(200);
  };
  const kioskPush = async (type: string, payload: unknown) => {
    const head = await t.db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-kiosk-1'");
    const seq = Number(head.rows[0]?.last_seq ?? 0n) + 1;
    const r = await within(
      ANSWER_MS,
      t.post(
        '/api/v1/sync/push',
        { contractVersion: CONTRACT_VERSION, operations: [{ id: randomUUID(), deviceId: 'demo-kiosk-1', seq, type, payload }] },
        t.kiosk,
      ),
    );
    expect(r.statusCode).toBe(200);
    return r.json().results[0] as { status: string; error?: { code: string } };
  };

  it.each(UNKNOWN_KEY_VERSIONS)(
    'refuses a recovery naming key version %i with 409 KEY_VERSION_UNKNOWN, changes nothing, and still answers /healthz',
    async (keyVersion) => {
      const before = await snapshot(t.db);
      const recovered = await within(ANSWER_MS, t.post('/api/v1/loads/recover', probe(keyVersion), t.kiosk));
      expect(recovered.statusCode).toBe(409);
      expect(recovered.json().error.code).toBe('KEY_VERSION_UNKNOWN');
      await healthy();
      expect(await snapshot(t.db)).toBe(before);
    },
  );

  it.each(UNKNOWN_KEY_VERSIONS)(
    'records a pushed load.recover naming key version %i as refused with KEY_VERSION_UNKNOWN, and still answers /healthz',
    async (keyVersion) => {
      expect(await kioskPush('load.recover', probe(keyVersion))).toMatchObject({
        status: 'rejected',
        error: { code: 'KEY_VERSION_UNKNOWN' },
      });
      await healthy();
    },
  );

  it.each(UNKNOWN_KEY_VERSIONS)('refuses a load initialise naming key version %i with 409 KEY_VERSION_UNKNOWN', async (keyVersion) => {
    const { card, cardNo } = zhangWei();
    const started = await within(
      ANSWER_MS,
      t.post(
        '/api/v1/loads/initialise',
        {
          operationId: randomUUID(),
          cardNo,
          amountFen: 100,
          sourceAccount: 'QUOTA',
          terminalId: KIOSK_TERMINAL_ID,
          card: { ...initializeForLoad(card, 100), keyVersion },
        },
        t.kiosk,
      ),
    );
    expect(started.statusCode).toBe(409);
    expect(started.json().error.code).toBe('KEY_VERSION_UNKNOWN');
    await healthy();
  });

  it('finds a key version stored while the server runs at its first use, inside the recovery transaction', async () => {
    await storeKeySet(t.db, { kekHex: DEMO_KEK_HEX, keyVersion: 7, keys: generateKeySet(), replace: false, action: 'keys.generate' });
    // The card was personalised under version 1, so its MAC1 does not verify under the new
    // version 7: MAC1_INVALID shows the store read version 7 where KEY_VERSION_UNKNOWN was before.
    const recovered = await within(ANSWER_MS, t.post('/api/v1/loads/recover', probe(7), t.kiosk));
    expect(recovered.json().error.code).toBe('MAC1_INVALID');
    expect(await kioskPush('load.recover', probe(7))).toMatchObject({ status: 'rejected', error: { code: 'MAC1_INVALID' } });
    expect((await t.post('/api/v1/loads/recover', probe(200), t.kiosk)).json().error.code).toBe('KEY_VERSION_UNKNOWN');
    await healthy();
  });
});
