/**
 * The Shift screen's list (server/shifts/operations.ts) with one of every kind of money movement a
 * shift sees, each made through its own endpoint: cash receipts (one reversed by a supervisor), a
 * card fee, a card fee refunded by a cancel, an anonymous sale and top-up, a counter load and
 * unload, and a fee refunded after the close (the closed shift's late item). The list and the
 * totals are exact; the close slip's receipt count leaves the reversed receipt out.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { createDemoStockCard, BUREAU_INITIAL_PIN } from '../../ccid/sim/demo/stock.ts';
import { proveIssued, readStockCard, writeIssueFile, type IssueFile } from '../../ccid/fuelcard/issue-holder.ts';
import { verifyPin } from '../../ccid/fuelcard/card.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { CONTRACT_VERSION, type ShiftOperationsResponse } from '../contract/index.ts';
import { expectSound, openTestApp, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import {
  debitForUnload,
  creditForLoad,
  initializeForLoad,
  initializeForUnload,
  openCard,
  simCard,
  TABLET_TERMINAL_ID,
} from '../testing/sim.ts';

let nextSerial = 1_300;

describe(`a shift's list of operations, every kind, on ${testEngine()}`, () => {
  let t: TestApp;
  let zhang: string;
  let outletId: bigint;
  beforeAll(async () => {
    t = await openTestApp();
    const ids = await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'");
    zhang = String(ids.rows[0]!.id);
    outletId = (await t.db.query<{ org_unit_id: bigint }>("SELECT org_unit_id FROM operator WHERE username = 'demo.operator'")).rows[0]!
      .org_unit_id;
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const ok = async (url: string, body: unknown, who: Headers = t.as.outlet_operator) => {
    const res = await t.post(url, body, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const nextSeq = async (deviceId: string) =>
    Number(
      (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ?? 0n,
    ) + 1;
  const push1 = async (headers: Headers, type: string, payload: unknown) => {
    const op = { id: randomUUID(), deviceId: 'demo-tablet-1', seq: await nextSeq('demo-tablet-1'), type, payload };
    const r = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [op] }, headers);
    expect(r.json().results[0].status, r.body).toBe('applied');
    return { op, result: r.json().results[0].result as Record<string, unknown> };
  };
  const listed = async (who: Headers = t.as.outlet_operator, shiftId?: string): Promise<ShiftOperationsResponse> => {
    const url = `/api/v1/shifts/current/operations${shiftId === undefined ? '' : `?shiftId=${shiftId}`}`;
    const res = await t.app.inject({ method: 'GET', url, headers: who });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  /** A bureau card in the outlet's stock, in the simulated reader. */
  async function stockCard(): Promise<{ cardNo: string; transmit: Transmit }> {
    const { card, asn } = createDemoStockCard({ serial: ++nextSerial });
    const cardNo = toHex(asn);
    await t.db.query(
      "INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id) VALUES ($1, 'user', 'single', false, 'stock', 1, '2036-12-31', $2)",
      [cardNo, outletId],
    );
    card.powerOn();
    return { cardNo, transmit: (apdu) => Promise.resolve(card.transmit(apdu)) };
  }

  /** An anonymous card initialised (written through the card's secure messaging) and ready to sell. */
  async function initialisedAnonymous(): Promise<string> {
    const s = await stockCard();
    await ok('/api/v1/cards/anonymous', { operationId: randomUUID(), cardNo: s.cardNo });
    await readStockCard(s.transmit);
    const write = async (r: { file: IssueFile; challenge: string }) =>
      (await ok(`/api/v1/cards/anonymous/${s.cardNo}/write`, r)) as { command: string; probeChallenge: string };
    const probeChallenge = await writeIssueFile(s.transmit, 'EF16', write);
    await verifyPin(s.transmit, BUREAU_INITIAL_PIN);
    const proof = await proveIssued(s.transmit, probeChallenge);
    await ok(`/api/v1/cards/anonymous/${s.cardNo}/initialised`, { operationId: randomUUID(), ...proof });
    return s.cardNo;
  }

  it('lists every money movement of the shift with its customer, card and signed amount, and totals by kind', async () => {
    const opened = await push1(t.as.outlet_operator, 'shift.open', { openingFloatFen: 10_000 });
    const shiftId = opened.result.shiftId as string;

    const kept = await push1(t.as.outlet_operator, 'receipt.cash', { customerId: zhang, amountFen: 1_000 });
    const undone = await push1(t.as.outlet_operator, 'receipt.cash', { customerId: zhang, amountFen: 2_000 });
    const reversal = await push1(t.as.outlet_supervisor, 'reversal', { operationId: undone.op.id, reason: '金额有误' });

    const issued = await stockCard();
    const issueBody = { operationId: randomUUID(), cardNo: issued.cardNo, customerId: zhang, role: 'single', feeFen: 1_500 };
    await ok('/api/v1/cards/issue', issueBody);
    const cancelled = await stockCard();
    const cancelBody = { operationId: randomUUID(), cardNo: cancelled.cardNo, customerId: zhang, role: 'single', feeFen: 700 };
    const cancelIssue = await ok('/api/v1/cards/issue', cancelBody);
    const cancelOp = { operationId: randomUUID(), reason: '客户改变主意' };
    await ok(`/api/v1/cards/issue/${cancelIssue.issueId}/cancel`, cancelOp, t.as.outlet_supervisor);

    const anonymous = await initialisedAnonymous();
    const sellOp = { operationId: randomUUID(), cardNo: anonymous, feeFen: 500, firstAmountFen: 30_000 };
    const sold = await ok('/api/v1/cards/anonymous/sell', sellOp);
    const topUpOp = { operationId: randomUUID(), cardNo: anonymous, amountFen: 20_000 };
    await ok('/api/v1/cards/anonymous/top-up', topUpOp);

    // A counter load and a counter unload of a demo card, each settled by the card's answer.
    const named = simCard(1, [50_000, 30_000]);
    openCard(named.card, named.pin);
    const loadBody = {
      operationId: randomUUID(),
      cardNo: named.cardNo,
      amountFen: 4_000,
      sourceAccount: 'QUOTA',
      terminalId: TABLET_TERMINAL_ID,
      card: initializeForLoad(named.card, 4_000, TABLET_TERMINAL_ID),
    };
    const load = await ok('/api/v1/loads/initialise', loadBody);
    await ok('/api/v1/loads/complete', { loadId: load.load.loadId, tac: creditForLoad(named.card, load) });
    const unloadBody = {
      operationId: randomUUID(),
      cardNo: named.cardNo,
      amountFen: 1_500,
      destinationAccount: 'QUOTA',
      terminalId: TABLET_TERMINAL_ID,
      card: initializeForUnload(named.card, 1_500),
    };
    const unload = await ok('/api/v1/unloads/initialise', unloadBody);
    await ok('/api/v1/unloads/complete', { loadId: unload.load.loadId, tac: debitForUnload(named.card, unload) });
    const namedCustomer = String(
      (await t.db.query<{ customer_id: bigint }>('SELECT customer_id FROM card WHERE card_no = $1', [named.cardNo])).rows[0]!.customer_id,
    );

    const list = await listed();
    expect(list.shift?.id).toBe(shiftId);
    const rows = list.operations.map((o) => ({
      type: o.type,
      operationId: o.operationId,
      customerId: o.customerId,
      cardNo: o.cardNo,
      amountFen: o.amountFen,
      status: o.status,
      late: o.late,
      reverses: o.reverses,
    }));
    const soldCustomer = String(sold.card.customerId);
    expect(rows).toEqual([
      {
        type: 'receipt.cash',
        operationId: kept.op.id,
        customerId: zhang,
        cardNo: null,
        amountFen: 1_000,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'receipt.cash',
        operationId: undone.op.id,
        customerId: zhang,
        cardNo: null,
        amountFen: 2_000,
        status: 'reversed',
        late: false,
        reverses: null,
      },
      {
        type: 'reversal',
        operationId: reversal.op.id,
        customerId: zhang,
        cardNo: null,
        amountFen: -2_000,
        status: 'applied',
        late: false,
        reverses: undone.op.id,
      },
      {
        type: 'card.fee',
        operationId: issueBody.operationId,
        customerId: zhang,
        cardNo: issued.cardNo,
        amountFen: 1_500,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'card.fee',
        operationId: cancelBody.operationId,
        customerId: zhang,
        cardNo: cancelled.cardNo,
        amountFen: 700,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'card.fee.refund',
        operationId: cancelOp.operationId,
        customerId: zhang,
        cardNo: cancelled.cardNo,
        amountFen: -700,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'anonymous.sell',
        operationId: sellOp.operationId,
        customerId: soldCustomer,
        cardNo: anonymous,
        amountFen: 30_500,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'anonymous.topup',
        operationId: topUpOp.operationId,
        customerId: soldCustomer,
        cardNo: anonymous,
        amountFen: 20_000,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'load',
        operationId: load.load.loadId,
        customerId: namedCustomer,
        cardNo: named.cardNo,
        amountFen: 4_000,
        status: 'applied',
        late: false,
        reverses: null,
      },
      {
        type: 'unload',
        operationId: unload.load.loadId,
        customerId: namedCustomer,
        cardNo: named.cardNo,
        amountFen: -1_500,
        status: 'applied',
        late: false,
        reverses: null,
      },
    ]);
    // What stands, by kind: the reversed receipt and its reversal count for nothing.
    expect(list.totals).toEqual([
      { type: 'anonymous.sell', count: 1, amountFen: 30_500 },
      { type: 'anonymous.topup', count: 1, amountFen: 20_000 },
      { type: 'card.fee', count: 2, amountFen: 2_200 },
      { type: 'card.fee.refund', count: 1, amountFen: -700 },
      { type: 'load', count: 1, amountFen: 4_000 },
      { type: 'receipt.cash', count: 1, amountFen: 1_000 },
      { type: 'unload', count: 1, amountFen: -1_500 },
    ]);
    // The drawer holds the float and exactly the cash the list says went in and out.
    const current = (await t.app.inject({ method: 'GET', url: '/api/v1/shifts/current', headers: t.as.outlet_operator })).json();
    expect(current.shift.drawerFen).toBe(10_000 + 1_000 + 1_500 + 700 - 700 + 30_500 + 20_000);
    // Receipts kept: the cash receipt that stood and the anonymous card's two (its first amount and top-up); not the reversed one.
    expect(current.shift.receiptsCount).toBe(3);
    // A supervisor's own shift lists none of it.
    await push1(t.as.outlet_supervisor, 'shift.open', { openingFloatFen: 0 });
    expect((await listed(t.as.outlet_supervisor)).operations).toEqual([]);
  });

  it('lists a fee refunded after the close on the closed shift, marked late', async () => {
    const issued = await stockCard();
    const started = await ok('/api/v1/cards/issue', {
      operationId: randomUUID(),
      cardNo: issued.cardNo,
      customerId: zhang,
      role: 'single',
      feeFen: 900,
    });
    const shiftId = (await listed()).shift!.id;
    const drawer = (await t.app.inject({ method: 'GET', url: '/api/v1/shifts/current', headers: t.as.outlet_operator })).json().shift
      .drawerFen;
    await push1(t.as.outlet_operator, 'shift.close', { countedFen: drawer });
    const cancelOp = { operationId: randomUUID(), reason: '卡片损坏' };
    await ok(`/api/v1/cards/issue/${started.issueId}/cancel`, cancelOp, t.as.outlet_supervisor);
    const list = await listed(t.as.outlet_supervisor, shiftId);
    expect(list.operations.filter((o) => o.cardNo === issued.cardNo).map((o) => [o.type, o.amountFen, o.late, o.operationId])).toEqual([
      ['card.fee', 900, false, expect.any(String)],
      ['card.fee.refund', -900, true, cancelOp.operationId],
    ]);
    expect(list.totals.find((x) => x.type === 'card.fee.refund')).toEqual({ type: 'card.fee.refund', count: 2, amountFen: -1_600 });
  });
});
