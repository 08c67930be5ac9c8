import { createCipheriv, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { verifyAudit } from '../audit/log.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { TEST_MASTER_KEYS } from '../testing/sim.ts';
import {
  STORED_KEY_KINDS,
  checkKeySet,
  formatKeyFile,
  generateKeySet,
  keyCheckValue,
  keyChecks,
  listKeySets,
  parseKeyFile,
  storeKeySet,
  type MasterKeySet,
} from './ceremony.ts';
import { KeyStoreError } from './keystore.ts';
import { SoftwareKeyStore } from './software.ts';

const KEK = 'a1'.repeat(32);
const OTHER_KEK = 'b2'.repeat(32);
const hex16 = (): string => randomBytes(16).toString('hex').toUpperCase();
const fileOf = (keys: Record<string, unknown>): string => JSON.stringify(keys);
const threeKeys = (): Record<string, string> => ({ MLK: hex16(), MULK: hex16(), MTK: hex16() });

/** The KCV computed by OpenSSL's two-key 3DES, independently of ccid/crypto. */
function opensslKcv(key: Uint8Array): string {
  const cipher = createCipheriv('des-ede-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.alloc(8)), cipher.final()])
    .subarray(0, 3)
    .toString('hex')
    .toUpperCase();
}

function refusal(work: () => unknown): KeyStoreError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyStoreError);
    return error as KeyStoreError;
  }
  throw new Error('expected a refusal');
}

describe('key check values', () => {
  it('are the first 3 bytes of 3DES over 8 zero bytes, as OpenSSL computes them, and never change for a key', () => {
    expect(keyCheckValue(TEST_MASTER_KEYS.MLK)).toBe('82E136');
    expect(keyCheckValue(TEST_MASTER_KEYS.MULK)).toBe('E2F243');
    expect(keyCheckValue(TEST_MASTER_KEYS.MTK)).toBe('ADC67D');
    for (let i = 0; i < 20; i++) {
      const key = new Uint8Array(randomBytes(16));
      expect(keyCheckValue(key)).toBe(opensslKcv(key));
    }
  });
});

describe('reading a key file', () => {
  it('reads the documented shape, upper or lower case, and round-trips what formatKeyFile writes', () => {
    const text = { ...threeKeys(), MPK: hex16().toLowerCase() };
    const keys = parseKeyFile(fileOf(text));
    expect([...keys.keys()]).toEqual(['MLK', 'MULK', 'MTK', 'MPK']);
    expect(toHex(keys.get('MPK')!)).toBe(text.MPK.toUpperCase());
    expect(keyChecks(parseKeyFile(formatKeyFile(keys)))).toEqual(keyChecks(keys));
  });

  it('refuses what is not JSON without quoting the text, which may hold a key', () => {
    const key = hex16();
    const error = refusal(() => parseKeyFile(`{ "MLK": "${key}", oops }`));
    expect(error.code).toBe('KEY_FILE_INVALID');
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(key.slice(0, 8));
  });

  it("refuses an array, a bare string, unknown kinds, the bureau's card-management keys and bad hex, naming the kind but never the value", () => {
    const cases: Array<[string, RegExp]> = [
      ['[]', /one JSON object/],
      [JSON.stringify(hex16()), /one JSON object/],
      [fileOf({ ...threeKeys(), MXK: hex16() }), /MXK is not a key kind/],
      [fileOf({ ...threeKeys(), [hex16()]: 'MPK' }), /a property is not a key kind/],
      [fileOf({ ...threeKeys(), MAMK: hex16() }), /MAMK is a card-management key/],
      [fileOf({ ...threeKeys(), MLK: hex16().slice(0, 30) }), /MLK is not 32 hex digits/],
      [fileOf({ ...threeKeys(), MLK: `${hex16().slice(0, 31)}G` }), /MLK is not 32 hex digits/],
      [fileOf({ ...threeKeys(), MLK: `${hex16()}00` }), /MLK is not 32 hex digits/],
      [fileOf({ ...threeKeys(), MTK: 12345 }), /MTK is not 32 hex digits/],
      [' '.repeat(5_000), /longer than/],
    ];
    for (const [text, message] of cases) {
      const error = refusal(() => parseKeyFile(text));
      expect(error.code, text).toBe('KEY_FILE_INVALID');
      expect(error.message, text).toMatch(message);
      for (const value of text.match(/[0-9A-F]{30,}/gi) ?? []) expect(error.message).not.toContain(value.slice(0, 8));
    }
  });
});

describe('checking a key set', () => {
  const setOf = (keys: Record<string, Uint8Array>): MasterKeySet => new Map(Object.entries(keys)) as MasterKeySet;
  const fresh = (): Record<'MLK' | 'MULK' | 'MTK', Uint8Array> => {
    const keys = parseKeyFile(fileOf(threeKeys()));
    return { MLK: keys.get('MLK')!, MULK: keys.get('MULK')!, MTK: keys.get('MTK')! };
  };

  it('needs MLK, MULK and MTK, the keys loads, unloads and TACs are computed with', () => {
    const { MLK, MULK } = fresh();
    const error = refusal(() => checkKeySet(setOf({ MLK, MULK }), { testKeysAllowed: false }));
    expect(error).toMatchObject({ code: 'KEY_FILE_INVALID', message: expect.stringContaining('lacks MTK') });
  });

  it('refuses an all-zero key even in demo mode, and one key under two kinds', () => {
    expect(refusal(() => checkKeySet(setOf({ ...fresh(), MTK: new Uint8Array(16) }), { testKeysAllowed: true })).code).toBe('KEY_WEAK');
    const keys = fresh();
    expect(refusal(() => checkKeySet(setOf({ ...keys, MULK: keys.MLK }), { testKeysAllowed: false })).message).toMatch(
      /MLK and MULK are the same key/,
    );
  });

  it('refuses every public test key and any key with equal halves outside demo mode, and takes the test keys in demo mode', () => {
    for (const [kind, key] of Object.entries(TEST_MASTER_KEYS)) {
      const error = refusal(() => checkKeySet(setOf({ ...fresh(), MPK: key }), { testKeysAllowed: false }));
      expect(error.code, kind).toBe('KEY_WEAK');
      expect(error.message, kind).toMatch(/public demo\/test keys/);
    }
    const half = new Uint8Array(randomBytes(8));
    expect(
      refusal(() => checkKeySet(setOf({ ...fresh(), MLK: new Uint8Array([...half, ...half]) }), { testKeysAllowed: false })).message,
    ).toMatch(/two equal halves/);
    expect(() =>
      checkKeySet(setOf({ MLK: TEST_MASTER_KEYS.MLK, MULK: TEST_MASTER_KEYS.MULK, MTK: TEST_MASTER_KEYS.MTK, MPK: TEST_MASTER_KEYS.MPK }), {
        testKeysAllowed: true,
      }),
    ).not.toThrow();
  });

  it('generates fresh, distinct keys of every stored kind with odd DES parity', () => {
    const a = generateKeySet();
    const b = generateKeySet();
    expect([...a.keys()]).toEqual([...STORED_KEY_KINDS]);
    for (const key of a.values()) {
      expect(key.length).toBe(16);
      for (const byte of key) expect(byte.toString(2).split('1').length % 2).toBe(0);
    }
    expect(toHex(a.get('MLK')!)).not.toBe(toHex(b.get('MLK')!));
    expect(() => checkKeySet(a, { testKeysAllowed: false })).not.toThrow();
  });
});

describe(`storing a key version on ${testEngine()}`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  const stored = async (d: TestDatabase) =>
    (await d.query<{ kind: string; key_version: number }>('SELECT kind, key_version FROM issuer_key ORDER BY key_version, kind')).rows;

  it('seals every kind where the software key store finds it, audits version, kinds and KCVs, and never a key', async () => {
    db = await openTestDatabase();
    const keys = generateKeySet();
    const result = await storeKeySet(db, { kekHex: KEK, keyVersion: 7, keys, replace: false, action: 'keys.generate' });
    expect(result).toEqual({ replaced: false, keys: keyChecks(keys) });
    expect(await new SoftwareKeyStore(KEK).hasKeyVersion(db, 7)).toBe(true);
    expect(await listKeySets(db, KEK)).toEqual([{ keyVersion: 7, keys: keyChecks(keys), complete: true }]);

    const audit = await db.query<{ action: string; subject: string; detail: unknown; chain_key: string }>(
      'SELECT action, subject, detail, chain_key FROM audit_log',
    );
    expect(audit.rows).toEqual([
      {
        action: 'keys.generate',
        subject: 'issuer keys v7',
        chain_key: 'system',
        detail: expect.objectContaining({ keyVersion: 7, kinds: [...STORED_KEY_KINDS], replaced: false }),
      },
    ]);
    const everything = JSON.stringify((await db.query('SELECT * FROM audit_log')).rows, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    ).toUpperCase();
    for (const key of keys.values()) expect(everything).not.toContain(toHex(key).slice(0, 12));
    expect((await verifyAudit(db)).sound).toBe(true);
  });

  it('refuses a version already stored, replaces it whole with replace, and refuses a second KEK, changing nothing', async () => {
    db = await openTestDatabase();
    const first = parseKeyFile(fileOf({ ...threeKeys(), MPK: hex16() }));
    await storeKeySet(db, { kekHex: KEK, keyVersion: 1, keys: first, replace: false, action: 'keys.import' });
    const before = await listKeySets(db, KEK);

    const second = parseKeyFile(fileOf(threeKeys()));
    await expect(
      storeKeySet(db, { kekHex: KEK, keyVersion: 1, keys: second, replace: false, action: 'keys.import' }),
    ).rejects.toMatchObject({ code: 'KEY_VERSION_TAKEN' });
    await expect(
      storeKeySet(db, { kekHex: OTHER_KEK, keyVersion: 2, keys: second, replace: false, action: 'keys.import' }),
    ).rejects.toMatchObject({ code: 'KEY_STORE_CORRUPT' });
    expect(await listKeySets(db, KEK)).toEqual(before);
    await expect(listKeySets(db, OTHER_KEK)).rejects.toMatchObject({ code: 'KEY_STORE_CORRUPT' });

    expect(await storeKeySet(db, { kekHex: KEK, keyVersion: 1, keys: second, replace: true, action: 'keys.import' })).toMatchObject({
      replaced: true,
    });
    // The old MPK went with the rest of version 1: no key of the old set outlives the new one.
    expect(await stored(db)).toEqual([
      { kind: 'MLK', key_version: 1 },
      { kind: 'MTK', key_version: 1 },
      { kind: 'MULK', key_version: 1 },
    ]);
    expect(await listKeySets(db, KEK)).toEqual([{ keyVersion: 1, keys: keyChecks(second), complete: true }]);
    const actions = await db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY chain_no');
    expect(actions.rows.map((r) => r.action)).toEqual(['keys.import', 'keys.import']);
  });
});
