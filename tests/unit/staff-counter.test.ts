/**
 * The counter's money at the outlet tablet, against the real server (PGlite, demo data): a cash
 * receipt (src/staff/receipt.ts) below and above the supervisor threshold, the supervisor's
 * approval asked for on the tablet (refused to someone who is not a supervisor, used once), and a
 * counter load (src/staff/load.ts) on the demo card. Each money operation goes once by its
 * operation id; every refusal leaves the ledger as it was. The clerk opens a shift first, as at
 * the counter (src/staff/shift.ts): cash goes only into an open shift's drawer.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoCard } from '../../ccid/sim/demo/cards.ts';
import { toHex } from '../../ccid/bytes.ts';
import { DEMO_DEVICE_SECRETS, DEMO_OPERATOR_PASSWORD } from '../../server/demo/seed.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../../server/testing/app.ts';
import { ApiClient } from '../../src/lib/sync/client.ts';
import { withOperatorSession, type OperatorSession } from '../../src/staff/auth.ts';
import { openCard } from '../../src/staff/open-card.ts';
import { runLoad } from '../../src/staff/load.ts';
import { quotaAfter, supervisorApproval, takeCashReceipt } from '../../src/staff/receipt.ts';
import { StaffError } from '../../src/staff/errors.ts';
import { openShift } from '../../src/staff/shift.ts';
import { BASE_URL, TABLET, injectFetch, staffRig, type Rig } from '../../src/staff/testing/rig.ts';

const SETUP_TIMEOUT_MS = 60_000;
const MONEY_TABLES = ['account', 'transfer', 'approval', 'card_load'];
/** server/config.ts FUELCARD_APPROVAL_ABOVE_FEN's default. */
const APPROVAL_ABOVE_FEN = 2_000_000;

describe('cash receipts and counter loads at the tablet, against the real server', { timeout: 30_000 }, () => {
  let t: TestApp;
  let rig: Rig;
  let customerId: string;
  let approvals: Parameters<typeof supervisorApproval>[0];

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t);
    const found = await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'");
    customerId = String(found.rows[0]!.id);
    approvals = {
      deviceApi: new ApiClient({
        baseUrl: BASE_URL,
        credentials: () => ({ deviceId: TABLET.deviceId, secret: DEMO_DEVICE_SECRETS[TABLET.deviceId] }),
        fetch: injectFetch(t.app),
      }),
      clientFor: (session: OperatorSession) =>
        new ApiClient({ baseUrl: BASE_URL, credentials: () => null, fetch: withOperatorSession(injectFetch(t.app), () => session) }),
    };
    expect(await openShift({ outbox: rig.outbox, sync: rig.sync }, { openingFloatFen: 50_000 })).toMatchObject({ kind: 'applied' });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  const queue = () => ({ outbox: rig.outbox, sync: rig.sync });
  const quotaOf = async () =>
    Number(
      (
        await t.db.query<{ balance: bigint }>(
          "SELECT (credits_posted - debits_posted) AS balance FROM account WHERE code = 'QUOTA' AND customer_id = $1",
          [customerId],
        )
      ).rows[0]?.balance ?? 0,
    );

  it('takes cash below the threshold once, into the customer quota', async () => {
    const before = await quotaOf();
    const outcome = await takeCashReceipt(queue(), { customerId, amountFen: 12_345 });
    expect(outcome.kind).toBe('applied');
    expect(await quotaOf()).toBe(before + 12_345);
    expect(outcome.kind === 'applied' && quotaAfter(outcome.result)).toBe(before + 12_345);
    // The same operation sent again (a lost answer) is answered, not applied again.
    const record = await rig.outbox.get(outcome.operationId);
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { authorization: `Bearer ${rig.session!.token}` },
      payload: {
        contractVersion: 7,
        operations: [{ id: record!.id, deviceId: TABLET.deviceId, seq: record!.seq, type: 'receipt.cash', payload: record!.payload }],
      },
    });
    expect(replay.statusCode, replay.body).toBe(200);
    expect(await quotaOf()).toBe(before + 12_345);
  });

  it('refuses an amount that is not a positive number of fen before queueing anything', async () => {
    const queued = await rig.db.outbox.count();
    for (const amountFen of [0, -100, 1.5, Number.NaN])
      await expect(takeCashReceipt(queue(), { customerId, amountFen })).rejects.toBeInstanceOf(StaffError);
    expect(await rig.db.outbox.count()).toBe(queued);
  });

  it("asks for a supervisor's approval above the threshold, which only a supervisor gives, once", async () => {
    const amountFen = APPROVAL_ABOVE_FEN + 100;
    const supervisorSessions = async () =>
      Number(
        (
          await t.db.query<{ n: bigint }>(
            "SELECT count(*) AS n FROM operator_session s JOIN operator o ON o.id = s.operator_id WHERE o.username = 'demo.supervisor'",
          )
        ).rows[0]!.n,
      );
    const sessionsBefore = await supervisorSessions();
    const money = await snapshot(t.db, MONEY_TABLES);
    expect(await takeCashReceipt(queue(), { customerId, amountFen })).toMatchObject({ kind: 'approval_required' });
    expect(await snapshot(t.db, MONEY_TABLES)).toBe(money);
    await expect(
      supervisorApproval(approvals, { username: 'demo.operator', password: DEMO_OPERATOR_PASSWORD, customerId, amountFen }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      supervisorApproval(approvals, { username: 'demo.supervisor', password: 'wrong', customerId, amountFen }),
    ).rejects.toMatchObject({
      code: 'LOGIN_FAILED',
    });
    const approval = await supervisorApproval(approvals, {
      username: 'demo.supervisor',
      password: DEMO_OPERATOR_PASSWORD,
      customerId,
      amountFen,
    });
    expect(approval.approvedBy).toBe('演示网点主管');
    const before = await quotaOf();
    expect(await takeCashReceipt(queue(), { customerId, amountFen, approvalId: approval.approvalId })).toMatchObject({ kind: 'applied' });
    expect(await quotaOf()).toBe(before + amountFen);
    // The approval is used up: a second receipt naming it is refused and moves nothing.
    const after = await snapshot(t.db, ['account', 'transfer']);
    expect(await takeCashReceipt(queue(), { customerId, amountFen, approvalId: approval.approvalId })).toMatchObject({
      kind: 'rejected',
      code: 'APPROVAL_INVALID',
    });
    expect(await snapshot(t.db, ['account', 'transfer'])).toBe(after);
    // The supervisor's sessions on the tablet ended with each approval (the test app's own one stays).
    expect(await supervisorSessions()).toBe(sessionsBefore);
  });

  it('loads the demo card from the quota at the counter: purse up, quota down, its TAC queued and posted once', async () => {
    const demo = createDemoCard('named');
    const card = await openCard(rig.deps, await rig.insert(demo.card), { pin: demo.pin });
    const purseBefore = card.facts.balanceFen;
    const quotaBefore = await quotaOf();
    await expect(runLoad(rig.deps, card, { amountFen: 0 })).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    await expect(runLoad(rig.deps, card, { amountFen: quotaBefore + 1 })).rejects.toMatchObject({ code: 'PURSE_INSUFFICIENT' });
    const steps: string[] = [];
    const receipt = await runLoad(rig.deps, card, { amountFen: 5_000, onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['card', 'server', 'credit', 'confirm']);
    expect(receipt).toMatchObject({
      amountFen: 5_000,
      balanceFenBefore: purseBefore,
      balanceFenAfter: purseBefore + 5_000,
      terminalId: TABLET.terminalId,
    });
    expect(demo.card.inspect().purse.edBalanceFen).toBe(purseBefore + 5_000);
    await rig.sync.drain();
    expect(await quotaOf()).toBe(quotaBefore - 5_000);
    const loads = await t.db.query<{ state: string }>("SELECT state FROM card_load WHERE card_no = $1 AND kind = 'load' AND id = $2", [
      toHex(demo.asn),
      receipt.loadId,
    ]);
    expect(loads.rows).toEqual([{ state: 'posted' }]);
    expect(await rig.outbox.queuedCount()).toBe(0);
    await expectSound(t.db);
  });
});
