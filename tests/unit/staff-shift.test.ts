/**
 * The clerk's shift and cheques at the tablet, against the real server (PGlite, demo data):
 * src/staff/shift.ts (the status bar's current shift, open with a float, close with the cash
 * counted: over or short needs a note, the server books the difference) and src/staff/cheque.ts
 * (the form's checks, a cheque taken once, the supervisor's approval above the threshold). Every
 * refusal queues nothing or moves nothing.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEVICE_SECRETS, DEMO_OPERATOR_PASSWORD } from '../../server/demo/seed.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../../server/testing/app.ts';
import { ApiClient } from '../../src/lib/sync/client.ts';
import { withOperatorSession, type OperatorSession } from '../../src/staff/auth.ts';
import { chequeFieldInvalid, takeChequeReceipt } from '../../src/staff/cheque.ts';
import { StaffError } from '../../src/staff/errors.ts';
import { messageFor, messageForCode } from '../../src/staff/messages.ts';
import { supervisorApproval, takeCashReceipt } from '../../src/staff/receipt.ts';
import { closeShift, drawerDifference, openShift, shiftClosedOf, ShiftWatch } from '../../src/staff/shift.ts';
import { BASE_URL, TABLET, injectFetch, staffRig, type Rig } from '../../src/staff/testing/rig.ts';

const SETUP_TIMEOUT_MS = 60_000;
const APPROVAL_ABOVE_FEN = 2_000_000;
const TODAY = '2026-12-07';

describe('the shift and cheque receipts at the tablet, against the real server', { timeout: 30_000 }, () => {
  let t: TestApp;
  let rig: Rig;
  let customerId: string;
  let shifts: ShiftWatch;

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t);
    shifts = new ShiftWatch(rig.api);
    const found = await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'");
    customerId = String(found.rows[0]!.id);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  const queue = () => ({ outbox: rig.outbox, sync: rig.sync });
  const cheque = (over: Partial<Parameters<typeof takeChequeReceipt>[1]> = {}) => ({
    customerId,
    amountFen: 80_000,
    bank: '中国工商银行南京分行',
    chequeNo: 'ZP-10000001',
    chequeDate: '2026-12-01',
    ...over,
  });

  it('has no shift until one is opened; a cash receipt without one is refused and moves nothing', async () => {
    expect(shifts.get()).toBeUndefined();
    expect(await shifts.refresh()).toBeNull();
    const money = await snapshot(t.db, ['account', 'transfer']);
    expect(await takeCashReceipt(queue(), { customerId, amountFen: 100 })).toMatchObject({ kind: 'rejected', code: 'SHIFT_NOT_OPEN' });
    expect(messageForCode('SHIFT_NOT_OPEN').key).toBe('staff.error.shift_not_open');
    expect(await snapshot(t.db, ['account', 'transfer'])).toBe(money);
  });

  it('opens a shift with its float once; a second open is refused', async () => {
    const queued = await rig.db.outbox.count();
    for (const openingFloatFen of [-1, 1.5, Number.NaN])
      await expect(openShift(queue(), { openingFloatFen })).rejects.toBeInstanceOf(StaffError);
    expect(await rig.db.outbox.count()).toBe(queued);
    expect(await openShift(queue(), { openingFloatFen: 50_000 })).toMatchObject({ kind: 'applied' });
    expect(await shifts.refresh()).toMatchObject({
      openingFloatFen: 50_000,
      drawerFen: 50_000,
      receiptsCount: 0,
      deviceId: TABLET.deviceId,
    });
    expect(await openShift(queue(), { openingFloatFen: 1 })).toMatchObject({ kind: 'rejected', code: 'SHIFT_ALREADY_OPEN' });
    expect((await shifts.refresh())?.drawerFen).toBe(50_000);
  });

  it('takes cash into the drawer, which the bar then shows', async () => {
    expect(await takeCashReceipt(queue(), { customerId, amountFen: 12_300 })).toMatchObject({ kind: 'applied' });
    expect(await shifts.refresh()).toMatchObject({ drawerFen: 62_300, receiptsCount: 1 });
  });

  it('checks a cheque on the form before anything is queued', async () => {
    expect(chequeFieldInvalid(cheque(), TODAY)).toBeNull();
    expect(chequeFieldInvalid({ ...cheque(), amountFen: null }, TODAY)).toBe('amount');
    expect(chequeFieldInvalid(cheque({ amountFen: 0 }), TODAY)).toBe('amount');
    expect(chequeFieldInvalid(cheque({ bank: '  ' }), TODAY)).toBe('bank');
    expect(chequeFieldInvalid(cheque({ chequeNo: 'ZP 1' }), TODAY)).toBe('chequeNo');
    expect(chequeFieldInvalid(cheque({ chequeDate: '2026-12-08' }), TODAY)).toBe('chequeDate');
    expect(chequeFieldInvalid(cheque({ chequeDate: '2026-11-26' }), TODAY)).toBe('chequeDate');
    expect(chequeFieldInvalid(cheque({ chequeDate: '2026-11-27' }), TODAY)).toBeNull();
    expect(chequeFieldInvalid(cheque({ chequeDate: '2026-02-30' }), TODAY)).toBe('chequeDate');
    const queued = await rig.db.outbox.count();
    await expect(takeChequeReceipt(queue(), cheque({ chequeNo: '' }), TODAY)).rejects.toMatchObject({ code: 'CHEQUE_INVALID' });
    await expect(takeChequeReceipt(queue(), cheque({ amountFen: -5 }), TODAY)).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    expect(await rig.db.outbox.count()).toBe(queued);
  });

  it('takes a cheque once: the same cheque again, however spelled, is refused and moves nothing', async () => {
    expect(await takeChequeReceipt(queue(), cheque(), TODAY)).toMatchObject({ kind: 'applied' });
    const money = await snapshot(t.db, ['account', 'transfer']);
    const again = await takeChequeReceipt(queue(), cheque({ chequeNo: 'zp-10000001', bank: '中国工商银行南京分行 ' }), TODAY);
    expect(again).toMatchObject({ kind: 'rejected', code: 'CHEQUE_ALREADY_TAKEN' });
    expect(messageForCode('CHEQUE_ALREADY_TAKEN').key).toBe('staff.error.cheque_already_taken');
    expect(await snapshot(t.db, ['account', 'transfer'])).toBe(money);
    // A cheque is not cash: the drawer is as it was.
    expect((await shifts.refresh())?.drawerFen).toBe(62_300);
  });

  it("asks for a supervisor's approval of a large cheque, given for cheques", async () => {
    const approvals = {
      deviceApi: new ApiClient({
        baseUrl: BASE_URL,
        credentials: () => ({ deviceId: TABLET.deviceId, secret: DEMO_DEVICE_SECRETS[TABLET.deviceId] }),
        fetch: injectFetch(t.app),
      }),
      clientFor: (session: OperatorSession) =>
        new ApiClient({ baseUrl: BASE_URL, credentials: () => null, fetch: withOperatorSession(injectFetch(t.app), () => session) }),
    };
    const amountFen = APPROVAL_ABOVE_FEN + 1;
    const big = cheque({ amountFen, chequeNo: 'ZP-10000002' });
    expect(await takeChequeReceipt(queue(), big, TODAY)).toMatchObject({ kind: 'approval_required' });
    // An approval for cash does not stand for a cheque.
    const forCash = await supervisorApproval(approvals, {
      username: 'demo.supervisor',
      password: DEMO_OPERATOR_PASSWORD,
      customerId,
      amountFen,
    });
    expect(await takeChequeReceipt(queue(), { ...big, approvalId: forCash.approvalId }, TODAY)).toMatchObject({ kind: 'rejected' });
    const approval = await supervisorApproval(approvals, {
      username: 'demo.supervisor',
      password: DEMO_OPERATOR_PASSWORD,
      customerId,
      amountFen,
      purpose: 'receipt.cheque',
    });
    expect(await takeChequeReceipt(queue(), { ...big, approvalId: approval.approvalId }, TODAY)).toMatchObject({ kind: 'applied' });
  });

  it('closes the shift: a difference needs a note, the server books it and the slip reads its answer', async () => {
    const expectedFen = shifts.get()!.drawerFen;
    const queued = await rig.db.outbox.count();
    await expect(closeShift(queue(), { countedFen: expectedFen - 500, expectedFen })).rejects.toMatchObject({ code: 'NOTE_REQUIRED' });
    await expect(closeShift(queue(), { countedFen: expectedFen - 500, note: '   ', expectedFen })).rejects.toMatchObject({
      code: 'NOTE_REQUIRED',
    });
    expect(messageFor(new StaffError('NOTE_REQUIRED', 'x')).key).toBe('staff.error.note_required');
    await expect(closeShift(queue(), { countedFen: -1, expectedFen })).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    expect(await rig.db.outbox.count()).toBe(queued);
    expect(drawerDifference(expectedFen, expectedFen - 500)).toBe(-500);
    const outcome = await closeShift(queue(), { countedFen: expectedFen - 500, note: '找零差错', expectedFen });
    expect(outcome.kind).toBe('applied');
    expect(outcome.kind === 'applied' && shiftClosedOf(outcome.result)).toMatchObject({
      expectedFen,
      countedFen: expectedFen - 500,
      differenceFen: -500,
    });
    expect(await shifts.refresh()).toBeNull();
    expect(await closeShift(queue(), { countedFen: 0, expectedFen: 0 })).toMatchObject({ kind: 'rejected', code: 'SHIFT_NOT_OPEN' });
    await expectSound(t.db);
  });
});
