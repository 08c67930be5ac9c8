/**
 * The key ceremony: putting one key version of the issuer's master keys into the software key
 * store (read from a key file, or freshly generated), and confirming what is stored by key check
 * value. The console (server/bin/admin.ts) is its only caller: the API has no door to keys.
 *
 * Keys pass through here in memory only, and are stored sealed (SoftwareKeyStore's sealing). What
 * this module lets anyone see is a key version, kind names and KCVs: never a key, not in an audit
 * row nor an error message. (formatKeyFile writes keys in clear, for the bureau's file only.)
 * Hazard: JSON.parse's message quotes the text around the fault, so a parse error is reported
 * without it.
 *
 * The key file is one JSON object, kind → 32 hex digits (a 16-byte double-length 3DES key):
 *   { "MLK": "…32 hex…", "MULK": "…", "MTK": "…", "MPK": "…", "MUGK": "…", "MPUK": "…", "MRPK": "…", "MAMTK": "…" }
 * MLK, MULK and MTK are required (loads, unloads, TACs: what SoftwareKeyStore computes with); the
 * other four are the card's other transaction keys, which issuer_key can hold for the server's
 * later use; MAMTK (optional, 0015_card_issue.sql) is the maintenance master key the server writes
 * the holder file of a card it issues with (server/cards/issue.ts). The other card-management keys
 * (MAMK, MUK, MIAK) stay with the personalisation bureau and are refused: the server never needs them.
 */
import { randomBytes } from 'node:crypto';
import { equalBytes, fromHex, toHex } from '../../ccid/bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../ccid/crypto/demo-keys.ts';
import { tdesEncryptBlock } from '../../ccid/crypto/index.ts';
import { appendAudit, type AuditActor } from '../audit/log.ts';
import type { Database, Sql } from '../db/index.ts';
import { KeyStoreError } from './keystore.ts';
import { MASTER_KEY_KINDS, decryptMasterKey, encryptMasterKey, type EncryptedKey } from './software.ts';

/** Every kind issuer_key holds (its CHECK constraint), in the order they are listed. */
export const STORED_KEY_KINDS = ['MLK', 'MULK', 'MTK', 'MPK', 'MUGK', 'MPUK', 'MRPK', 'MAMTK'] as const;
export type StoredKeyKind = (typeof STORED_KEY_KINDS)[number];
/** The kinds every key version must have: those the software key store computes with. */
export const REQUIRED_KEY_KINDS: readonly StoredKeyKind[] = MASTER_KEY_KINDS;
/** Card-management master keys (docs/card-protocol.md §2.3): the bureau's, never the server's. */
const BUREAU_ONLY_KINDS: readonly string[] = ['MAMK', 'MUK', 'MIAK'];

/** The card reports its key version in one byte (INITIALIZE response byte 6); 0 means none. */
export const KEY_VERSION_MIN = 1;
export const KEY_VERSION_MAX = 255;
/** A key file of seven keys is about 350 bytes; anything past this is not a key file. */
export const KEY_FILE_BYTES_MAX = 4_096;
const KEY_BYTES = 16;

/**
 * The public test keys of docs/card-protocol.md §4.3 (MLK = 11…11, MPK = 22…22 …, up to MIAK =
 * BB…BB), which the demo seeds and server/testing/sim.ts TEST_MASTER_KEYS personalises simulated
 * cards with.
 */
const TEST_KEY_FILL_BYTES: readonly number[] = Object.values(DEMO_TEST_MASTER_KEYS).map((key) => key[0]!);

export type MasterKeySet = Map<StoredKeyKind, Uint8Array>;
export type KeyCheck = { kind: StoredKeyKind; kcv: string };
export type KeySetSummary = { keyVersion: number; keys: KeyCheck[]; complete: boolean };

/** The console at work: no operator, no device, and no one unit (the keys are the whole issuer's). */
// AuditActor's type gives every entry a unit; audit_log.org_unit_id and planAudit allow none.
const CONSOLE_ACTOR: AuditActor = { deviceId: null, operatorId: null, orgUnitId: null as unknown as bigint };

const invalid = (message: string): KeyStoreError => new KeyStoreError('KEY_FILE_INVALID', message);
const weak = (message: string): KeyStoreError => new KeyStoreError('KEY_WEAK', message);
const isStoredKind = (name: string): name is StoredKeyKind => (STORED_KEY_KINDS as readonly string[]).includes(name);

/** Key check value: the first 3 bytes of 3DES(key, 00…00), how a ceremony confirms a key without showing it. */
export function keyCheckValue(key16: Uint8Array): string {
  if (key16.length !== KEY_BYTES) throw new Error('assertion: a master key is 16 bytes');
  return toHex(tdesEncryptBlock(key16, new Uint8Array(8)).subarray(0, 3));
}

export function keyChecks(keys: MasterKeySet): KeyCheck[] {
  return STORED_KEY_KINDS.filter((kind) => keys.has(kind)).map((kind) => ({ kind, kcv: keyCheckValue(keys.get(kind)!) }));
}

/** Reads a key file's text into keys; refuses (KEY_FILE_INVALID) anything but the documented shape. */
export function parseKeyFile(text: string): MasterKeySet {
  if (text.length > KEY_FILE_BYTES_MAX) throw invalid(`the key file is longer than ${KEY_FILE_BYTES_MAX} bytes: it is not a key file`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never the parser's own message: it quotes the text near the fault, which may be a key.
    throw invalid('the key file is not JSON: expected one object { "MLK": "32 hex digits", ... }');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('the key file must be one JSON object of key kind to 32 hex digits');
  const keys: MasterKeySet = new Map();
  for (const [name, hex] of Object.entries(value as Record<string, unknown>)) {
    if (BUREAU_ONLY_KINDS.includes(name))
      throw invalid(
        `${name} is a card-management key the server never uses: it stays with the personalisation bureau; take it out of the file`,
      );
    // A property name is shown only when it looks like a name, in case a key was pasted as one.
    if (!isStoredKind(name))
      throw invalid(
        `${/^[A-Za-z]{1,8}$/.test(name) ? name : 'a property'} is not a key kind; the kinds are ${STORED_KEY_KINDS.join(', ')}`,
      );
    if (typeof hex !== 'string' || !/^[0-9a-fA-F]{32}$/.test(hex))
      throw invalid(`${name} is not 32 hex digits (a 16-byte double-length 3DES key)`);
    keys.set(name, fromHex(hex));
  }
  return keys;
}

function isTestKey(key: Uint8Array): boolean {
  return TEST_KEY_FILL_BYTES.some((fill) => key.every((b) => b === fill));
}

/**
 * Refuses a key set the store must not take: a required kind missing, an all-zero key, one key
 * under two kinds, and outside demo mode (`testKeysAllowed` false) the public test keys and any
 * key whose halves are equal (3DES with K1 = K2 is single DES).
 */
export function checkKeySet(keys: MasterKeySet, options: { testKeysAllowed: boolean }): void {
  const missing = REQUIRED_KEY_KINDS.filter((kind) => !keys.has(kind));
  if (missing.length > 0)
    throw invalid(`the key file lacks ${missing.join(', ')}: every key version needs ${REQUIRED_KEY_KINDS.join(', ')}`);
  const kindOfKey = new Map<string, StoredKeyKind>();
  for (const [kind, key] of keys) {
    if (key.length !== KEY_BYTES) throw new Error('assertion: a master key is 16 bytes');
    if (key.every((b) => b === 0)) throw weak(`${kind} is all zeros`);
    if (!options.testKeysAllowed && isTestKey(key))
      throw weak(`${kind} is one of the public demo/test keys: a real installation needs its own keys (FUELCARD_DEMO=1 allows them)`);
    if (!options.testKeysAllowed && equalBytes(key.subarray(0, 8), key.subarray(8)))
      throw weak(`${kind} has two equal halves, which makes 3DES single DES`);
    const twin = kindOfKey.get(toHex(key));
    if (twin !== undefined) throw weak(`${twin} and ${kind} are the same key: each kind needs its own`);
    kindOfKey.set(toHex(key), kind);
  }
}

/** DES keys carry odd parity in each byte's low bit; personalisation HSMs often refuse keys without it. */
function withOddParity(key: Uint8Array): Uint8Array {
  return key.map((byte) => {
    let ones = 0;
    for (let v = byte >> 1; v !== 0; v >>= 1) ones += v & 1;
    return (byte & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  });
}

/** Fresh random keys of every stored kind (node:crypto randomBytes), with DES odd parity. */
export function generateKeySet(): MasterKeySet {
  const keys: MasterKeySet = new Map(STORED_KEY_KINDS.map((kind) => [kind, withOddParity(new Uint8Array(randomBytes(KEY_BYTES)))]));
  checkKeySet(keys, { testKeysAllowed: false });
  return keys;
}

/** The key file of `keys`, in the shape parseKeyFile reads. Secret: the caller writes it mode 0600. */
export function formatKeyFile(keys: MasterKeySet): string {
  const object = Object.fromEntries(STORED_KEY_KINDS.filter((kind) => keys.has(kind)).map((kind) => [kind, toHex(keys.get(kind)!)]));
  return `${JSON.stringify(object, null, 2)}\n`;
}

/**
 * Every stored key version with its kinds and KCVs, unsealed under `kekHex`. A wrong KEK (or an
 * altered row) fails the GCM tag: KeyStoreError KEY_STORE_CORRUPT naming the row, not the key.
 */
export async function listKeySets(sql: Sql, kekHex: string): Promise<KeySetSummary[]> {
  // Bounded by the schema: at most 255 versions of 7 kinds.
  const rows = await sql.query<{ kind: StoredKeyKind; key_version: number } & EncryptedKey>(
    'SELECT kind, key_version, iv, ciphertext, tag FROM issuer_key ORDER BY key_version',
  );
  const byVersion = new Map<number, MasterKeySet>();
  for (const row of rows.rows) {
    const keyVersion = Number(row.key_version);
    const set = byVersion.get(keyVersion) ?? new Map();
    set.set(row.kind, decryptMasterKey(kekHex, row.kind, keyVersion, row));
    byVersion.set(keyVersion, set);
  }
  return [...byVersion].map(([keyVersion, keys]) => ({
    keyVersion,
    keys: keyChecks(keys),
    complete: REQUIRED_KEY_KINDS.every((kind) => keys.has(kind)),
  }));
}

export type StoreKeySet = {
  kekHex: string;
  keyVersion: number;
  keys: MasterKeySet;
  /** Replace a version already stored (all its kinds go, so no old key outlives the new set). */
  replace: boolean;
  action: 'keys.import' | 'keys.generate';
};

/**
 * Seals and stores one key version in one transaction, with its audit entry (version, kinds,
 * KCVs). Refuses a stored version unless `replace`, and a KEK that does not open the keys
 * already stored (one server has one KEK: a second one would strand a version).
 */
export async function storeKeySet(db: Database, o: StoreKeySet): Promise<{ replaced: boolean; keys: KeyCheck[] }> {
  if (!Number.isInteger(o.keyVersion) || o.keyVersion < KEY_VERSION_MIN || o.keyVersion > KEY_VERSION_MAX)
    throw new Error('assertion: key version 1..255');
  const checks = keyChecks(o.keys);
  return db.transaction(async (tx) => {
    await listKeySets(tx, o.kekHex);
    const present = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM issuer_key WHERE key_version = $1', [o.keyVersion]);
    const replaced = present.rows[0]!.n > 0;
    if (replaced && !o.replace)
      throw new KeyStoreError(
        'KEY_VERSION_TAKEN',
        `issuer keys of version ${o.keyVersion} are already stored (keys-list shows them); --replace replaces them`,
      );
    if (replaced) await tx.query('DELETE FROM issuer_key WHERE key_version = $1', [o.keyVersion]);
    for (const [kind, key] of o.keys) {
      const sealed = encryptMasterKey(o.kekHex, kind, o.keyVersion, key);
      if (!equalBytes(decryptMasterKey(o.kekHex, kind, o.keyVersion, sealed), key))
        throw new Error('assertion: a sealed key unseals to itself');
      const inserted = await tx.query(
        `INSERT INTO issuer_key (kind, key_version, iv, ciphertext, tag) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, key_version) DO NOTHING RETURNING kind`,
        [kind, o.keyVersion, sealed.iv, sealed.ciphertext, sealed.tag],
      );
      if (inserted.rows.length !== 1)
        throw new KeyStoreError('KEY_VERSION_TAKEN', `issuer keys of version ${o.keyVersion} were stored by another process meanwhile`);
    }
    await appendAudit(tx, CONSOLE_ACTOR, {
      action: o.action,
      subject: `issuer keys v${o.keyVersion}`,
      detail: {
        keyVersion: o.keyVersion,
        kinds: checks.map((c) => c.kind),
        kcvs: Object.fromEntries(checks.map((c) => [c.kind, c.kcv])),
        replaced,
        via: 'console',
      },
    });
    return { replaced, keys: checks };
  });
}
