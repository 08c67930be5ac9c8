import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { appendAudit, verifyAudit } from './log.ts';

describe(`the audit chain on ${testEngine()}`, () => {
  let t: TestApp;
  const actor = { deviceId: null, operatorId: null, orgUnitId: 1n };
  beforeAll(async () => {
    t = await openTestApp();
    for (let i = 1; i <= 3; i++)
      await t.db.transaction((tx) => appendAudit(tx, actor, { action: 'test.entry', subject: `entry ${i}`, detail: { i, 金额: i * 100 } }));
  });
  afterAll(async () => t?.close());

  // Tampering needs the owner to switch the append-only trigger off, as an intruder with the owner's rights would.
  const tamper = async (sql: string) => {
    await t.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_append_only');
    try {
      await t.db.exec(sql);
    } finally {
      await t.db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_append_only');
    }
  };

  it('refuses an update or a delete of an audit row', async () => {
    await expect(t.db.query("UPDATE audit_log SET subject = 'changed' WHERE chain_key = 'system'")).rejects.toThrow(/append-only/);
    await expect(t.db.query("DELETE FROM audit_log WHERE chain_key = 'system'")).rejects.toThrow(/append-only/);
    expect((await verifyAudit(t.db)).sound).toBe(true);
  });

  it('breaks the chain at the row whose detail was edited behind the trigger', async () => {
    await tamper(`UPDATE audit_log SET detail = '{"i": 2, "金额": 999}'::jsonb WHERE chain_key = 'system' AND chain_no = 2`);
    expect(await verifyAudit(t.db)).toMatchObject({ sound: false, brokenAt: 'system#2' });
    await tamper(`UPDATE audit_log SET detail = '{"i": 2, "金额": 200}'::jsonb WHERE chain_key = 'system' AND chain_no = 2`);
    expect((await verifyAudit(t.db)).sound).toBe(true);
  });

  it('breaks the chain where a row was removed, and at the head when the last one was', async () => {
    const rows = (
      await t.db.query<{ chain_key: string; chain_no: bigint }>(
        "SELECT chain_key, chain_no FROM audit_log WHERE chain_key = 'system' ORDER BY chain_no",
      )
    ).rows;
    expect(rows).toHaveLength(3);
    await tamper("DELETE FROM audit_log WHERE chain_key = 'system' AND chain_no = 3");
    expect(await verifyAudit(t.db)).toMatchObject({ sound: false, brokenAt: 'system#head' });
    await tamper("DELETE FROM audit_log WHERE chain_key = 'system' AND chain_no = 1");
    expect(await verifyAudit(t.db)).toMatchObject({ sound: false, brokenAt: 'system#2' });
  });
});
