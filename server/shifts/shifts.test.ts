/**
 * Shifts and drawers, cheque receipts and reversals through the push pipeline (docs/ledger.md
 * "Shifts and drawers", "Reversals"): exactly once, audited, refusals that change nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../contract/index.ts';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import type { Principal } from '../auth/principal.ts';
import { ensureAccount } from '../ledger/accounts.ts';
import { createTransfers } from '../ledger/transfers.ts';
import { drawerAccount } from './drawer.ts';
import { closeShift } from './shifts.ts';

type Result = { id: string; seq: number; status: string; replayed: boolean; result?: Record<string, unknown>; error?: { code: string } };
const MONEY_TABLES = ['account', 'transfer', 'shift', 'cheque_receipt', 'reversal', 'approval'];

describe(`shifts, cheques and reversals on ${testEngine()}`, () => {
  let t: TestApp;
  let customerId: string;
  let farCustomer: string;
  beforeAll(async () => {
    t = await openTestApp({ config: { cashReceiptMaxFen: 5_000_000, approvalAboveFen: 1_000_000 } });
    const of = async (cardNo: string) =>
      String((await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [cardNo])).rows[0]!.customer_id);
    customerId = await of(demoCardNo(1));
    farCustomer = await of(demoCardNo(9));
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const nextSeq = async (deviceId: string) =>
    Number(
      (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ?? 0n,
    ) + 1;
  /** Pushes one operation from the demo tablet (or `deviceId`) as `headers`; returns its result and the operation sent. */
  const push1 = async (headers: Headers, type: string, payload: unknown, deviceId = 'demo-tablet-1', id = randomUUID()) => {
    const op = { id, deviceId, seq: await nextSeq(deviceId), type, payload };
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [op] }, headers);
    expect(r.statusCode).toBe(200);
    return { result: r.json().results[0] as Result, op };
  };
  const outcome = (r: Result) => r.error?.code ?? r.status;
  const current = async (headers: Headers) => (await t.app.inject({ method: 'GET', url: '/api/v1/shifts/current', headers })).json();
  const balance = async (code: string, ownerKey: string) =>
    (
      await t.db.query<{ balance: bigint }>(
        "SELECT CASE WHEN normal = 'debit' THEN debits_posted - credits_posted ELSE credits_posted - debits_posted END AS balance FROM account WHERE code = $1 AND owner_key = $2",
        [code, ownerKey],
      )
    ).rows[0]?.balance ?? 0n;
  const quota = () => balance('QUOTA', `customer:${customerId}`);

  it('takes no cash without an open shift, and no shift is closed that was not opened', async () => {
    const before = await snapshot(t.db, MONEY_TABLES);
    expect(outcome((await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 100 })).result)).toBe('SHIFT_NOT_OPEN');
    expect(outcome((await push1(t.as.outlet_operator, 'shift.close', { countedFen: 0 })).result)).toBe('SHIFT_NOT_OPEN');
    expect(await current(t.as.outlet_operator)).toEqual({ shift: null });
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
  });

  it('opens a shift with its float from the outlet bank, once, and refuses a second open shift', async () => {
    const { result, op } = await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 20_000 });
    expect(result.status).toBe('applied');
    const shiftId = result.result!.shiftId as string;
    expect(await balance('CASH', `shift:${shiftId}`)).toBe(20_000n);
    // The same operation again: its first result, nothing new.
    const state = await snapshot(t.db, MONEY_TABLES);
    const replay = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [op] }, t.as.outlet_operator);
    expect(replay.json().results[0]).toMatchObject({ status: 'applied', replayed: true, result: { shiftId } });
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    expect(outcome((await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 0 })).result)).toBe('SHIFT_ALREADY_OPEN');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    const shown = await current(t.as.outlet_operator);
    expect(shown.shift).toMatchObject({
      id: shiftId,
      openingFloatFen: 20_000,
      drawerFen: 20_000,
      receiptsCount: 0,
      deviceId: 'demo-tablet-1',
    });
    expect(await current(t.as.outlet_supervisor)).toEqual({ shift: null });
    const audit = await t.db.query<{ action: string }>('SELECT action FROM audit_log WHERE subject = $1', [`shift:${shiftId}`]);
    expect(audit.rows.map((r) => r.action)).toEqual(['shift.open']);
  });

  it('refuses shifts from a kiosk and malformed payloads', async () => {
    expect(outcome((await push1(t.kiosk, 'shift.open', { openingFloatFen: 0 }, 'demo-kiosk-1')).result)).toBe('FORBIDDEN');
    expect(outcome((await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: -1 })).result)).toBe('INVALID_REQUEST');
    expect(outcome((await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 1.5 })).result)).toBe('INVALID_REQUEST');
    expect(outcome((await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 5_000_001 })).result)).toBe('AMOUNT_ABOVE_LIMIT');
    expect(outcome((await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 0, extra: 1 })).result)).toBe('INVALID_REQUEST');
    expect(outcome((await push1(t.as.outlet_supervisor, 'shift.close', { countedFen: 0, note: 'x'.repeat(201) })).result)).toBe(
      'INVALID_REQUEST',
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/shifts/current', headers: t.kiosk })).statusCode).toBe(403);
  });

  it('takes cash receipts into the drawer and closes short: the difference recorded and posted, the drawer equal to the count', async () => {
    const q = await quota();
    expect((await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 5_000 })).result.status).toBe('applied');
    expect((await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 1_000 })).result.status).toBe('applied');
    expect(await quota()).toBe(q + 6_000n);
    const shift = (await current(t.as.outlet_operator)).shift;
    expect(shift).toMatchObject({ drawerFen: 26_000, receiptsCount: 2 });
    const { result } = await push1(t.as.outlet_operator, 'shift.close', { countedFen: 25_900, note: 'one coin short' });
    expect(result.result).toMatchObject({ shiftId: shift.id, countedFen: 25_900, expectedFen: 26_000, differenceFen: -100 });
    expect(await balance('CASH', `shift:${shift.id}`)).toBe(25_900n);
    const row = await t.db.query<{ difference_fen: bigint; close_note: string }>(
      'SELECT difference_fen, close_note FROM shift WHERE id = $1',
      [shift.id],
    );
    expect(row.rows[0]).toMatchObject({ difference_fen: -100n, close_note: 'one coin short' });
    expect(await current(t.as.outlet_operator)).toEqual({ shift: null });
    expect(outcome((await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 100 })).result)).toBe('SHIFT_NOT_OPEN');
  });

  it("lists a shift's own operations only, when the operator opens the next shift minutes after closing the last", async () => {
    const list = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/shifts/current/operations', headers: t.as.outlet_operator })).json();
    await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 0 });
    const first = await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 300 });
    expect((await list()).operations.map((o: { operationId: string }) => o.operationId)).toEqual([first.op.id]);
    await push1(t.as.outlet_operator, 'shift.close', { countedFen: 300 });
    await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 0 });
    const second = await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 400 });
    const shown = await list();
    expect(shown.operations.map((o: { operationId: string; amountFen: number }) => [o.operationId, o.amountFen])).toEqual([
      [second.op.id, 400],
    ]);
    await push1(t.as.outlet_operator, 'shift.close', { countedFen: 400 });
  });

  it('closes over, posting the surplus to the outlet cash difference account', async () => {
    const opened = (await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 0 })).result.result!.shiftId as string;
    expect((await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 300 })).result.status).toBe('applied');
    const diffBefore = (
      await t.db.query<{ d: bigint }>(
        "SELECT coalesce(sum(debits_posted - credits_posted), 0)::bigint AS d FROM account WHERE code = 'CASH_DIFFERENCE'",
      )
    ).rows[0]!.d;
    const { result } = await push1(t.as.outlet_operator, 'shift.close', { countedFen: 350 });
    expect(result.result).toMatchObject({ shiftId: opened, expectedFen: 300, differenceFen: 50 });
    expect(await balance('CASH', `shift:${opened}`)).toBe(350n);
    const diffAfter = (
      await t.db.query<{ d: bigint }>(
        "SELECT coalesce(sum(debits_posted - credits_posted), 0)::bigint AS d FROM account WHERE code = 'CASH_DIFFERENCE'",
      )
    ).rows[0]!.d;
    expect(diffAfter - diffBefore).toBe(-50n);
  });

  it('takes a cheque once only, under the same limits as cash, and records its details', async () => {
    const cheque = { customerId, amountFen: 80_000, bank: '中国工商银行南京分行', chequeNo: 'CN-000123', chequeDate: '2026-12-01' };
    const q = await quota();
    const first = await push1(t.as.outlet_operator, 'receipt.cheque', cheque);
    expect(first.result.status).toBe('applied');
    expect(await quota()).toBe(q + 80_000n);
    const before = await snapshot(t.db, MONEY_TABLES);
    expect(outcome((await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, amountFen: 1 })).result)).toBe('CHEQUE_ALREADY_TAKEN');
    // The same cheque spelt otherwise is still the same cheque.
    expect(
      outcome(
        (await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'cn-000123', bank: ' 中国工商银行南京分行 ' })).result,
      ),
    ).toBe('CHEQUE_ALREADY_TAKEN');
    expect(outcome((await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'N2', amountFen: 1_000_001 })).result)).toBe(
      'APPROVAL_REQUIRED',
    );
    expect(outcome((await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'N2', amountFen: 5_000_001 })).result)).toBe(
      'AMOUNT_ABOVE_LIMIT',
    );
    expect(
      outcome((await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'N2', chequeDate: '2026-02-30' })).result),
    ).toBe('INVALID_REQUEST');
    expect(
      outcome((await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'N2', customerId: farCustomer })).result),
    ).toBe('CUSTOMER_OTHER_OUTLET');
    expect(outcome((await push1(t.kiosk, 'receipt.cheque', { ...cheque, chequeNo: 'N2' }, 'demo-kiosk-1')).result)).toBe('FORBIDDEN');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    // With a supervisor's approval of a cheque of this customer and amount.
    const approval = await t.post(
      '/api/v1/approvals',
      { purpose: 'receipt.cheque', customerId, amountFen: 1_000_001 },
      t.as.outlet_supervisor,
    );
    const approvalId = approval.json().approvalId as string;
    expect(
      (await push1(t.as.outlet_operator, 'receipt.cheque', { ...cheque, chequeNo: 'N2', amountFen: 1_000_001, approvalId })).result.status,
    ).toBe('applied');
    const stored = await t.db.query<{ bank: string; amount_fen: bigint }>(
      'SELECT bank, amount_fen FROM cheque_receipt WHERE cheque_no = $1',
      ['CN-000123'],
    );
    expect(stored.rows).toEqual([{ bank: cheque.bank, amount_fen: 80_000n }]);
  });

  it('reverses a receipt by a supervisor only, with a reason, once, as a mirror posting', async () => {
    await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 1_000 });
    const receipt = await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 700 });
    const shiftId = (await current(t.as.outlet_operator)).shift.id as string;
    const q = await quota();
    const reversal = { operationId: receipt.op.id, reason: '客户要求撤销: wrong amount' };
    const before = await snapshot(t.db, MONEY_TABLES);
    expect(outcome((await push1(t.as.outlet_operator, 'reversal', reversal)).result)).toBe('FORBIDDEN');
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', { ...reversal, reason: '' })).result)).toBe('INVALID_REQUEST');
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', { ...reversal, operationId: randomUUID() })).result)).toBe(
      'REVERSAL_NOT_FOUND',
    );
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', { ...reversal, deviceId: 'demo-kiosk-1' })).result)).toBe(
      'REVERSAL_NOT_FOUND',
    );
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(before);
    const done = await push1(t.as.outlet_supervisor, 'reversal', reversal);
    expect(done.result.status).toBe('applied');
    expect(await quota()).toBe(q - 700n);
    // The original shift is open: the cash comes out of its drawer.
    expect(await balance('CASH', `shift:${shiftId}`)).toBe(1_000n);
    const codes = await t.db.query<{ code: string }>('SELECT code FROM transfer WHERE id = ANY($1::uuid[])', [
      done.result.result!.transferIds,
    ]);
    expect(codes.rows.map((r) => r.code)).toEqual(['REVERSAL']);
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', reversal)).result)).toBe('ALREADY_REVERSED');
    // A reversal cannot itself be reversed, nor a refused operation.
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', { ...reversal, operationId: done.op.id })).result)).toBe(
      'REVERSAL_NOT_FOUND',
    );
    const audit = await t.db.query<{ detail: { reason: string } }>(
      "SELECT detail FROM audit_log WHERE action = 'reversal' ORDER BY at DESC LIMIT 1",
    );
    expect(audit.rows[0]!.detail.reason).toBe(reversal.reason);
  });

  it("takes the cash of a reversed receipt of a closed shift from the supervisor's own open shift, and refuses when the money is gone", async () => {
    const receipt = await push1(t.as.outlet_operator, 'receipt.cash', { customerId, amountFen: 400 });
    await push1(t.as.outlet_operator, 'shift.close', { countedFen: 1_400 });
    const reversal = { operationId: receipt.op.id, reason: 'duplicate receipt' };
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', reversal)).result)).toBe('SHIFT_NOT_OPEN');
    const own = (await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 300 })).result.result!.shiftId as string;
    // The supervisor's drawer holds 300, not the 400 to hand back.
    expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', reversal)).result)).toBe('REVERSAL_FUNDS_GONE');
    await push1(t.as.outlet_supervisor, 'shift.close', { countedFen: 300 });
    await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 1_000 });
    const second = (await current(t.as.outlet_supervisor)).shift.id as string;
    expect(second).not.toBe(own);
    expect((await push1(t.as.outlet_supervisor, 'reversal', reversal)).result.status).toBe('applied');
    expect(await balance('CASH', `shift:${second}`)).toBe(600n);
    await push1(t.as.outlet_supervisor, 'shift.close', { countedFen: 600 });
  });

  it('closes a shift only after cash going into its drawer has committed, and lets none in after', async () => {
    await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 0 });
    const operator = (
      await t.db.query<{ id: bigint; org_unit_id: bigint }>("SELECT id, org_unit_id FROM operator WHERE username = 'demo.operator'")
    ).rows[0]!;
    const principal: Principal = {
      role: 'outlet_operator',
      orgUnitId: operator.org_unit_id,
      scopeRootId: null,
      deviceId: 'demo-tablet-1',
      terminalId: null,
      operatorId: operator.id,
    };
    let drawerHeld!: () => void;
    const held = new Promise<void>((resolve) => (drawerHeld = resolve));
    const receipt = t.db.transaction(async (tx) => {
      const drawer = await drawerAccount(tx, principal);
      drawerHeld();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const quota = await ensureAccount(tx, 'QUOTA', { kind: 'customer', customerId: BigInt(customerId) });
      await createTransfers(tx, [{ debitAccountId: drawer, creditAccountId: quota, amountFen: 250n, code: 'CASH_RECEIPT' }]);
    });
    await held;
    const closing = t.db.transaction((tx) => closeShift(tx, { countedFen: 250 }, { principal, operationId: randomUUID() }));
    await receipt;
    expect(await closing).toMatchObject({ expectedFen: 250, differenceFen: 0 });
    await expect(t.db.transaction((tx) => drawerAccount(tx, principal))).rejects.toMatchObject({ code: 'SHIFT_NOT_OPEN' });
  });

  it('reverses a pre-allocation while the money is still on the reserve, and refuses once it is spent', async () => {
    const customer = await t.db.query<{ customer_id: bigint; card_no: string }>(
      "SELECT customer_id, card_no FROM card WHERE role = 'sub' ORDER BY card_no LIMIT 1",
    );
    const sub = customer.rows[0]!;
    const alloc = await push1(t.as.outlet_operator, 'preallocation', {
      customerId: String(sub.customer_id),
      allocations: [{ cardNo: sub.card_no, amountFen: 100 }],
    });
    expect(alloc.result.status).toBe('applied');
    const reserve = await balance('RESERVE', `card:${sub.card_no}`);
    expect((await push1(t.as.outlet_supervisor, 'reversal', { operationId: alloc.op.id, reason: 'wrong card' })).result.status).toBe(
      'applied',
    );
    expect(await balance('RESERVE', `card:${sub.card_no}`)).toBe(reserve - 100n);
    // The whole reserve allocated, then a reversal of more than what is left.
    const whole = await push1(t.as.outlet_operator, 'preallocation', {
      customerId: String(sub.customer_id),
      allocations: [{ cardNo: sub.card_no, amountFen: 50 }],
    });
    const reserveAccount = await t.db.query<{ id: bigint }>("SELECT id FROM account WHERE code = 'RESERVE' AND owner_key = $1", [
      `card:${sub.card_no}`,
    ]);
    const purse = await t.db.query<{ id: bigint }>("SELECT id FROM account WHERE code = 'PURSE' AND owner_key = $1", [
      `card:${sub.card_no}`,
    ]);
    // Spend the reserve as a load would: move everything to the purse.
    const left = await balance('RESERVE', `card:${sub.card_no}`);
    expect(purse.rows[0]).toBeDefined();
    {
      await t.db.query(
        "INSERT INTO transfer (id, batch_id, debit_account_id, credit_account_id, amount_fen, code, state, resolved_at) VALUES ($1, $1, $2, $3, $4, 'LOAD', 'posted', now())",
        [randomUUID(), reserveAccount.rows[0]!.id, purse.rows[0]!.id, String(left)],
      );
      await t.db.query('UPDATE account SET debits_posted = debits_posted + $2 WHERE id = $1', [reserveAccount.rows[0]!.id, String(left)]);
      await t.db.query('UPDATE account SET credits_posted = credits_posted + $2 WHERE id = $1', [purse.rows[0]!.id, String(left)]);
      expect(outcome((await push1(t.as.outlet_supervisor, 'reversal', { operationId: whole.op.id, reason: 'wrong card' })).result)).toBe(
        'REVERSAL_FUNDS_GONE',
      );
    }
  });
});
