/**
 * Issuing a stock card (server/cards/issue.ts) against a simulated bureau card driven by the card
 * flow of ccid/fuelcard/issue-holder.ts: the happy path with the card fee posted once, replays that
 * change nothing, a second start answering the first, every refusal changing nothing, the proofs
 * the completion needs, and the supervisor's cancel with its reversing transfer. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { createDemoStockCard, BUREAU_INITIAL_PIN } from '../../ccid/sim/demo/stock.ts';
import { decodeEf16 } from '../../ccid/fuelcard/files.ts';
import { proveIssued, readStockCard, setCustomerPin, writeIssueFile, type IssueFile } from '../../ccid/fuelcard/issue-holder.ts';
import { verifyPin } from '../../ccid/fuelcard/card.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { demoCardNo } from '../demo/money.ts';
import { openTestShift } from '../testing/shifts.ts';

const FEE_FEN = 2_000;
const CUSTOMER_PIN = '246810';
let nextSerial = 700;

type Stock = { card: FuelCard; cardNo: string; transmit: Transmit };

describe(`issuing a stock card 开户发卡, on ${testEngine()}`, () => {
  let t: TestApp;
  let zhang: string;
  let unit: string;
  let otherCity: string;
  let outletId: bigint;
  let otherOutletId: bigint;

  beforeAll(async () => {
    t = await openTestApp();
    const ids = await t.db.query<{ id: bigint; name: string }>('SELECT id, name FROM customer');
    const idOf = (name: string) => String(ids.rows.find((r) => r.name === name)!.id);
    zhang = idOf('演示客户张伟');
    unit = idOf('演示物流有限公司');
    otherCity = idOf('演示外市客户');
    const unitOf = async (username: string) =>
      (await t.db.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM operator WHERE username = $1', [username])).rows[0]!.org_unit_id;
    outletId = await unitOf('demo.operator');
    otherOutletId = await unitOf('demo.other');
    // The card fee is cash into the drawer of the operator's open shift.
    await openTestShift(t.db, 'demo.operator');
    await openTestShift(t.db, 'demo.supervisor');
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  /** A bureau card in the reader and its 'stock' row, held at the demo outlet (or `heldAt`). */
  async function stockCard(heldAt: bigint = outletId): Promise<Stock> {
    const { card, asn } = createDemoStockCard({ serial: ++nextSerial });
    const cardNo = toHex(asn);
    await t.db.query(
      "INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id) VALUES ($1, 'user', 'single', false, 'stock', 1, '2036-12-31', $2)",
      [cardNo, heldAt],
    );
    card.powerOn();
    return { card, cardNo, transmit: (apdu) => Promise.resolve(card.transmit(apdu)) };
  }

  const start = (body: Record<string, unknown>, who: Headers = t.as.outlet_operator) => t.post('/api/v1/cards/issue', body, who);
  const startBody = (s: Stock, extra: Record<string, unknown> = {}) => ({
    operationId: randomUUID(),
    cardNo: s.cardNo,
    customerId: zhang,
    role: 'single',
    feeFen: FEE_FEN,
    ...extra,
  });

  function writer(issueId: string, who: Headers = t.as.outlet_operator) {
    return async (r: { file: IssueFile; challenge: string }) => {
      const res = await t.post(`/api/v1/cards/issue/${issueId}/write`, r, who);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { command: string; probeChallenge: string };
    };
  }

  /** The card's whole part: EF16, the PIN, EF1B, then the proof. */
  async function writeCard(s: Stock, issueId: string) {
    await readStockCard(s.transmit);
    await writeIssueFile(s.transmit, 'EF16', writer(issueId));
    await setCustomerPin(s.transmit, { pinMode: 0, initialPin: BUREAU_INITIAL_PIN, customerPin: CUSTOMER_PIN });
    const probeChallenge = await writeIssueFile(s.transmit, 'EF1B', writer(issueId));
    return proveIssued(s.transmit, probeChallenge);
  }

  async function feeTransfers(cardNo: string): Promise<Array<{ amount_fen: bigint }>> {
    const rows = await t.db.query<{ amount_fen: bigint }>(
      "SELECT t.amount_fen FROM transfer t JOIN card_issue i ON t.id IN (i.fee_transfer_id, i.refund_transfer_id) WHERE i.card_no = $1 AND t.code = 'CARD_FEE'",
      [cardNo],
    );
    return rows.rows;
  }

  it('issues a single-user card: fee posted once, EF16 and the new PIN on the chip, the card active with its accounts', async () => {
    const s = await stockCard();
    const body = startBody(s);
    const started = await start(body);
    expect(started.statusCode, started.body).toBe(200);
    const view = started.json();
    expect(view).toMatchObject({ cardNo: s.cardNo, customerId: zhang, role: 'single', holderFlag: 1, feeFen: FEE_FEN, state: 'started' });
    expect(view.holder).toEqual({ name: '演示客户张伟', idType: 1, idNumber: '320102199001011232' });

    // A replayed start and a second start for the card answer the same issuance, with no second fee.
    const before = await snapshot(t.db, ['transfer', 'account', 'card_issue']);
    const replay = await start(body);
    expect(replay.json()).toEqual(view);
    const again = await start({ ...body, operationId: randomUUID() });
    expect(again.json().issueId).toBe(view.issueId);
    expect(await snapshot(t.db, ['transfer', 'account', 'card_issue'])).toBe(before);
    expect(await feeTransfers(s.cardNo)).toHaveLength(1);

    const proof = await writeCard(s, view.issueId);
    expect(proof.ef16).toBe(view.ef16);
    expect(decodeEf16(Buffer.from(proof.ef16, 'hex')).holderName).toBe('演示客户张伟');
    const completeBody = { operationId: randomUUID(), ...proof };
    const done = await t.post(`/api/v1/cards/issue/${view.issueId}/complete`, completeBody, t.as.outlet_operator);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done', expiresOn: '20361231' });
    const card = await t.db.query('SELECT state, customer_id, role, named FROM card WHERE card_no = $1', [s.cardNo]);
    expect(card.rows[0]).toMatchObject({ state: 'active', customer_id: BigInt(zhang), role: 'single', named: true });
    const accounts = await t.db.query<{ code: string }>('SELECT code FROM account WHERE card_no = $1 ORDER BY code', [s.cardNo]);
    expect(accounts.rows.map((r) => r.code)).toEqual(['PURSE']);

    // The completion replayed answers the same; the new PIN verifies on the chip.
    const after = await snapshot(t.db);
    const replayDone = await t.post(`/api/v1/cards/issue/${view.issueId}/complete`, completeBody, t.as.outlet_operator);
    expect(replayDone.json()).toEqual(done.json());
    expect(await snapshot(t.db)).toBe(after);
    await expect(verifyPin(s.transmit, CUSTOMER_PIN)).resolves.toBeUndefined();
    // A finished issuance takes no more writes, and the card no second issuance.
    const write = await t.post(`/api/v1/cards/issue/${view.issueId}/write`, { file: 'EF16', challenge: '01020304' }, t.as.outlet_operator);
    expect(write.json().error.code).toBe('ISSUE_NOT_STARTED');
    const second = await start(startBody(s));
    expect(second.json().error.code).toBe('ISSUE_CARD_NOT_IN_STOCK');
    expect(await feeTransfers(s.cardNo)).toHaveLength(1);
  });

  it('issues a sub card of a unit under its active main card, with the holder named on the form and its own reserve', async () => {
    const s = await stockCard();
    const holder = { name: '司机王强', idType: 2, idNumber: '320102198001011234' };
    const started = await start(startBody(s, { customerId: unit, role: 'sub', mainCardNo: demoCardNo(8), holder, feeFen: 0 }));
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ holderFlag: 2, holder, feeFen: 0 });
    const proof = await writeCard(s, started.json().issueId);
    const done = await t.post(
      `/api/v1/cards/issue/${started.json().issueId}/complete`,
      { operationId: randomUUID(), ...proof },
      t.as.outlet_operator,
    );
    expect(done.statusCode, done.body).toBe(200);
    const accounts = await t.db.query<{ code: string }>('SELECT code FROM account WHERE card_no = $1 ORDER BY code', [s.cardNo]);
    expect(accounts.rows.map((r) => r.code)).toEqual(['PURSE', 'RESERVE']);
    expect(await feeTransfers(s.cardNo)).toHaveLength(0);
  });

  it('refuses, changing nothing: wrong roles, another outlet, cards not in stock, a bad main card, bad holders', async () => {
    const s = await stockCard();
    const other = await stockCard();
    const elsewhere = await stockCard(otherOutletId);
    // Another unit of the same outlet: the demo unit's main card is not its.
    const outlet = await t.db.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM customer WHERE id = $1', [unit]);
    const secondUnit = await t.db.query<{ id: bigint }>(
      "INSERT INTO customer (kind, name, tax_id, org_unit_id) VALUES ('unit', '另一演示单位', '91320100MA1DEM0B3X', $1) RETURNING id",
      [outlet.rows[0]!.org_unit_id],
    );
    const driver = { name: '司机', idType: 4, idNumber: '' };
    const cases: Array<[Record<string, unknown>, Headers, string]> = [
      [startBody(s), t.tablet, 'FORBIDDEN'],
      [startBody(s), t.kiosk, 'FORBIDDEN'],
      [startBody(s), t.as.center_operator, 'FORBIDDEN'],
      [startBody(s, { customerId: otherCity }), t.as.outlet_operator, 'ISSUE_OTHER_OUTLET'],
      [startBody(s), t.as.other_city_operator, 'ISSUE_OTHER_OUTLET'],
      [startBody(s, { cardNo: demoCardNo(1) }), t.as.outlet_operator, 'ISSUE_CARD_NOT_IN_STOCK'],
      [startBody(elsewhere), t.as.outlet_operator, 'ISSUE_CARD_NOT_AT_OUTLET'],
      [startBody(s, { cardNo: demoCardNo(7, '04') }), t.as.outlet_operator, 'CARD_NOT_FOUND'],
      [startBody(s, { role: 'main' }), t.as.outlet_operator, 'ISSUE_ROLE_INVALID'],
      [
        startBody(s, { customerId: String(secondUnit.rows[0]!.id), role: 'sub', mainCardNo: demoCardNo(8), holder: driver }),
        t.as.outlet_operator,
        'ISSUE_MAIN_CARD_INVALID',
      ],
      [
        startBody(s, { customerId: unit, role: 'sub', mainCardNo: demoCardNo(1), holder: { name: '司机', idType: 4, idNumber: '' } }),
        t.as.outlet_operator,
        'ISSUE_MAIN_CARD_INVALID',
      ],
      [
        startBody(s, { customerId: unit, role: 'sub', mainCardNo: other.cardNo, holder: { name: '司机', idType: 4, idNumber: '' } }),
        t.as.outlet_operator,
        'ISSUE_MAIN_CARD_INVALID',
      ],
      [
        startBody(s, { customerId: unit, role: 'sub', holder: { name: '司机', idType: 4, idNumber: '' } }),
        t.as.outlet_operator,
        'ISSUE_MAIN_CARD_INVALID',
      ],
      [
        startBody(s, { customerId: unit, role: 'main', holder: { name: '司机', idType: 4, idNumber: '' } }),
        t.as.outlet_operator,
        'ISSUE_MAIN_CARD_INVALID',
      ],
      [startBody(s, { customerId: unit, role: 'single' }), t.as.outlet_operator, 'ISSUE_HOLDER_INVALID'],
      [
        startBody(s, { customerId: unit, holder: { name: '非常非常非常长的司机姓名', idType: 4, idNumber: '' } }),
        t.as.outlet_operator,
        'ISSUE_HOLDER_INVALID',
      ],
      [startBody(s, { holder: { name: '别人', idType: 1, idNumber: '320102199001011232' } }), t.as.outlet_operator, 'ISSUE_HOLDER_INVALID'],
      [startBody(s, { feeFen: -1 }), t.as.outlet_operator, 'INVALID_REQUEST'],
      [startBody(s, { feeFen: 1.5 }), t.as.outlet_operator, 'INVALID_REQUEST'],
      [startBody(s, { surprise: true }), t.as.outlet_operator, 'INVALID_REQUEST'],
    ];
    const before = await snapshot(t.db, ['account', 'transfer', 'card', 'card_issue', 'operation', 'audit_log']);
    for (const [body, who, code] of cases) {
      const res = await start(body, who);
      expect(res.json().error?.code, JSON.stringify(body)).toBe(code);
    }
    expect(await snapshot(t.db, ['account', 'transfer', 'card', 'card_issue', 'operation', 'audit_log'])).toBe(before);
  });

  it('a started issuance for another customer blocks a second; an operation id reused for another request conflicts', async () => {
    const s = await stockCard();
    const body = startBody(s);
    expect((await start(body)).statusCode).toBe(200);
    const holder = { name: '司机', idType: 4, idNumber: '' };
    const blocked = await start(startBody(s, { customerId: unit, holder }));
    expect(blocked.json().error.code).toBe('ISSUE_IN_PROGRESS');
    const conflict = await start({ ...body, feeFen: 1 });
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('completes only on the written card: the read-back, the last write’s probe and a genuine MAC1, else nothing changes', async () => {
    const s = await stockCard();
    const view = (await start(startBody(s))).json();
    const proof = await writeCard(s, view.issueId);
    const url = `/api/v1/cards/issue/${view.issueId}/complete`;
    const tables = ['account', 'transfer', 'card', 'card_issue', 'operation', 'audit_log'];
    const before = await snapshot(t.db, tables);
    const refusals: Array<[unknown, string]> = [
      [{ ...proof, ef16: '00'.repeat(41) }, 'ISSUE_NOT_WRITTEN'],
      [{ ...proof, pinMode: 0 }, 'ISSUE_NOT_WRITTEN'],
      [{ ...proof, probe: { ...proof.probe, terminalId: '000000000001' } }, 'ISSUE_PROBE_STALE'],
      [{ ...proof, probe: { ...proof.probe, answer: { ...proof.probe.answer, mac1: '00000000' } } }, 'MAC1_INVALID'],
      [{ ...proof, probe: { ...proof.probe, answer: { ...proof.probe.answer, balanceFen: 100 } } }, 'MAC1_INVALID'],
    ];
    for (const [body, code] of refusals) {
      const res = await t.post(url, { operationId: randomUUID(), ...(body as object) }, t.as.outlet_operator);
      expect(res.json().error?.code).toBe(code);
    }
    expect(await snapshot(t.db, tables)).toBe(before);
    // The same write sent again answers the same and changes nothing.
    const challenge = '0A0B0C0D';
    const first = await writer(view.issueId)({ file: 'EF1B', challenge });
    const issueRows = await snapshot(t.db, ['card_issue']);
    expect(await writer(view.issueId)({ file: 'EF1B', challenge })).toEqual(first);
    expect(await snapshot(t.db, ['card_issue'])).toBe(issueRows);
    // A write after the probe draws a new challenge: the old probe is stale.
    await writeIssueFile(s.transmit, 'EF1B', writer(view.issueId));
    const stale = await t.post(url, { operationId: randomUUID(), ...proof }, t.as.outlet_operator);
    expect(stale.json().error.code).toBe('ISSUE_PROBE_STALE');
    const fresh = await proveIssued(s.transmit, await writeIssueFile(s.transmit, 'EF1B', writer(view.issueId)));
    const done = await t.post(url, { operationId: randomUUID(), ...fresh }, t.as.outlet_operator);
    expect(done.statusCode, done.body).toBe(200);
  });

  it('a supervisor cancels a started issuance with a reason: the fee goes back by the reversing transfer; an operator may not', async () => {
    const s = await stockCard();
    const view = (await start(startBody(s))).json();
    const url = `/api/v1/cards/issue/${view.issueId}/cancel`;
    const body = { operationId: randomUUID(), reason: '客户改变主意' };
    expect((await t.post(url, body, t.as.outlet_operator)).json().error.code).toBe('FORBIDDEN');
    const cancelled = await t.post(url, body, t.as.outlet_supervisor);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().state).toBe('cancelled');
    const replay = await t.post(url, body, t.as.outlet_supervisor);
    expect(replay.json()).toEqual(cancelled.json());
    expect(await feeTransfers(s.cardNo)).toHaveLength(2);
    const income = await t.db.query<{ credits_posted: bigint; debits_posted: bigint }>(
      'SELECT a.credits_posted, a.debits_posted FROM account a JOIN transfer t ON t.credit_account_id = a.id JOIN card_issue i ON i.fee_transfer_id = t.id WHERE i.card_no = $1',
      [s.cardNo],
    );
    expect(income.rows[0]!.credits_posted - income.rows[0]!.debits_posted).toBeGreaterThanOrEqual(0n);
    const card = await t.db.query('SELECT state FROM card WHERE card_no = $1', [s.cardNo]);
    expect(card.rows[0]).toEqual({ state: 'stock' });
    const again = await t.post(
      `/api/v1/cards/issue/${view.issueId}/complete`,
      {
        operationId: randomUUID(),
        ef16: view.ef16,
        pinMode: 1,
        probe: {
          terminalId: '000000000001',
          amountFen: 0,
          answer: { balanceFen: 0, onlineTtc: 0, keyVersion: 1, algId: 0, random: '00000000', mac1: '00000000' },
        },
      },
      t.as.outlet_operator,
    );
    expect(again.json().error.code).toBe('ISSUE_NOT_STARTED');
  });
});
