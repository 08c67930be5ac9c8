/**
 * The software key store: issuer master keys live in `issuer_key`, encrypted with AES-256-GCM
 * under the key-encryption key (KEK) from configuration, and are decrypted into memory on first
 * use. Card keys are derived per card and kept in a bounded LRU, as a hardware module would keep
 * nothing but compute the same answers. No key ever leaves this module: not in a return value, a
 * log line or an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { equalBytes, fromHex } from '../../ccid/bytes.ts';
import {
  DEFAULT_SCHEMES,
  asnFactor,
  diversify,
  loadMac1,
  loadMac2,
  loadSessionKey,
  loadTac,
  secureCommand,
  secureUpdateBinaryHeader,
  unloadMac1,
  unloadMac2,
  unloadMac3,
  unloadSessionKey,
} from '../../ccid/crypto/index.ts';
import type { Sql } from '../db/index.ts';
import { LIMITS } from '../limits.ts';
import {
  KeyStoreError,
  type KeyStore,
  type Mac1Input,
  type Mac2Input,
  type OnlineSession,
  type SecureWriteInput,
  type TacInput,
} from './keystore.ts';

/** The master keys the server needs for online transactions: load, unload and TAC. */
export const MASTER_KEY_KINDS = ['MLK', 'MULK', 'MTK'] as const;
/**
 * Master keys a key version may hold besides: MAMTK, which card issuing writes the holder file
 * with (docs/card-protocol.md §2.3; server/cards/issue.ts). A version without it serves loads and
 * unloads but cannot issue cards.
 */
export const OPTIONAL_MASTER_KEY_KINDS = ['MAMTK'] as const;
export type MasterKeyKind = (typeof MASTER_KEY_KINDS)[number] | (typeof OPTIONAL_MASTER_KEY_KINDS)[number];

export type EncryptedKey = { iv: string; ciphertext: string; tag: string };

function kekBytes(kekHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/i.test(kekHex)) throw new KeyStoreError('KEY_STORE_CORRUPT', 'the key-encryption key must be 32 bytes');
  return Buffer.from(kekHex, 'hex');
}

/** The additional data binds a ciphertext to its row, so rows cannot be swapped. */
const aad = (kind: string, keyVersion: number): Buffer => Buffer.from(`fuelcard issuer key ${kind} v${keyVersion}`);

export function encryptMasterKey(kekHex: string, kind: string, keyVersion: number, key16: Uint8Array): EncryptedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kekBytes(kekHex), iv).setAAD(aad(kind, keyVersion));
  const ciphertext = Buffer.concat([cipher.update(key16), cipher.final()]);
  return { iv: iv.toString('hex'), ciphertext: ciphertext.toString('hex'), tag: cipher.getAuthTag().toString('hex') };
}

export function decryptMasterKey(kekHex: string, kind: string, keyVersion: number, sealed: EncryptedKey): Uint8Array {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kekBytes(kekHex), Buffer.from(sealed.iv, 'hex')).setAAD(aad(kind, keyVersion));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'hex'));
    const parts = [decipher.update(Buffer.from(sealed.ciphertext, 'hex')), decipher.final()];
    const plain = Buffer.concat(parts);
    // The key leaves in an array of its own; the buffers it passed through are zeroised (small
    // buffers are slices of node's shared pool, which would keep the bytes until reused).
    const key = new Uint8Array(plain);
    for (const buffer of [...parts, plain]) buffer.fill(0);
    return key;
  } catch {
    // Deliberately no detail: a wrong KEK and a tampered row look the same to an attacker.
    throw new KeyStoreError(
      'KEY_STORE_CORRUPT',
      `issuer key ${kind} v${keyVersion} does not decrypt with the configured key-encryption key`,
    );
  }
}

/** Stores (or replaces) one master key, encrypted. */
export async function storeMasterKey(
  sql: Sql,
  kekHex: string,
  kind: MasterKeyKind | string,
  keyVersion: number,
  key16: Uint8Array,
): Promise<void> {
  const sealed = encryptMasterKey(kekHex, kind, keyVersion, key16);
  await sql.query(
    `INSERT INTO issuer_key (kind, key_version, iv, ciphertext, tag) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, key_version) DO UPDATE SET iv = EXCLUDED.iv, ciphertext = EXCLUDED.ciphertext, tag = EXCLUDED.tag`,
    [kind, keyVersion, sealed.iv, sealed.ciphertext, sealed.tag],
  );
}

type MasterSet = Map<MasterKeyKind, Uint8Array>;

/**
 * Master keys are read through the caller's connection (KeyStore: `sql`), never one of the
 * store's own: it holds none. That is what keeps a request from waiting for itself on PGlite,
 * whatever key version it names, and a version the console adds while the server runs (possible
 * on PostgreSQL) is still found at its first use. Rejected alternatives: answering only from
 * keys loaded at start (a new version would need a restart), and reading outside the
 * transaction (PGlite has no second connection to read on).
 */
export class SoftwareKeyStore implements KeyStore {
  readonly kind = 'software';
  /**
   * Complete key versions, decrypted; at most 255 (one per key-version byte), since a version
   * that is not stored is never kept. No read in flight is shared between callers: it runs on
   * one caller's transaction, whose failure must not become another request's.
   */
  private readonly masters = new Map<number, MasterSet>();
  private readonly cardKeys = new Map<string, Uint8Array>();

  constructor(private readonly kekHex: string) {
    kekBytes(kekHex);
  }

  /** Zeroises every master and card key held, and forgets them (see KeyStore.close). */
  close(): void {
    for (const set of this.masters.values()) for (const key of set.values()) key.fill(0);
    for (const key of this.cardKeys.values()) key.fill(0);
    this.masters.clear();
    this.cardKeys.clear();
  }

  /** Decrypts every stored key version into memory (see KeyStore.warm). */
  async warm(sql: Sql): Promise<void> {
    const versions = await sql.query<{ key_version: number }>('SELECT DISTINCT key_version FROM issuer_key ORDER BY key_version');
    for (const row of versions.rows) await this.masterSet(sql, row.key_version);
  }

  async hasKeyVersion(sql: Sql, keyVersion: number): Promise<boolean> {
    return (await this.masterSet(sql, keyVersion)) !== null;
  }

  async verifyMac1(sql: Sql, f: Mac1Input): Promise<boolean> {
    const sessionKey = await this.sessionKey(sql, f);
    const fields = { sessionKey, balanceFen: f.balanceFen, amountFen: f.amountFen, terminalId: f.terminalId };
    const expected = f.kind === 'load' ? loadMac1({ ...fields, transType: f.transType }) : unloadMac1(fields);
    return equalBytes(expected, f.mac1);
  }

  async mac2(sql: Sql, f: Mac2Input): Promise<Uint8Array> {
    const sessionKey = await this.sessionKey(sql, f);
    const fields = { sessionKey, amountFen: f.amountFen, terminalId: f.terminalId, date: f.date, time: f.time };
    return f.kind === 'load' ? loadMac2({ ...fields, transType: f.transType }) : unloadMac2(fields);
  }

  async verifyTac(sql: Sql, f: TacInput): Promise<boolean> {
    const dtk = await this.cardKey(sql, 'MTK', f.cardNo, f.keyVersion);
    const fields = {
      dtk,
      balanceFenAfter: f.balanceFenAfter,
      onlineTtc: f.onlineTtc,
      amountFen: f.amountFen,
      terminalId: f.terminalId,
      date: f.date,
      time: f.time,
    };
    if (f.kind === 'load') return equalBytes(loadTac({ ...fields, transType: f.transType, layout: DEFAULT_SCHEMES.loadTacLayout }), f.tac);
    const sessionKey = await this.sessionKey(sql, f);
    return equalBytes(unloadMac3({ ...fields, sessionKey, scheme: DEFAULT_SCHEMES.mac3 }), f.tac);
  }

  async secureWrite(sql: Sql, f: SecureWriteInput): Promise<Uint8Array> {
    const damtk = await this.cardKey(sql, 'MAMTK', f.cardNo, f.keyVersion);
    return secureCommand({ key: damtk, challenge: f.challenge, header: secureUpdateBinaryHeader(f.sfi, f.offset), data: f.data });
  }

  private async sessionKey(sql: Sql, s: OnlineSession): Promise<Uint8Array> {
    if (s.kind === 'load') return loadSessionKey(await this.cardKey(sql, 'MLK', s.cardNo, s.keyVersion), s.random, s.onlineTtc);
    return unloadSessionKey(await this.cardKey(sql, 'MULK', s.cardNo, s.keyVersion), s.random, s.onlineTtc);
  }

  /** The card key diversified from master `kind` by the card number's right 8 bytes. */
  private async cardKey(sql: Sql, kind: MasterKeyKind, cardNo: string, keyVersion: number): Promise<Uint8Array> {
    const cacheKey = `${kind}:${keyVersion}:${cardNo}`;
    const cached = this.cardKeys.get(cacheKey);
    if (cached) {
      // Refresh the entry's place in the LRU.
      this.cardKeys.delete(cacheKey);
      this.cardKeys.set(cacheKey, cached);
      return cached;
    }
    const set = await this.masterSet(sql, keyVersion);
    const master = set?.get(kind);
    if (!master) throw new KeyStoreError('KEY_VERSION_UNKNOWN', `no issuer key ${kind} of version ${keyVersion}`);
    // Another request may have derived this key while this one waited: the cache keeps one copy,
    // never a second that would leave it unzeroised.
    const raced = this.cardKeys.get(cacheKey);
    if (raced) return raced;
    const key = diversify(master, asnFactor(fromHex(cardNo)));
    this.cardKeys.set(cacheKey, key);
    if (this.cardKeys.size > LIMITS.cardKeyCacheSizeMax) {
      // The least recently used key is zeroised as it leaves. Never one a caller still holds: a
      // caller's key was just put last, and cardKeyCacheSizeMax other keys would have to be
      // derived between its look-up and its use, which are a few awaits apart, none on I/O.
      const [oldestKey, oldest] = this.cardKeys.entries().next().value!;
      this.cardKeys.delete(oldestKey);
      oldest.fill(0);
    }
    return key;
  }

  /**
   * A version not stored is looked up again at each use (one indexed read, for a request refused
   * anyway): keys may be added while the server runs.
   */
  private async masterSet(sql: Sql, keyVersion: number): Promise<MasterSet | null> {
    const known = this.masters.get(keyVersion);
    if (known) return known;
    const rows = await sql.query<{ kind: MasterKeyKind } & EncryptedKey>(
      'SELECT kind, iv, ciphertext, tag FROM issuer_key WHERE key_version = $1 AND kind = ANY($2::text[])',
      [keyVersion, [...MASTER_KEY_KINDS, ...OPTIONAL_MASTER_KEY_KINDS]],
    );
    if (!MASTER_KEY_KINDS.every((kind) => rows.rows.some((r) => r.kind === kind))) return null;
    // Two first uses at once both read; the first to come back is kept, and nothing is decrypted twice.
    const raced = this.masters.get(keyVersion);
    if (raced) return raced;
    const set: MasterSet = new Map(rows.rows.map((r) => [r.kind, decryptMasterKey(this.kekHex, r.kind, keyVersion, r)]));
    this.masters.set(keyVersion, set);
    return set;
  }
}
