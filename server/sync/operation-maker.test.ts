/**
 * A queued operation is booked to the operator who made it (docs/sync.md "The maker of an
 * operation", docs/ledger.md "Late cash"): clerk A queues cash offline and signs out, B signs in and
 * the queue is sent under B's session: A's drawer has it, the audit names A, A's role decides.
 * Refused: a maker session of another device, a proof that does not hold, an operation made after
 * the session ended. Cash made in a shift closed since goes against CASH_DIFFERENCE.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, DemoKiosk, EnrolResponse, ENDPOINTS, makerMessage } from '../contract/index.ts';
import { DEMO_OPERATOR_PASSWORD, demoCardNo } from '../demo/money.ts';
import { deviceHeader, expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { makerProof } from '../auth/operation-maker.ts';

type Result = { id: string; seq: number; status: string; replayed: boolean; result?: Record<string, unknown>; error?: { code: string } };
type Session = { headers: Headers; sessionId: string; operationKey: string; operatorId: bigint };
type Op = { id: string; deviceId: string; seq: number; type: string; payload: unknown; maker?: unknown };
const MONEY_TABLES = ['account', 'transfer', 'shift', 'shift_late_item', 'reversal'];

// Each test signs in several times (a password hash each): slow on a busy machine.
describe(`the maker of a queued operation on ${testEngine()}`, { timeout: 300_000 }, () => {
  let t: TestApp;
  let customerId: string;
  let tablet2: { deviceId: string; headers: Headers };
  beforeAll(async () => {
    t = await openTestApp({ config: { cashReceiptMaxFen: 5_000_000, approvalAboveFen: 1_000_000 } });
    customerId = String(
      (await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [demoCardNo(1)])).rows[0]!.customer_id,
    );
    const made = DemoKiosk.parse((await t.post(ENDPOINTS.createDemoTablet.path, {}, {})).json());
    const enrolled = EnrolResponse.parse(
      (await t.post(ENDPOINTS.enrol.path, { deviceId: made.deviceId, enrolmentCode: made.enrolmentCode }, {})).json(),
    );
    tablet2 = { deviceId: made.deviceId, headers: deviceHeader(made.deviceId, enrolled.secret) };
  }, 300_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const signIn = async (username: string, device: Headers = t.tablet): Promise<Session> => {
    const r = await t.post(ENDPOINTS.login.path, { username, password: DEMO_OPERATOR_PASSWORD }, device);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    const id = (await t.db.query<{ id: bigint }>('SELECT id FROM operator WHERE username = $1', [username])).rows[0]!.id;
    return {
      headers: { authorization: `Bearer ${body.token}` },
      sessionId: body.sessionId,
      operationKey: body.operationKey,
      operatorId: id,
    };
  };
  const signOut = async (s: Session) => expect((await t.post(ENDPOINTS.logout.path, {}, s.headers)).statusCode).toBe(200);
  /** An operation as the tablet queues it under `maker`'s session: stamped and proved; the seq is given at push. */
  const made = (maker: Session, type: string, payload: unknown, o: { deviceId?: string; madeAt?: Date } = {}): Op => {
    const op = { id: randomUUID(), deviceId: o.deviceId ?? 'demo-tablet-1', seq: 0, type, payload };
    const madeAt = (o.madeAt ?? new Date()).toISOString();
    const proof = makerProof(maker.operationKey, makerMessage(op, maker.sessionId, madeAt));
    return { ...op, maker: { sessionId: maker.sessionId, madeAt, proof } };
  };
  const nextSeq = async (deviceId: string) =>
    Number(
      (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ?? 0n,
    ) + 1;
  /** Sends `op` (its seq the device's next unless it has one) as `headers`. */
  const send = async (headers: Headers, op: Op): Promise<{ result: Result; op: Op }> => {
    const sent = op.seq > 0 ? op : { ...op, seq: await nextSeq(op.deviceId) };
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [sent] }, headers);
    expect(r.statusCode, r.body).toBe(200);
    return { result: r.json().results[0] as Result, op: sent };
  };
  const outcome = (r: Result) => r.error?.code ?? r.status;
  const plain = (type: string, payload: unknown, deviceId = 'demo-tablet-1'): Op => ({ id: randomUUID(), deviceId, seq: 0, type, payload });
  const balance = async (code: string, ownerKey: string) =>
    (
      await t.db.query<{ balance: bigint }>(
        "SELECT CASE WHEN normal = 'debit' THEN debits_posted - credits_posted ELSE credits_posted - debits_posted END AS balance FROM account WHERE code = $1 AND owner_key = $2",
        [code, ownerKey],
      )
    ).rows[0]?.balance ?? 0n;
  const openShiftOf = async (s: Session) =>
    (await t.db.query<{ id: bigint }>('SELECT id FROM shift WHERE operator_id = $1 AND closed_at IS NULL', [s.operatorId])).rows[0]?.id;
  const ensureShift = async (s: Session) => {
    if ((await openShiftOf(s)) === undefined)
      expect((await send(s.headers, plain('shift.open', { openingFloatFen: 0 }))).result.status).toBe('applied');
    return (await openShiftOf(s))!;
  };
  const cashDifference = async () =>
    (
      await t.db.query<{ d: bigint }>(
        "SELECT coalesce(sum(credits_posted - debits_posted), 0)::bigint AS d FROM account WHERE code = 'CASH_DIFFERENCE'",
      )
    ).rows[0]!.d;

  it("books a receipt A queued before signing out into A's drawer when B's session sends it, audited as A, once", async () => {
    const a = await signIn('demo.operator');
    const b = await signIn('demo.supervisor');
    const shiftA = await ensureShift(a);
    const shiftB = await ensureShift(b);
    const [drawerA, drawerB] = [await balance('CASH', `shift:${shiftA}`), await balance('CASH', `shift:${shiftB}`)];
    const receipt = made(a, 'receipt.cash', { customerId, amountFen: 50_000 });
    await signOut(a);
    const { result, op } = await send(b.headers, receipt);
    expect(result.status, JSON.stringify(result)).toBe('applied');
    expect(await balance('CASH', `shift:${shiftA}`)).toBe(drawerA + 50_000n);
    expect(await balance('CASH', `shift:${shiftB}`)).toBe(drawerB);
    const audit = await t.db.query<{ operator_id: bigint }>(
      "SELECT operator_id FROM audit_log WHERE action = 'receipt.cash' AND detail->>'transferId' = $1",
      [result.result!.transferId],
    );
    expect(audit.rows).toEqual([{ operator_id: a.operatorId }]);
    const record = await t.db.query<{ operator_id: bigint }>('SELECT operator_id FROM operation WHERE id = $1', [op.id]);
    expect(record.rows).toEqual([{ operator_id: a.operatorId }]);
    // Sent again, by anyone, in any order: its first result, nothing moves.
    const state = await snapshot(t.db, MONEY_TABLES);
    const again = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [op] }, b.headers);
    expect(again.json().results[0]).toMatchObject({ status: 'applied', replayed: true });
    // The same id claimed by another maker is another request.
    const b2 = made(b, 'receipt.cash', { customerId, amountFen: 50_000 });
    const relabelled = { ...op, maker: b2.maker };
    const conflict = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [relabelled] }, b.headers);
    expect(conflict.json().results[0].error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    await signOut(b);
  });

  it("applies the operation with its maker's role, not the sender's", async () => {
    const a = await signIn('demo.operator');
    const b = await signIn('demo.supervisor');
    await ensureShift(a);
    await ensureShift(b);
    const state = await snapshot(t.db, MONEY_TABLES);
    // Above the approval limit: a supervisor needs no approval, a clerk does.
    expect(outcome((await send(b.headers, made(a, 'receipt.cash', { customerId, amountFen: 1_500_000 }))).result)).toBe(
      'APPROVAL_REQUIRED',
    );
    // A reversal is a supervisor's: a clerk's operation sent under a supervisor's session is still the clerk's.
    expect(outcome((await send(b.headers, made(a, 'reversal', { operationId: randomUUID(), reason: 'x' }))).result)).toBe('FORBIDDEN');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    await signOut(a);
    await signOut(b);
  });

  it('refuses a maker session of another device, a proof that does not hold, and a made-up session', async () => {
    const a = await signIn('demo.operator');
    const onTablet2 = await signIn('demo.operator', tablet2.headers);
    await ensureShift(a);
    const state = await snapshot(t.db, MONEY_TABLES);
    // A's tablet-1 session claimed by an operation of tablet 2.
    const foreign = made(a, 'receipt.cash', { customerId, amountFen: 100 }, { deviceId: tablet2.deviceId });
    expect(outcome((await send(onTablet2.headers, foreign)).result)).toBe('OPERATION_MAKER_INVALID');
    // A queued operation changed after it was made (the amount), or its time moved.
    const changed = made(a, 'receipt.cash', { customerId, amountFen: 100 });
    expect(outcome((await send(a.headers, { ...changed, payload: { customerId, amountFen: 10 } })).result)).toBe('OPERATION_MAKER_INVALID');
    const moved = made(a, 'receipt.cash', { customerId, amountFen: 100 });
    const maker = moved.maker as { madeAt: string };
    expect(outcome((await send(a.headers, { ...moved, maker: { ...maker, madeAt: new Date(0).toISOString() } })).result)).toBe(
      'OPERATION_MAKER_INVALID',
    );
    // A key that is not the session's, and a session that does not exist.
    expect(
      outcome(
        (await send(a.headers, made({ ...a, operationKey: 'ab'.repeat(32) }, 'receipt.cash', { customerId, amountFen: 100 }))).result,
      ),
    ).toBe('OPERATION_MAKER_INVALID');
    expect(
      outcome((await send(a.headers, made({ ...a, sessionId: randomUUID() }, 'receipt.cash', { customerId, amountFen: 100 }))).result),
    ).toBe('OPERATION_MAKER_INVALID');
    // Malformed makers are refused whole by the contract.
    const bad = await t.post(
      '/api/v1/sync/push',
      { contractVersion: CONTRACT_VERSION, operations: [{ ...changed, seq: await nextSeq('demo-tablet-1'), maker: { sessionId: 'x' } }] },
      a.headers,
    );
    expect(bad.statusCode).toBe(400);
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    await signOut(a);
    await signOut(onTablet2);
  });

  it('refuses an operation made after its session ended, or before it began', async () => {
    const a = await signIn('demo.operator');
    await ensureShift(a);
    const kept = made(a, 'receipt.cash', { customerId, amountFen: 200 });
    await signOut(a);
    const b = await signIn('demo.supervisor');
    const state = await snapshot(t.db, MONEY_TABLES);
    const late = made(a, 'receipt.cash', { customerId, amountFen: 100 }, { madeAt: new Date(Date.now() + 6 * 60_000) });
    expect(outcome((await send(b.headers, late)).result)).toBe('OPERATION_MAKER_SESSION_ENDED');
    const early = made(a, 'receipt.cash', { customerId, amountFen: 100 }, { madeAt: new Date(Date.now() - 60 * 60_000) });
    expect(outcome((await send(b.headers, early)).result)).toBe('OPERATION_MAKER_SESSION_ENDED');
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(state);
    // What A made before signing out is still A's.
    expect((await send(b.headers, kept)).result.status).toBe('applied');
    await signOut(b);
  });

  it('posts a receipt made in a shift closed since against CASH_DIFFERENCE: the closed drawer stays equal to its count', async () => {
    const a = await signIn('demo.operator');
    const b = await signIn('demo.supervisor');
    const shift = await ensureShift(a);
    const receipt = made(a, 'receipt.cash', { customerId, amountFen: 7_000 });
    // The cash is in the drawer when A counts it (closing on another tablet): the close records it as over.
    const drawer = await balance('CASH', `shift:${shift}`);
    const counted = Number(drawer) + 7_000;
    const onTablet2 = await signIn('demo.operator', tablet2.headers);
    const differenceBefore = await cashDifference();
    const close = await send(onTablet2.headers, plain('shift.close', { countedFen: counted }, tablet2.deviceId));
    expect(close.result.result).toMatchObject({ differenceFen: 7_000 });
    expect(await cashDifference()).toBe(differenceBefore + 7_000n);
    await signOut(a);
    // The link comes back on tablet 1 under B: the receipt lands against CASH_DIFFERENCE, undoing the overage.
    const { result } = await send(b.headers, receipt);
    expect(result.status, JSON.stringify(result)).toBe('applied');
    expect(await balance('CASH', `shift:${shift}`)).toBe(BigInt(counted));
    expect(await cashDifference()).toBe(differenceBefore);
    const late = await t.db.query<{ shift_id: bigint; kind: string; amount_fen: bigint }>(
      'SELECT shift_id, kind, amount_fen FROM shift_late_item WHERE transfer_id = $1',
      [result.result!.transferId],
    );
    expect(late.rows).toEqual([{ shift_id: shift, kind: 'receipt.cash', amount_fen: 7_000n }]);
    // A receipt A makes when no shift of A's is open at all (past the clock's allowed skew after the close) is refused as before.
    const a2 = await signIn('demo.operator');
    const afterClose = { madeAt: new Date(Date.now() + 6 * 60_000) };
    expect(outcome((await send(a2.headers, made(a2, 'receipt.cash', { customerId, amountFen: 100 }, afterClose))).result)).toBe(
      'SHIFT_NOT_OPEN',
    );
    // The late receipt reversed: the cash handed back out of the supervisor's own drawer.
    const shiftB = await ensureShift(b);
    const drawerB = await balance('CASH', `shift:${shiftB}`);
    if (drawerB < 7_000n) await send(b.headers, plain('receipt.cash', { customerId, amountFen: 7_000 }));
    const before = await balance('CASH', `shift:${shiftB}`);
    const reversed = await send(b.headers, plain('reversal', { operationId: receipt.id, reason: 'late receipt taken twice' }));
    expect(reversed.result.status, JSON.stringify(reversed.result)).toBe('applied');
    expect(await balance('CASH', `shift:${shiftB}`)).toBe(before - 7_000n);
    expect(await balance('CASH', `shift:${shift}`)).toBe(BigInt(counted));
    await signOut(a2);
    await signOut(b);
    await signOut(onTablet2);
  });
  it("lists a shift's money operations: the operator's own open shift, a supervisor's pick of its outlet, reversals marked", async () => {
    const a = await signIn('demo.operator');
    const b = await signIn('demo.supervisor');
    const shiftA = await ensureShift(a);
    const shiftB = await ensureShift(b);
    const receipt = made(a, 'receipt.cash', { customerId, amountFen: 1_234 });
    expect((await send(b.headers, receipt)).result.status).toBe('applied');
    const list = (headers: Headers, shiftId?: bigint) =>
      t.app.inject({ method: 'GET', url: `/api/v1/shifts/current/operations${shiftId ? `?shiftId=${shiftId}` : ''}`, headers });
    type Listed = { operationId: string; status: string };
    const listed = async (headers: Headers, shiftId?: bigint) =>
      ((await list(headers, shiftId)).json().operations as Listed[]).find((o) => o.operationId === receipt.id);
    const mine = (await list(a.headers)).json();
    expect(mine.shift.id).toBe(String(shiftA));
    expect(await listed(a.headers)).toMatchObject({ type: 'receipt.cash', amountFen: 1_234, customerId, status: 'applied', late: false });
    // Booked to A, not to B who sent it; a supervisor may look at A's shift, a clerk not at the supervisor's.
    expect(await listed(b.headers)).toBeUndefined();
    expect(await listed(b.headers, shiftA)).toMatchObject({ status: 'applied' });
    expect((await list(a.headers, shiftB)).statusCode).toBe(403);
    expect((await list(t.kiosk)).statusCode).toBe(403);
    expect((await list(a.headers, 999_999_999n)).statusCode).toBe(404);
    expect((await send(b.headers, plain('reversal', { operationId: receipt.id, reason: 'wrong customer' }))).result.status).toBe('applied');
    expect(await listed(a.headers)).toMatchObject({ status: 'reversed' });
    await signOut(a);
    await signOut(b);
  });
});
