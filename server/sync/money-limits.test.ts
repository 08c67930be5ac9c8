/**
 * Limits on money taken in at the counter (issue 11's review: a plain operator's cash receipt of
 * 4,294,967,295 fen was applied and the quota passed 2^32). Per-operation limits come from the
 * configuration, a receipt above the threshold needs a supervisor's approval (used once), and no
 * customer account may hold more than a card can ever carry, in the ledger and in SQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { openTestShift } from '../testing/shifts.ts';
import { testEngine } from '../testing/db.ts';
import { CONTRACT_VERSION } from '../contract/index.ts';

const MONEY_TABLES = ['account', 'transfer', 'approval'];

describe(`limits on money at the counter on ${testEngine()}`, () => {
  let t: TestApp;
  let customerId: string;
  let clock = new Date();
  beforeAll(async () => {
    t = await openTestApp({ now: () => clock, config: { cashReceiptMaxFen: 5_000_000, approvalAboveFen: 1_000_000 } });
    await openTestShift(t.db, 'demo.operator');
    await openTestShift(t.db, 'demo.supervisor');
    const found = await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [demoCardNo(1)]);
    customerId = String(found.rows[0]!.customer_id);
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const receipt = async (headers: Headers, amountFen: number, approvalId?: string) => {
    const head = await t.db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-tablet-1'");
    const seq = Number(head.rows[0]?.last_seq ?? 0n) + 1;
    const payload = { customerId, amountFen, ...(approvalId ? { approvalId } : {}) };
    const r = await t.post(
      '/api/v1/sync/push',
      {
        contractVersion: CONTRACT_VERSION,
        operations: [{ id: randomUUID(), deviceId: 'demo-tablet-1', seq, type: 'receipt.cash', payload }],
      },
      headers,
    );
    expect(r.statusCode).toBe(200);
    return r.json().results[0] as { status: string; error?: { code: string } };
  };
  const approve = (headers: Headers, amountFen: number, forCustomer = customerId) =>
    t.post('/api/v1/approvals', { purpose: 'receipt.cash', customerId: forCustomer, amountFen }, headers);

  it('refuses a receipt above the per-operation limit, whoever takes it, and changes nothing', async () => {
    const before = await snapshot(t.db, MONEY_TABLES);
    expect(await receipt(t.as.outlet_operator, 4_294_967_295)).toMatchObject({ status: 'rejected', error: { code: 'AMOUNT_ABOVE_LIMIT' } });
    expect(await receipt(t.as.outlet_supervisor, 5_000_001)).toMatchObject({ status: 'rejected', error: { code: 'AMOUNT_ABOVE_LIMIT' } });
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
  });

  it("takes a receipt above the threshold from an operator only with a supervisor's approval of that customer and amount, once", async () => {
    expect(await receipt(t.as.outlet_operator, 1_000_000)).toMatchObject({ status: 'applied' });
    expect(await receipt(t.as.outlet_operator, 1_000_001)).toMatchObject({ status: 'rejected', error: { code: 'APPROVAL_REQUIRED' } });
    // Operators cannot approve; a supervisor can, for a customer in their scope.
    expect((await approve(t.as.outlet_operator, 2_000_000)).statusCode).toBe(403);
    const given = await approve(t.as.outlet_supervisor, 2_000_000);
    expect(given.statusCode).toBe(200);
    const { approvalId } = given.json() as { approvalId: string };
    // For another amount it is no approval; for this one it is, and only once.
    expect(await receipt(t.as.outlet_operator, 2_000_001, approvalId)).toMatchObject({
      status: 'rejected',
      error: { code: 'APPROVAL_INVALID' },
    });
    expect(await receipt(t.as.outlet_operator, 2_000_000, approvalId)).toMatchObject({ status: 'applied' });
    expect(await receipt(t.as.outlet_operator, 2_000_000, approvalId)).toMatchObject({
      status: 'rejected',
      error: { code: 'APPROVAL_INVALID' },
    });
    const audit = await t.db.query<{ detail: { approvedBy?: string } }>(
      "SELECT detail FROM audit_log WHERE action = 'receipt.cash' ORDER BY at DESC LIMIT 1",
    );
    expect(audit.rows[0]?.detail.approvedBy).toMatch(/^[0-9]+$/);
    // A supervisor takes it on their own word.
    expect(await receipt(t.as.outlet_supervisor, 1_500_000)).toMatchObject({ status: 'applied' });
  });

  it('refuses an expired approval, and one for a customer outside the supervisor’s scope', async () => {
    const { approvalId } = (await approve(t.as.outlet_supervisor, 1_200_000)).json() as { approvalId: string };
    clock = new Date(clock.getTime() + 13 * 3_600_000);
    try {
      expect(await receipt(t.as.outlet_operator, 1_200_000, approvalId)).toMatchObject({
        status: 'rejected',
        error: { code: 'APPROVAL_INVALID' },
      });
    } finally {
      clock = new Date();
    }
    const other = await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [demoCardNo(9)]);
    expect((await approve(t.as.outlet_supervisor, 1_200_000, String(other.rows[0]!.customer_id))).json().error.code).toBe('OUT_OF_SCOPE');
  });
});

describe(`what a card can carry bounds every customer account on ${testEngine()}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp({ config: { cashReceiptMaxFen: 4_294_967_295, approvalAboveFen: 4_294_967_295 } });
    await openTestShift(t.db, 'demo.operator');
    await openTestShift(t.db, 'demo.supervisor');
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  it('refuses a receipt that would take a quota past 4,294,967,295 fen, and the database refuses it too', async () => {
    const found = await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [demoCardNo(1)]);
    const customerId = String(found.rows[0]!.customer_id);
    const quota = async () =>
      (
        await t.db.query<{ fen: bigint }>(
          "SELECT credits_posted - debits_posted AS fen FROM account WHERE code = 'QUOTA' AND customer_id = $1",
          [customerId],
        )
      ).rows[0]!.fen;
    const push = async (amountFen: number) => {
      const head = await t.db.query<{ last_seq: bigint }>("SELECT last_seq FROM device_sync WHERE device_id = 'demo-tablet-1'");
      const seq = Number(head.rows[0]?.last_seq ?? 0n) + 1;
      const r = await t.post(
        '/api/v1/sync/push',
        {
          contractVersion: CONTRACT_VERSION,
          operations: [{ id: randomUUID(), deviceId: 'demo-tablet-1', seq, type: 'receipt.cash', payload: { customerId, amountFen } }],
        },
        t.as.outlet_supervisor,
      );
      return r.json().results[0] as { status: string; error?: { code: string } };
    };
    const room = 4_294_967_295 - Number(await quota());
    const before = await snapshot(t.db, MONEY_TABLES);
    expect(await push(room + 1)).toMatchObject({ status: 'rejected', error: { code: 'ACCOUNT_CEILING_EXCEEDED' } });
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    expect(await push(room)).toMatchObject({ status: 'applied' });
    expect(await quota()).toBe(4_294_967_295n);
    expect(await push(1)).toMatchObject({ status: 'rejected', error: { code: 'ACCOUNT_CEILING_EXCEEDED' } });
    // The database's own word, past the ledger's code.
    await expect(
      t.db.query("UPDATE account SET credits_posted = credits_posted + 1 WHERE code = 'QUOTA' AND customer_id = $1", [customerId]),
    ).rejects.toThrow(/account_customer_money_fits_a_card/);
  });
});
