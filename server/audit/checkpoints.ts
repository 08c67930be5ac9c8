/**
 * Signed checkpoints of the audit chains, kept outside the database: what anchors the audit log
 * against the database's owner (issue 11, outside review).
 *
 * The chains (log.ts) are hashed without a key, so whoever owns the database can switch the
 * append-only trigger off, delete a chain's last rows and roll its head back, or edit rows and
 * rehash the rest, and every chain still verifies. A checkpoint records each chain head (chain key,
 * last row number, last hash) with the time, in a folder the database cannot reach
 * (FUELCARD_AUDIT_DIR), every line signed with HMAC-SHA256 under the audit key, which is never
 * stored in the database. `npm run admin -- audit-verify` (readCheckpoints, then verifyAudit with
 * the anchors read) requires every chain to reach every row a checkpoint saw, with the hash seen:
 * a chain's hash at row n commits to rows 1..n, so rewriting or cutting anything up to a
 * checkpointed row is found. Not covered: rows written since a chain's last checkpoint (at most
 * auditCheckpointIntervalMs old while the server runs, and those of a server killed outright);
 * the verifier counts them as not yet anchored.
 *
 * Why checkpoints rather than keyed rows: the database hashes each row in the statement that
 * writes it (one statement per write, no round trip to read the previous hash first), and neither
 * engine has an HMAC without pgcrypto; an HMAC computed there would need the key sent to the
 * database, which is the party it is kept from.
 *
 * The audit key is FUELCARD_AUDIT_KEY, else derived from FUELCARD_KEK by HKDF-SHA256 under a label
 * of its own: one secret kept apart from the database serves both, and neither key opens what the
 * other protects. A FUELCARD_AUDIT_KEY of its own lets an auditor verify without holding the KEK.
 *
 * Files: a writer starts a new file at its first checkpoint, at each UTC day and past
 * auditCheckpointFileBytesMax, named checkpoints-<UTC time>-<random>.jsonl, created exclusively
 * (mode 0600) and only ever appended to, each write fsynced. A file's first lines hold every chain
 * head, later lines only the heads that moved. Each line also holds its file's name, its number in
 * the file and the signature of the line before, so a line edited, removed from the middle,
 * reordered or moved between files is found; and the installation's id (app_meta
 * 'audit.installation'), so checkpoints of another database in the same folder are reported, not
 * taken as this one's. Lines cut from the end of a file cannot be seen from the file: keep the
 * folder where the database's owner cannot write (another machine, append-only storage).
 */
import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Database, Sql } from '../db/index.ts';
import { LIMITS } from '../limits.ts';
import { canonicalJson, type AuditAnchor } from './log.ts';

/** HKDF info of the audit key derived from the KEK; changing it changes every signature. */
const AUDIT_KEY_LABEL = 'fuelcard audit checkpoint key v1';
const FORMAT_VERSION = 1;
/** The `prev` of a file's first line. */
const FIRST_PREV = '0'.repeat(64);
const FILE_NAME = /^checkpoints-\d{8}T\d{6}Z-[0-9a-f]{8}\.jsonl$/;
const HEX64 = /^[0-9a-f]{64}$/;
const INSTALLATION_META_KEY = 'audit.installation';

/** The key checkpoints are signed with, or undefined when neither FUELCARD_AUDIT_KEY nor FUELCARD_KEK is set. */
export function auditKeyOf(config: Pick<Config, 'auditKeyHex' | 'kekHex'>): Buffer | undefined {
  if (config.auditKeyHex !== undefined) return Buffer.from(config.auditKeyHex, 'hex');
  if (config.kekHex === undefined) return undefined;
  const kek = Buffer.from(config.kekHex, 'hex');
  try {
    return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), AUDIT_KEY_LABEL, 32));
  } finally {
    kek.fill(0);
  }
}

/** One checkpoint line as written: `chains` are [chain key, last row number, last hash]. */
type CheckpointLine = {
  v: number;
  installation: string;
  file: string;
  seq: number;
  at: string;
  chains: [string, string, string][];
  prev: string;
};

function sign(key: Buffer, line: CheckpointLine): string {
  return createHmac('sha256', key).update(canonicalJson(line)).digest('hex');
}

/** The installation id the checkpoints carry, or null before the first checkpoint. */
export async function installationOf(sql: Sql): Promise<string | null> {
  const found = await sql.query<{ value: string }>('SELECT value FROM app_meta WHERE key = $1', [INSTALLATION_META_KEY]);
  return found.rows[0]?.value ?? null;
}

async function ensureInstallation(sql: Sql): Promise<string> {
  await sql.query('INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [INSTALLATION_META_KEY, randomUUID()]);
  const id = await installationOf(sql);
  if (id === null) throw new Error('assertion: the audit installation id was just stored');
  return id;
}

/** 2025-01-02T03:04:05.678Z → 20250102T030405Z */
const fileStamp = (at: Date): string => `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

type OpenFile = { name: string; handle: FileHandle; day: string; bytes: number; seq: number; prev: string };

/**
 * Appends checkpoints to files of its own in `dir`. Checkpoints are taken one at a time, in call
 * order; a failed one (database or disk) loses nothing but itself: the file it was writing is
 * closed, and the next checkpoint starts a new file with every head.
 */
export class AuditCheckpointWriter {
  readonly #db: Database;
  readonly #dir: string;
  readonly #key: Buffer;
  readonly #now: () => Date;
  #file: OpenFile | null = null;
  /** Each chain's head as the current file has it (`no:hash`): later lines write only heads that moved. */
  readonly #written = new Map<string, string>();
  #installation: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: Database, options: { dir: string; key: Buffer; now?: () => Date }) {
    this.#db = db;
    this.#dir = options.dir;
    this.#key = options.key;
    this.#now = options.now ?? (() => new Date());
  }

  /** Appends the chain heads that moved since the last checkpoint; says where, and how many. */
  checkpoint(): Promise<{ file: string | null; chains: number }> {
    const run = this.#queue.then(() => this.#checkpoint());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for the checkpoint in progress, then closes the file. */
  async close(): Promise<void> {
    await this.#queue;
    await this.#closeFile();
  }

  async #checkpoint(): Promise<{ file: string | null; chains: number }> {
    this.#installation ??= await ensureInstallation(this.#db);
    const heads = await this.#db.query<{ chain_key: string; last_no: bigint; last_hash: string }>(
      'SELECT chain_key, last_no, last_hash FROM audit_chain ORDER BY chain_key',
    );
    const now = this.#now();
    const at = now.toISOString();
    const current = this.#file;
    if (current !== null && (current.day !== at.slice(0, 10) || current.bytes >= LIMITS.auditCheckpointFileBytesMax))
      await this.#closeFile();
    const moved = heads.rows.filter((h) => this.#written.get(h.chain_key) !== `${h.last_no}:${h.last_hash}`);
    if (moved.length === 0) return { file: this.#file === null ? null : join(this.#dir, this.#file.name), chains: 0 };
    const file = this.#file ?? (await this.#openFile(now));
    let text = '';
    let { seq, prev } = file;
    for (let i = 0; i < moved.length; i += LIMITS.auditCheckpointChainsPerLineMax) {
      const chains = moved
        .slice(i, i + LIMITS.auditCheckpointChainsPerLineMax)
        .map((h): [string, string, string] => [h.chain_key, String(h.last_no), h.last_hash]);
      const line: CheckpointLine = { v: FORMAT_VERSION, installation: this.#installation, file: file.name, seq: seq + 1, at, chains, prev };
      const mac = sign(this.#key, line);
      text += `${canonicalJson({ ...line, mac })}\n`;
      seq++;
      prev = mac;
    }
    try {
      await file.handle.appendFile(text);
      await file.handle.sync();
    } catch (error) {
      // Part of the text may be in the file: nothing more goes after it (the verifier ignores a
      // cut last line), and the next checkpoint starts a file of its own.
      await this.#closeFile().catch(() => undefined);
      throw error;
    }
    Object.assign(file, { seq, prev, bytes: file.bytes + Buffer.byteLength(text) });
    for (const h of moved) this.#written.set(h.chain_key, `${h.last_no}:${h.last_hash}`);
    return { file: join(this.#dir, file.name), chains: moved.length };
  }

  async #openFile(now: Date): Promise<OpenFile> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const name = `checkpoints-${fileStamp(now)}-${randomBytes(4).toString('hex')}.jsonl`;
    const handle = await open(join(this.#dir, name), 'ax', 0o600);
    // The new name is made durable too, so a crash cannot keep lines but lose the file's entry.
    // Some platforms refuse to sync a folder; there the file's own sync is all there is.
    const folder = await open(this.#dir, 'r');
    await folder.sync().catch(() => undefined);
    await folder.close();
    this.#file = { name, handle, day: now.toISOString().slice(0, 10), bytes: 0, seq: 0, prev: FIRST_PREV };
    return this.#file;
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    this.#written.clear();
    await file?.handle.close();
  }
}

type Log = { info(detail: object, message: string): void; warn(detail: object, message: string): void };

/**
 * The server's checkpoints: one now (awaited, so an audit folder that cannot be written stops the
 * start), then every `intervalMs`, and a last one at stop().
 */
export async function startAuditCheckpoints(
  writer: AuditCheckpointWriter,
  log: Log,
  intervalMs: number = LIMITS.auditCheckpointIntervalMs,
): Promise<{ stop(): Promise<void> }> {
  const first = await writer.checkpoint();
  log.info({ file: first.file, chains: first.chains }, 'audit checkpoint written');
  const timer = setInterval(() => {
    writer.checkpoint().catch((error: unknown) => log.warn({ err: error }, 'audit checkpoint not written; the next one will try again'));
  }, intervalMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      try {
        const last = await writer.checkpoint();
        log.info({ file: last.file, chains: last.chains }, 'audit checkpoint written at shutdown');
      } catch (error) {
        log.warn({ err: error }, 'the audit checkpoint at shutdown was not written');
      } finally {
        await writer.close();
      }
    },
  };
}

export type CheckpointReading = {
  /** What the sound lines saw, by chain, in row order: verifyAudit's anchors. */
  anchors: Map<string, AuditAnchor[]>;
  files: number;
  lines: number;
  /** The time of the newest checkpoint read, or null when there is none. */
  latestAt: string | null;
  /** The first thing wrong with the checkpoints themselves, in a sentence; null when every line is sound. */
  problem: string | null;
  /** Things worth saying that are not a problem (no folder yet, a line cut short by a crash). */
  notes: string[];
};

function parseLine(text: string): (CheckpointLine & { mac: string }) | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const chainsValid =
    Array.isArray(v.chains) &&
    v.chains.every(
      (c) =>
        Array.isArray(c) &&
        c.length === 3 &&
        typeof c[0] === 'string' &&
        typeof c[1] === 'string' &&
        /^[1-9]\d{0,18}$/.test(c[1]) &&
        typeof c[2] === 'string' &&
        HEX64.test(c[2]),
    );
  const valid =
    Object.keys(v).length === 8 &&
    v.v === FORMAT_VERSION &&
    typeof v.installation === 'string' &&
    typeof v.file === 'string' &&
    Number.isSafeInteger(v.seq) &&
    typeof v.at === 'string' &&
    chainsValid &&
    typeof v.prev === 'string' &&
    typeof v.mac === 'string' &&
    HEX64.test(v.mac);
  return valid ? (v as CheckpointLine & { mac: string }) : null;
}

/** Why `line` (the file's line number `lineNo`, after a line signed `prev`) cannot be taken, or null. */
function lineProblem(
  line: (CheckpointLine & { mac: string }) | null,
  where: string,
  o: { key: Buffer; name: string; lineNo: number; prev: string; installation: string | null },
): string | null {
  if (line === null) return `${where} is not a checkpoint line (it was altered or damaged)`;
  const { mac, ...signed } = line;
  if (!timingSafeEqual(Buffer.from(sign(o.key, signed), 'hex'), Buffer.from(mac, 'hex')))
    return `${where}: its signature does not match (the line was altered, or signed under another audit key)`;
  if (line.file !== o.name) return `${where} was written for file ${line.file} (it was moved from another file)`;
  if (line.seq !== o.lineNo || line.prev !== o.prev)
    return `${where} does not follow the line before it (a line was removed, inserted or reordered)`;
  if (line.installation !== o.installation) {
    const ours = o.installation === null ? 'this database has none' : `this database is ${o.installation}`;
    return `${where} belongs to another database (installation ${line.installation}; ${ours}): each database needs its own FUELCARD_AUDIT_DIR`;
  }
  return null;
}

/**
 * Reads and checks every checkpoint file in `dir` against `key` and the database's `installation`
 * id. Stops at the first problem; the anchors read up to there are still returned.
 */
export async function readCheckpoints(dir: string, key: Buffer, installation: string | null): Promise<CheckpointReading> {
  const reading: CheckpointReading = { anchors: new Map(), files: 0, lines: 0, latestAt: null, problem: null, notes: [] };
  await readInto(reading, dir, key, installation);
  for (const anchors of reading.anchors.values()) anchors.sort((a, b) => (a.no < b.no ? -1 : a.no > b.no ? 1 : 0));
  return reading;
}

async function readInto(reading: CheckpointReading, dir: string, key: Buffer, installation: string | null): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    reading.notes.push(`there is no checkpoint folder ${dir}: nothing anchors the audit log yet (the server writes checkpoints there)`);
    return;
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!FILE_NAME.test(name)) {
      reading.notes.push(`${name} in ${dir} is not a checkpoint file: ignored`);
      continue;
    }
    reading.files++;
    if ((await stat(join(dir, name))).size > 2 * LIMITS.auditCheckpointFileBytesMax) {
      reading.problem = `checkpoint file ${name} is far longer than the server ever writes one: it is not a checkpoint file`;
      return;
    }
    const texts = (await readFile(join(dir, name), 'utf8')).split('\n');
    // Text after the last newline is a write cut short (a crash, a full disk): never signed whole.
    if (texts.pop() !== '') reading.notes.push(`checkpoint file ${name} ends with an incomplete line (a write cut short): ignored`);
    let prev = FIRST_PREV;
    for (const [index, text] of texts.entries()) {
      const line = parseLine(text);
      reading.problem = lineProblem(line, `checkpoint file ${name} line ${index + 1}`, {
        key,
        name,
        lineNo: index + 1,
        prev,
        installation,
      });
      if (reading.problem !== null || line === null) return;
      prev = line.mac;
      reading.lines++;
      if (reading.latestAt === null || line.at > reading.latestAt) reading.latestAt = line.at;
      const source = `the checkpoint of ${line.at} (${name} line ${index + 1})`;
      for (const [chainKey, no, hash] of line.chains) {
        // The same head seen again adds nothing; another hash for the same row is kept, to fail.
        const id = `${chainKey}\n${no}\n${hash}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const anchors = reading.anchors.get(chainKey) ?? [];
        anchors.push({ no: BigInt(no), hash, source });
        reading.anchors.set(chainKey, anchors);
      }
    }
  }
}
