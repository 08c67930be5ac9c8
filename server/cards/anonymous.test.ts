/**
 * Anonymous cards (server/cards/anonymous*.ts) against simulated bureau cards driven by the card
 * flow of ccid/fuelcard/issue-holder.ts: initialise → sell with a first amount → top up at another
 * outlet → upgrade, each exactly once (replays change nothing), every refusal changing nothing (a
 * wrong role, a card not in the outlet's stock, a named card, steps out of order, malformed
 * bodies), the upgrade keeping the balance with the ledger balanced, and no loss report for an
 * anonymous card. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { createDemoStockCard, BUREAU_INITIAL_PIN } from '../../ccid/sim/demo/stock.ts';
import { decodeEf16, encodeEf16 } from '../../ccid/fuelcard/files.ts';
import { proveIssued, readStockCard, setCustomerPin, writeIssueFile, type IssueFile } from '../../ccid/fuelcard/issue-holder.ts';
import { verifyPin } from '../../ccid/fuelcard/card.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { demoCardNo } from '../demo/money.ts';
import { openTestShift } from '../testing/shifts.ts';
import { ApiError } from '../errors.ts';
import { ANONYMOUS_EF16 } from './anonymous-card.ts';
import { requireLossReportable } from './anonymous-rules.ts';

const FEE_FEN = 1_000;
const FIRST_FEN = 30_000;
const TOP_UP_FEN = 20_000;
const PIN = '482615';
const BUYER = { name: '演示买家李娜', idType: 'resident_id', idNo: '11010519491231002X', phone: '13800138000' } as const;
let nextSerial = 900;

type Stock = { card: FuelCard; cardNo: string; transmit: Transmit };
const TABLES = ['account', 'transfer', 'card', 'customer', 'anonymous_card', 'operation', 'audit_log'];

describe(`anonymous cards 不记名卡, on ${testEngine()}`, () => {
  let t: TestApp;
  let outletId: bigint;
  let otherOutletId: bigint;

  beforeAll(async () => {
    t = await openTestApp();
    const unitOf = async (username: string) =>
      (await t.db.query<{ org_unit_id: bigint }>('SELECT org_unit_id FROM operator WHERE username = $1', [username])).rows[0]!.org_unit_id;
    outletId = await unitOf('demo.operator');
    otherOutletId = await unitOf('demo.other');
    // The fee and the cash go into the drawer of the operator's open shift.
    await openTestShift(t.db, 'demo.operator');
    await openTestShift(t.db, 'demo.other');
  }, 120_000);
  afterAll(async () => t?.close());
  const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
  afterEach(async () => expectSound(t.db));

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

  function writer(cardNo: string, who: Headers = t.as.outlet_operator) {
    return async (r: { file: IssueFile; challenge: string }) => {
      const res = await t.post(`/api/v1/cards/anonymous/${cardNo}/write`, r, who);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { command: string; probeChallenge: string };
    };
  }

  async function initialise(s: Stock) {
    const body = { operationId: randomUUID(), cardNo: s.cardNo };
    const started = await t.post('/api/v1/cards/anonymous', body, t.as.outlet_operator);
    expect(started.statusCode, started.body).toBe(200);
    await readStockCard(s.transmit);
    const probeChallenge = await writeIssueFile(s.transmit, 'EF16', writer(s.cardNo));
    // The probe needs the PIN verified: the default PIN, which an anonymous card keeps.
    await verifyPin(s.transmit, BUREAU_INITIAL_PIN);
    const proof = await proveIssued(s.transmit, probeChallenge);
    const done = await t.post(
      `/api/v1/cards/anonymous/${s.cardNo}/initialised`,
      { operationId: randomUUID(), ...proof },
      t.as.outlet_operator,
    );
    expect(done.statusCode, done.body).toBe(200);
    return { body, started: started.json(), done: done.json(), proof };
  }

  const sell = (s: Stock, extra: Record<string, unknown> = {}, who: Headers = t.as.outlet_operator) =>
    t.post(
      '/api/v1/cards/anonymous/sell',
      { operationId: randomUUID(), cardNo: s.cardNo, feeFen: FEE_FEN, firstAmountFen: FIRST_FEN, ...extra },
      who,
    );
  const topUp = (cardNo: string, amountFen: number, who: Headers = t.as.outlet_operator, operationId = randomUUID()) =>
    t.post('/api/v1/cards/anonymous/top-up', { operationId, cardNo, amountFen }, who);

  async function quotaOf(cardNo: string): Promise<bigint> {
    const found = await t.db.query<{ balance: bigint }>(
      "SELECT a.credits_posted - a.debits_posted AS balance FROM account a JOIN card c ON a.customer_id = c.customer_id WHERE c.card_no = $1 AND a.code = 'QUOTA'",
      [cardNo],
    );
    return found.rows[0]!.balance;
  }

  async function upgrade(s: Stock, who: Headers = t.as.outlet_operator) {
    const body = { operationId: randomUUID(), cardNo: s.cardNo, details: BUYER };
    const started = await t.post('/api/v1/cards/anonymous/upgrade', body, who);
    expect(started.statusCode, started.body).toBe(200);
    const reading = await readStockCard(s.transmit);
    await writeIssueFile(s.transmit, 'EF16', writer(s.cardNo, who));
    await setCustomerPin(s.transmit, { pinMode: reading.pinMode, initialPin: BUREAU_INITIAL_PIN, customerPin: PIN });
    const proof = await proveIssued(s.transmit, await writeIssueFile(s.transmit, 'EF1B', writer(s.cardNo, who)));
    return { body, started: started.json(), proof };
  }

  it('initialises, sells with a first amount, tops up at another outlet and upgrades: each once, the balance kept', async () => {
    const s = await stockCard();
    const { body, started, done, proof } = await initialise(s);
    expect(started).toMatchObject({ cardNo: s.cardNo, state: 'initialising', customerId: null, ef16: ANONYMOUS_EF16 });
    expect(done).toMatchObject({ state: 'initialised' });
    expect(proof.ef16).toBe(ANONYMOUS_EF16);
    expect(toHex(encodeEf16({ holderFlag: 1, employeeFlag: 1, holderName: '', idNumber: '', idType: 0 })).toUpperCase()).toBe(
      ANONYMOUS_EF16,
    );
    expect(decodeEf16(Buffer.from(proof.ef16, 'hex')).holderName).toBe('');
    // Still a stock card of the outlet, still the default PIN; a replayed start answers the first; an issuance is refused.
    expect((await t.db.query('SELECT state, named, customer_id FROM card WHERE card_no = $1', [s.cardNo])).rows[0]).toEqual({
      state: 'stock',
      named: false,
      customer_id: null,
    });
    await expect(verifyPin(s.transmit, BUREAU_INITIAL_PIN)).resolves.toBeUndefined();
    const zhang = (await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'")).rows[0]!.id;
    const issue = await t.post(
      '/api/v1/cards/issue',
      { operationId: randomUUID(), cardNo: s.cardNo, customerId: String(zhang), role: 'single', feeFen: 0 },
      t.as.outlet_operator,
    );
    expect(issue.json().error.code).toBe('ISSUE_CARD_NOT_IN_STOCK');
    expect((await t.post('/api/v1/cards/anonymous', body, t.as.outlet_operator)).json()).toEqual(started);

    // Sold: fee and first amount once, the card active, its customer anonymous and not found by search.
    const sellBody = { operationId: randomUUID(), cardNo: s.cardNo, feeFen: FEE_FEN, firstAmountFen: FIRST_FEN };
    const sold = await t.post('/api/v1/cards/anonymous/sell', sellBody, t.as.outlet_operator);
    expect(sold.statusCode, sold.body).toBe(200);
    expect(sold.json()).toMatchObject({ quotaFen: FIRST_FEN, card: { state: 'sold', expiresOn: '20361231' } });
    const before = await snapshot(t.db, TABLES);
    expect((await t.post('/api/v1/cards/anonymous/sell', sellBody, t.as.outlet_operator)).json()).toEqual(sold.json());
    expect(await snapshot(t.db, TABLES)).toBe(before);
    const card = await t.db.query('SELECT state, named, role FROM card WHERE card_no = $1', [s.cardNo]);
    expect(card.rows[0]).toEqual({ state: 'active', named: false, role: 'single' });
    expect(await quotaOf(s.cardNo)).toBe(BigInt(FIRST_FEN));
    const fees = await t.db.query('SELECT 1 FROM transfer t JOIN anonymous_card a ON t.id = a.fee_transfer_id WHERE a.card_no = $1', [
      s.cardNo,
    ]);
    expect(fees.rows).toHaveLength(1);
    const hidden = await get(`/api/v1/customers?q=${s.cardNo}`, t.as.outlet_operator);
    expect(hidden.json().customers).toEqual([]);
    const inquiry = await get(`/api/v1/cards/${s.cardNo}`, t.as.outlet_operator);
    expect(inquiry.json()).toMatchObject({ named: false, purseLimitFen: 100_000 });

    // Topped up at another outlet: into the quota once; over the anonymous ceiling refused.
    const operationId = randomUUID();
    const topped = await topUp(s.cardNo, TOP_UP_FEN, t.as.other_city_operator, operationId);
    expect(topped.statusCode, topped.body).toBe(200);
    expect(topped.json().quotaFen).toBe(FIRST_FEN + TOP_UP_FEN);
    expect((await topUp(s.cardNo, TOP_UP_FEN, t.as.other_city_operator, operationId)).json()).toEqual(topped.json());
    expect((await topUp(s.cardNo, 100_000 - FIRST_FEN - TOP_UP_FEN + 1)).json().error.code).toBe('PURSE_LIMIT_EXCEEDED');
    expect(await quotaOf(s.cardNo)).toBe(BigInt(FIRST_FEN + TOP_UP_FEN));
    expect(() => requireLossReportable({ named: false })).toThrow(ApiError);

    // Upgraded: the buyer on the chip with the PIN, the same customer named and found, the quota untouched.
    const ledger = await snapshot(t.db, ['account', 'transfer']);
    const { proof: upProof } = await upgrade(s);
    expect(decodeEf16(Buffer.from(upProof.ef16, 'hex'))).toMatchObject({ holderName: BUYER.name, idNumber: BUYER.idNo, idType: 1 });
    const url = `/api/v1/cards/anonymous/${s.cardNo}/upgraded`;
    const completeBody = { operationId: randomUUID(), ...upProof };
    const upgraded = await t.post(url, completeBody, t.as.outlet_operator);
    expect(upgraded.statusCode, upgraded.body).toBe(200);
    expect(upgraded.json().state).toBe('upgraded');
    expect((await t.post(url, completeBody, t.as.outlet_operator)).json()).toEqual(upgraded.json());
    expect(await snapshot(t.db, ['account', 'transfer'])).toBe(ledger);
    await expect(verifyPin(s.transmit, PIN)).resolves.toBeUndefined();
    const named = await t.db.query<{ named: boolean; anonymous: boolean; name: string; id_doc_no: string; org_unit_id: bigint }>(
      'SELECT c.named, cu.anonymous, cu.name, cu.id_doc_no, cu.org_unit_id FROM card c JOIN customer cu ON cu.id = c.customer_id WHERE c.card_no = $1',
      [s.cardNo],
    );
    expect(named.rows[0]).toEqual({ named: true, anonymous: false, name: BUYER.name, id_doc_no: BUYER.idNo, org_unit_id: outletId });
    const found = await get(`/api/v1/customers?q=${encodeURIComponent(BUYER.name)}`, t.as.outlet_operator);
    expect(found.json().customers.map((c: { name: string }) => c.name)).toContain(BUYER.name);
    expect(() => requireLossReportable({ named: true })).not.toThrow();
    // A named card is no anonymous card to top up or upgrade.
    expect((await topUp(s.cardNo, 100)).json().error.code).toBe('ANONYMOUS_CARD_NAMED');
    expect((await topUp(demoCardNo(1), 100)).json().error.code).toBe('ANONYMOUS_CARD_NAMED');
  });

  it('refuses, changing nothing: wrong roles, other outlets, named and issued cards, steps out of order, malformed bodies', async () => {
    const fresh = await stockCard();
    const elsewhere = await stockCard(otherOutletId);
    const initialised = await stockCard();
    await initialise(initialised);
    const init = (cardNo: string, who: Headers = t.as.outlet_operator, extra: Record<string, unknown> = {}) =>
      t.post('/api/v1/cards/anonymous', { operationId: randomUUID(), cardNo, ...extra }, who);
    const upgradeBody = (cardNo: string, details: Record<string, unknown> = BUYER) => ({ operationId: randomUUID(), cardNo, details });
    const cases: Array<[() => Promise<{ json(): { error?: { code: string } } }>, string]> = [
      [() => init(fresh.cardNo, t.tablet), 'FORBIDDEN'],
      [() => init(fresh.cardNo, t.kiosk), 'FORBIDDEN'],
      [() => init(fresh.cardNo, t.as.center_operator), 'FORBIDDEN'],
      [() => init(elsewhere.cardNo), 'ISSUE_CARD_NOT_AT_OUTLET'],
      [() => init(demoCardNo(1)), 'ANONYMOUS_CARD_NAMED'],
      [() => init(demoCardNo(3)), 'ISSUE_CARD_NOT_IN_STOCK'],
      [() => init(initialised.cardNo), 'ANONYMOUS_STATE_INVALID'],
      [() => init(demoCardNo(7, '04')), 'CARD_NOT_FOUND'],
      [() => init(fresh.cardNo, t.as.outlet_operator, { surprise: 1 }), 'INVALID_REQUEST'],
      [() => sell(fresh), 'ANONYMOUS_STATE_INVALID'],
      [() => sell(initialised, {}, t.as.other_city_operator), 'ISSUE_CARD_NOT_AT_OUTLET'],
      [() => sell(initialised, {}, t.kiosk), 'FORBIDDEN'],
      [() => sell(initialised, { firstAmountFen: 100_001 }), 'PURSE_LIMIT_EXCEEDED'],
      [() => sell(initialised, { feeFen: -1 }), 'INVALID_REQUEST'],
      [() => sell(initialised, { firstAmountFen: 1.5 }), 'INVALID_REQUEST'],
      [() => sell({ ...fresh, cardNo: demoCardNo(1) }), 'ANONYMOUS_CARD_NAMED'],
      [() => topUp(initialised.cardNo, 100), 'ANONYMOUS_STATE_INVALID'],
      [() => topUp(fresh.cardNo, 100), 'ANONYMOUS_STATE_INVALID'],
      [() => topUp(initialised.cardNo, 0), 'INVALID_REQUEST'],
      [() => topUp(initialised.cardNo, 100, t.kiosk), 'FORBIDDEN'],
      [() => t.post('/api/v1/cards/anonymous/upgrade', upgradeBody(initialised.cardNo), t.as.outlet_operator), 'ANONYMOUS_STATE_INVALID'],
      [() => t.post('/api/v1/cards/anonymous/upgrade', upgradeBody(demoCardNo(1)), t.as.outlet_operator), 'ANONYMOUS_CARD_NAMED'],
      [
        () => t.post(`/api/v1/cards/anonymous/${fresh.cardNo}/write`, { file: 'EF16', challenge: '01020304' }, t.as.outlet_operator),
        'ANONYMOUS_STATE_INVALID',
      ],
      [
        () => t.post(`/api/v1/cards/anonymous/${initialised.cardNo}/write`, { file: 'EF16', challenge: '01020304' }, t.as.outlet_operator),
        'ANONYMOUS_STATE_INVALID',
      ],
    ];
    const before = await snapshot(t.db, TABLES);
    for (const [call, code] of cases) expect((await call()).json().error?.code, code).toBe(code);
    expect(await snapshot(t.db, TABLES)).toBe(before);
    // Without an open shift no cash is taken.
    expect((await sell(initialised, {}, t.as.outlet_supervisor)).json().error?.code).toBe('SHIFT_NOT_OPEN');
    expect(await snapshot(t.db, TABLES)).toBe(before);
  });

  it('an upgrade’s details are checked as a customer’s; its proof must show the writes; an operation id reused conflicts', async () => {
    const s = await stockCard();
    await initialise(s);
    expect((await sell(s, { firstAmountFen: 0, feeFen: 0 })).statusCode).toBe(200);
    const start = (details: Record<string, unknown>) =>
      t.post('/api/v1/cards/anonymous/upgrade', { operationId: randomUUID(), cardNo: s.cardNo, details }, t.as.outlet_operator);
    const before = await snapshot(t.db, TABLES);
    expect((await start({ ...BUYER, idNo: '110105194912310021' })).json().error.code).toBe('RESIDENT_ID_INVALID');
    expect((await start({ ...BUYER, name: '  ' })).json().error.code).toBe('CUSTOMER_NAME_INVALID');
    expect((await start({ ...BUYER, phone: 'abc' })).json().error.code).toBe('PHONE_INVALID');
    expect((await start({ ...BUYER, name: '非常非常非常长的买家姓名' })).json().error.code).toBe('ISSUE_HOLDER_INVALID');
    expect((await start({ ...BUYER, idType: 'nope' })).json().error.code).toBe('INVALID_REQUEST');
    expect(await snapshot(t.db, TABLES)).toBe(before);
    const { proof } = await upgrade(s);
    const url = `/api/v1/cards/anonymous/${s.cardNo}/upgraded`;
    const refusals: Array<[unknown, string]> = [
      [{ ...proof, ef16: ANONYMOUS_EF16 }, 'ISSUE_NOT_WRITTEN'],
      [{ ...proof, pinMode: 0 }, 'ISSUE_NOT_WRITTEN'],
      [{ ...proof, probe: { ...proof.probe, terminalId: '000000000001' } }, 'ISSUE_PROBE_STALE'],
      [{ ...proof, probe: { ...proof.probe, answer: { ...proof.probe.answer, mac1: '00000000' } } }, 'MAC1_INVALID'],
    ];
    const started = await snapshot(t.db, TABLES);
    for (const [body, code] of refusals)
      expect((await t.post(url, { operationId: randomUUID(), ...(body as object) }, t.as.outlet_operator)).json().error?.code).toBe(code);
    // Another outlet may not finish what this one started.
    expect((await t.post(url, { operationId: randomUUID(), ...proof }, t.as.other_city_operator)).json().error?.code).toBe(
      'ANONYMOUS_UPGRADE_ELSEWHERE',
    );
    expect(await snapshot(t.db, TABLES)).toBe(started);
    const operationId = randomUUID();
    expect((await t.post(url, { operationId, ...proof }, t.as.outlet_operator)).statusCode).toBe(200);
    expect((await t.post(url, { operationId, ...proof, pinMode: 0 }, t.as.outlet_operator)).json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });
});
