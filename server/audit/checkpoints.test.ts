/**
 * The audit log against its database's owner: what the owner can do with SQL behind the
 * append-only trigger (cut a chain's tail and roll its head back, edit a row and rehash the rest)
 * passes the unkeyed chain, and is found by the signed checkpoints kept outside the database; a
 * checkpoint file altered is found too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { AuditCheckpointWriter, auditKeyOf, installationOf, readCheckpoints, startAuditCheckpoints } from './checkpoints.ts';
import { appendAudit, canonicalJson, verifyAudit, type AuditActor } from './log.ts';

const KIOSK: AuditActor = { deviceId: 'demo-kiosk-1', operatorId: null, orgUnitId: 1n };
const SYSTEM: AuditActor = { deviceId: null, operatorId: null, orgUnitId: 1n };
const KIOSK_CHAIN = 'device:demo-kiosk-1';

describe(`audit checkpoints on ${testEngine()}`, () => {
  let db: TestDatabase;
  let dir: string;
  const key = randomBytes(32);
  let writer: AuditCheckpointWriter;

  const write = async (actor: AuditActor, count: number): Promise<void> => {
    for (let i = 0; i < count; i++)
      await db.transaction((tx) => appendAudit(tx, actor, { action: 'test.entry', subject: `entry ${i}`, detail: { i, 金额: i * 100 } }));
  };
  const verify = async (options: { key?: Buffer } = {}) => {
    const reading = await readCheckpoints(dir, options.key ?? key, await installationOf(db));
    return { reading, verdict: await verifyAudit(db, reading.anchors) };
  };
  /** SQL as the database's owner runs it: the append-only trigger off for the length of it. */
  const asOwner = async (sql: string): Promise<void> => {
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_append_only');
    try {
      await db.exec(sql);
    } finally {
      await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_append_only');
    }
  };
  /** The owner rehashes a chain after editing it: the format is no secret, and no key is needed. */
  const rehash = async (chainKey: string): Promise<void> => {
    type Row = {
      chain_no: bigint;
      at: Date;
      operator_id: bigint | null;
      device_id: string | null;
      org_unit_id: bigint | null;
      action: string;
      subject: string;
      detail: unknown;
    };
    const rows = (
      await db.query<Row>(
        'SELECT chain_no, at, operator_id, device_id, org_unit_id, action, subject, detail FROM audit_log WHERE chain_key = $1 ORDER BY chain_no',
        [chainKey],
      )
    ).rows;
    let prev = '0'.repeat(64);
    let prevOfLast = prev;
    const updates: string[] = [];
    for (const r of rows) {
      prevOfLast = prev;
      const detail = typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail;
      const at = new Date(r.at).toISOString();
      const body = canonicalJson([
        chainKey,
        String(r.chain_no),
        at,
        r.operator_id === null ? null : String(r.operator_id),
        r.device_id,
        r.org_unit_id === null ? null : String(r.org_unit_id),
        r.action,
        r.subject,
        detail,
      ]);
      const hash = createHash('sha256').update(`${prev}\n${body}`).digest('hex');
      updates.push(
        `UPDATE audit_log SET prev_hash = '${prev}', hash = '${hash}' WHERE chain_key = '${chainKey}' AND chain_no = ${r.chain_no}`,
      );
      prev = hash;
    }
    updates.push(
      `UPDATE audit_chain SET last_no = ${rows.at(-1)!.chain_no}, last_hash = '${prev}', prev_hash = '${prevOfLast}' WHERE chain_key = '${chainKey}'`,
    );
    await asOwner(updates.join(';\n'));
  };
  const files = (): string[] => readdirSync(dir).sort();
  const lines = (file: string): string[] =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '');

  beforeAll(async () => {
    db = await openTestDatabase();
    await seedDemo(db);
  });
  afterAll(async () => db?.close());
  // Each test starts from no audit log and no checkpoints: five rows of the kiosk's chain, two of the system's.
  beforeEach(async () => {
    await asOwner("DELETE FROM audit_log; DELETE FROM audit_chain; DELETE FROM app_meta WHERE key = 'audit.installation'");
    dir = mkdtempSync(join(tmpdir(), 'fuelcard-audit-'));
    writer = new AuditCheckpointWriter(db, { dir, key });
    await write(KIOSK, 5);
    await write(SYSTEM, 2);
  });
  afterEach(async () => {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a clean installation, and counts the rows written since the last checkpoint as not yet anchored', async () => {
    expect(await writer.checkpoint()).toMatchObject({ chains: 2 });
    await write(KIOSK, 1);
    const { reading, verdict } = await verify();
    expect(reading).toMatchObject({ problem: null, files: 1, lines: 1 });
    expect(verdict).toMatchObject({ sound: true, rowsChecked: 8, chainsChecked: 2, rowsUnanchored: 1, brokenAt: null });
  });

  it('finds a chain whose last rows were deleted and whose head was rolled back, which the chain alone cannot', async () => {
    await writer.checkpoint();
    // Rows 4 and 5 of the kiosk's chain deleted, and its head moved back to row 3, as it was then.
    await asOwner(`DELETE FROM audit_log WHERE chain_key = '${KIOSK_CHAIN}' AND chain_no > 3;
      UPDATE audit_chain c SET last_no = 3, last_hash = l.hash, prev_hash = l.prev_hash FROM audit_log l WHERE c.chain_key = '${KIOSK_CHAIN}' AND l.chain_key = c.chain_key AND l.chain_no = 3`);
    expect((await verifyAudit(db)).sound).toBe(true);
    const { reading, verdict } = await verify();
    expect(reading.problem).toBeNull();
    expect(verdict).toMatchObject({ sound: false, brokenAt: `${KIOSK_CHAIN}#end` });
    expect(verdict.problem).toMatch(
      /^chain device:demo-kiosk-1 ends at row 3, but the checkpoint of .* saw its row 5: rows were deleted and the chain's head rolled back$/,
    );

    // The server goes on writing after the rollback: rows 4 and 5 again, not the ones checkpointed.
    await write(KIOSK, 3);
    expect((await verifyAudit(db)).sound).toBe(true);
    expect((await verify()).verdict).toMatchObject({
      sound: false,
      brokenAt: `${KIOSK_CHAIN}#5`,
      problem: expect.stringContaining('the chain was rewritten up to this row'),
    });
  });

  it('finds a whole chain deleted with its head', async () => {
    await writer.checkpoint();
    await asOwner(`DELETE FROM audit_log WHERE chain_key = 'system'; DELETE FROM audit_chain WHERE chain_key = 'system'`);
    expect((await verifyAudit(db)).sound).toBe(true);
    expect((await verify()).verdict).toMatchObject({
      sound: false,
      brokenAt: 'system#end',
      problem: expect.stringContaining('chain system has no rows'),
    });
  });

  it('finds a row whose detail was edited, and still finds it once the owner has rehashed the chain after it', async () => {
    await writer.checkpoint();
    await asOwner(`UPDATE audit_log SET detail = '{"i": 1, "金额": 999999}'::jsonb WHERE chain_key = '${KIOSK_CHAIN}' AND chain_no = 2`);
    expect((await verify()).verdict).toMatchObject({
      sound: false,
      brokenAt: `${KIOSK_CHAIN}#2`,
      problem: expect.stringContaining('its contents do not match its hash (the row was edited)'),
    });

    await rehash(KIOSK_CHAIN);
    expect((await verifyAudit(db)).sound).toBe(true);
    // The checkpoint saw row 5; a chain's hash at row 5 covers row 2.
    expect((await verify()).verdict).toMatchObject({
      sound: false,
      brokenAt: `${KIOSK_CHAIN}#5`,
      problem: expect.stringContaining('is not the one the checkpoint of'),
    });
  });

  it('finds a checkpoint line altered, one removed from the middle, one moved to another file, and lines signed under another key', async () => {
    await writer.checkpoint();
    await write(KIOSK, 1);
    await writer.checkpoint();
    await write(SYSTEM, 1);
    await writer.checkpoint();
    const [file] = files();
    const original = lines(file!);
    expect(original).toHaveLength(3);
    expect((await verify()).reading).toMatchObject({ problem: null, lines: 3 });
    const rewrite = (content: string[]): void => writeFileSync(join(dir, file!), `${content.join('\n')}\n`);

    // The kiosk's head in line 2 set back by one row, the line otherwise as written.
    const altered = JSON.parse(original[1]!) as { chains: [string, string, string][] };
    altered.chains[0]![1] = String(BigInt(altered.chains[0]![1]) - 1n);
    rewrite([original[0]!, canonicalJson(altered), original[2]!]);
    expect((await verify()).reading.problem).toBe(
      `checkpoint file ${file} line 2: its signature does not match (the line was altered, or signed under another audit key)`,
    );

    rewrite([original[0]!, original[2]!]);
    expect((await verify()).reading.problem).toBe(
      `checkpoint file ${file} line 2 does not follow the line before it (a line was removed, inserted or reordered)`,
    );

    rewrite(original);
    const other = file!.replace(/-[0-9a-f]{8}\.jsonl$/, '-00000000.jsonl');
    writeFileSync(join(dir, other), `${original[0]}\n`);
    expect((await verify()).reading.problem).toBe(
      `checkpoint file ${other} line 1 was written for file ${file} (it was moved from another file)`,
    );
    rmSync(join(dir, other));

    expect((await verify({ key: randomBytes(32) })).reading.problem).toMatch(/line 1: its signature does not match/);
    expect((await verify()).reading.problem).toBeNull();
  });

  it('refuses checkpoints written for another database in the same folder', async () => {
    await writer.checkpoint();
    await db.query("UPDATE app_meta SET value = 'another-installation' WHERE key = 'audit.installation'");
    expect((await verify()).reading.problem).toMatch(
      /line 1 belongs to another database \(installation [0-9a-f-]{36}; this database is another-installation\): each database needs its own FUELCARD_AUDIT_DIR$/,
    );
  });

  it('ignores a last line cut short by a crash, and says so', async () => {
    await writer.checkpoint();
    const [file] = files();
    writeFileSync(join(dir, file!), `${readFileSync(join(dir, file!), 'utf8')}{"v":1,"install`);
    const { reading, verdict } = await verify();
    expect(reading).toMatchObject({
      problem: null,
      lines: 1,
      notes: [`checkpoint file ${file} ends with an incomplete line (a write cut short): ignored`],
    });
    expect(verdict.sound).toBe(true);
  });

  it('writes only the heads that moved, every head again in each new file, and nothing when none moved', async () => {
    await writer.checkpoint();
    expect(await writer.checkpoint()).toMatchObject({ chains: 0 });
    await write(SYSTEM, 1);
    await writer.checkpoint();
    const [first] = files();
    expect(lines(first!).map((l) => (JSON.parse(l) as { chains: [string][] }).chains.map((c) => c[0]))).toEqual([
      [KIOSK_CHAIN, 'system'],
      ['system'],
    ]);

    await writer.close();
    writer = new AuditCheckpointWriter(db, { dir, key });
    await writer.checkpoint();
    expect(files()).toHaveLength(2);
    const second = files().find((f) => f !== first)!;
    expect(lines(second).map((l) => (JSON.parse(l) as { chains: [string][] }).chains.map((c) => c[0]))).toEqual([[KIOSK_CHAIN, 'system']]);
    expect((await verify()).reading).toMatchObject({ problem: null, files: 2, lines: 3 });
  });

  it('checkpoints at start and at stop, logging where but never the key', async () => {
    const logged: string[] = [];
    const log = {
      info: (detail: object, message: string) => void logged.push(JSON.stringify({ detail, message })),
      warn: (detail: object, message: string) => void logged.push(JSON.stringify({ detail, message })),
    };
    await writer.close();
    const kek = randomBytes(32).toString('hex');
    const derived = auditKeyOf({ auditKeyHex: undefined, kekHex: kek })!;
    const running = await startAuditCheckpoints(new AuditCheckpointWriter(db, { dir, key: derived }), log);
    await write(KIOSK, 1);
    await running.stop();
    expect(logged).toHaveLength(2);
    expect(logged.join('\n')).toContain('audit checkpoint written at shutdown');
    for (const secret of [kek, derived.toString('hex')]) expect(logged.join('\n')).not.toContain(secret);
    expect((await verify({ key: derived })).verdict).toMatchObject({ sound: true, rowsUnanchored: 0 });
  });

  it('derives the audit key from the key-encryption key under a label of its own, unless one is given', () => {
    const kek = randomBytes(32).toString('hex');
    const derived = auditKeyOf({ auditKeyHex: undefined, kekHex: kek })!;
    expect(derived).toHaveLength(32);
    expect(derived.toString('hex')).not.toBe(kek);
    expect(auditKeyOf({ auditKeyHex: undefined, kekHex: kek })).toEqual(derived);
    expect(auditKeyOf({ auditKeyHex: 'ab'.repeat(32), kekHex: kek })!.toString('hex')).toBe('ab'.repeat(32));
    expect(auditKeyOf({ auditKeyHex: undefined, kekHex: undefined })).toBeUndefined();
  });
});
