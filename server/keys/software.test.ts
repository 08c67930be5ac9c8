/**
 * Keys in the software key store leave memory zeroised: a card key evicted from its cache, and
 * every master and card key (and the DES key schedules) when the app closes. The tests hold on to
 * the very arrays the store keeps, reaching into its private caches, as only a test should.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../ccid/bytes.ts';
import { keySchedule } from '../../ccid/crypto/des.ts';
import { buildApp } from '../app.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { seedDemo } from '../demo/seed.ts';
import { LIMITS } from '../limits.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import type { Mac2Input } from './keystore.ts';
import { SoftwareKeyStore } from './software.ts';

type Caches = { cardKeys: Map<string, Uint8Array>; masters: Map<number, Map<string, Uint8Array>> };
const cachesOf = (store: SoftwareKeyStore): Caches => store as unknown as Caches;

/** A 20-digit card number of its own for each `i`. */
const cardNo = (i: number): string => (10n ** 19n + BigInt(i)).toString();
const allZero = (bytes: Uint8Array | Int32Array): boolean => bytes.every((b) => b === 0);

describe(`the software key store's keys in memory, on ${testEngine()}`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await seedDemo(db);
  });
  afterAll(async () => db?.close());

  const mac2 = (store: SoftwareKeyStore, card: string): Promise<Uint8Array> => {
    const input: Mac2Input = {
      kind: 'load',
      cardNo: card,
      keyVersion: 1,
      random: fromHex('01020304'),
      onlineTtc: 1,
      amountFen: 100,
      transType: 2,
      terminalId: fromHex('320100000001'),
      date: fromHex('20240102'),
      time: fromHex('030405'),
    };
    return store.mac2(db, input);
  };

  it('zeroises the card key it evicts from its cache, and derives it again when the card comes back', async () => {
    const store = new SoftwareKeyStore(DEMO_KEK_HEX);
    const first = await mac2(store, cardNo(0));
    const held = cachesOf(store).cardKeys.get(`MLK:1:${cardNo(0)}`)!;
    expect(allZero(held)).toBe(false);
    for (let i = 1; i <= LIMITS.cardKeyCacheSizeMax; i++) await mac2(store, cardNo(i));
    expect(cachesOf(store).cardKeys.has(`MLK:1:${cardNo(0)}`)).toBe(false);
    expect(cachesOf(store).cardKeys.size).toBe(LIMITS.cardKeyCacheSizeMax);
    expect(allZero(held)).toBe(true);
    expect(await mac2(store, cardNo(0))).toEqual(first);
  });

  it('zeroises every master key, card key and DES key schedule when the app closes', async () => {
    const store = new SoftwareKeyStore(DEMO_KEK_HEX);
    const app = await buildApp({
      db,
      config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX },
      keyStore: store,
      logger: false,
    });
    const answer = await mac2(store, cardNo(1));
    const masters = [...cachesOf(store).masters.get(1)!.values()];
    const cardKey = cachesOf(store).cardKeys.get(`MLK:1:${cardNo(1)}`)!;
    const schedule = keySchedule(cardKey, 0);
    // MLK, MULK, MTK and, for card issuing, MAMTK (the demo holds it).
    expect(masters).toHaveLength(4);
    for (const key of [...masters, cardKey]) expect(allZero(key)).toBe(false);
    expect(allZero(schedule)).toBe(false);

    await app.close();
    for (const key of [...masters, cardKey]) expect(allZero(key)).toBe(true);
    expect(allZero(schedule)).toBe(true);
    expect(cachesOf(store).masters.size + cachesOf(store).cardKeys.size).toBe(0);
    // Used after close, the store reads its keys again.
    expect(await mac2(store, cardNo(1))).toEqual(answer);
  });
});
