/**
 * Issuing station cards (server/cards/station-issue.ts) against simulated bureau station cards
 * driven by the card flow of ccid/fuelcard/issue-holder.ts: each type issued from the demo
 * centre's stock to the demo station (the seed's batches, server/stock/demo.ts), replays that
 * change nothing, the refusals (an outlet clerk, a station outside the centre's subtree, a user
 * card, a card of another type than chosen, a card not in the centre's stock), no purse work on
 * an issued card, the station's list and withdrawing. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { BUREAU_INITIAL_PIN } from '../../ccid/sim/demo/stock.ts';
import { createDemoStationStockCard, DEMO_STATION_FIRST_SERIALS, type DemoStationCardType } from '../../ccid/sim/demo/station-stock.ts';
import { decodeEf16 } from '../../ccid/fuelcard/files.ts';
import { proveIssued, readStockCard, setCustomerPin, writeIssueFile, type IssueFile } from '../../ccid/fuelcard/issue-holder.ts';
import { readBinary, verifyPin } from '../../ccid/fuelcard/card.ts';
import { FILE_BYTES, SFI } from '../../ccid/fuelcard/spec.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import { expectSound, openTestApp, snapshot, type Headers, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { ApiError } from '../errors.ts';
import { readCard, requireUsable } from './card.ts';

const HOLDER_PIN = '135790';
/** The seed's station batches hold 20 cards each; the tests take them in turn (the demo keeps the first ones). */
const next: Record<DemoStationCardType, number> = { employee: 5, maintenance: 5, test: 5 };

type Chip = { cardNo: string; transmit: Transmit };

describe(`issuing station cards 员工卡/维修卡/验泵卡, on ${testEngine()}`, () => {
  let t: TestApp;
  let stationId: string;
  let otherStationId: string;
  let outletId: string;

  beforeAll(async () => {
    t = await openTestApp();
    const unit = async (code: string) => (await t.db.query<{ id: bigint }>('SELECT id FROM org_unit WHERE code = $1', [code])).rows[0]!.id;
    stationId = String(await unit('3201S01'));
    outletId = String(await unit('3201001'));
    const otherCity = await unit('3202');
    const made = await t.db.query<{ id: bigint }>(
      "INSERT INTO org_unit (parent_id, kind, code, name_zh, name_en) VALUES ($1, 'station', '3202S01', '另一市加油站', 'Other City Station') RETURNING id",
      [otherCity],
    );
    otherStationId = String(made.rows[0]!.id);
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  /** The next stock card of the seed's batch of `type`, held at the demo city (the demo centre's stock). */
  function stationChip(type: DemoStationCardType): Chip {
    const { card, asn } = createDemoStationStockCard({ type, serial: DEMO_STATION_FIRST_SERIALS[type] + next[type]++ });
    card.powerOn();
    return { cardNo: toHex(asn), transmit: (apdu) => Promise.resolve(card.transmit(apdu)) };
  }

  const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
  const start = (body: Record<string, unknown>, who: Headers = t.as.center_operator) => t.post('/api/v1/station-cards', body, who);
  const startBody = (c: Chip, cardType: DemoStationCardType, extra: Record<string, unknown> = {}) => ({
    operationId: randomUUID(),
    cardNo: c.cardNo,
    stationId,
    cardType,
    holder: { name: '李加油', number: 'S0012' },
    ...extra,
  });

  function writer(id: string) {
    return async (r: { file: IssueFile; challenge: string }) => {
      const res = await t.post(`/api/v1/station-cards/${id}/write`, r, t.as.center_operator);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { command: string; probeChallenge: string };
    };
  }

  /** The card's part: EF16, the PIN, EF1B, then the read-back (and the probe of a pump-verification card, the one with a purse). */
  async function writeCard(c: Chip, id: string, type: DemoStationCardType) {
    await readStockCard(c.transmit);
    await writeIssueFile(c.transmit, 'EF16', writer(id));
    await setCustomerPin(c.transmit, { pinMode: 0, initialPin: BUREAU_INITIAL_PIN, customerPin: HOLDER_PIN });
    const probeChallenge = await writeIssueFile(c.transmit, 'EF1B', writer(id));
    if (type === 'test') return proveIssued(c.transmit, probeChallenge);
    const ef16 = toHex(await readBinary(c.transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 })).toUpperCase();
    const pinMode = (await readBinary(c.transmit, { sfi: SFI.EF1B, length: 1 }))[0]!;
    return { ef16, pinMode };
  }

  /** The whole issue of a chip of `type`; answers the completed view. */
  async function issue(type: DemoStationCardType, holder = { name: '李加油', number: 'S0012' }) {
    const c = stationChip(type);
    const started = await start(startBody(c, type, { holder }));
    expect(started.statusCode, started.body).toBe(200);
    const proof = await writeCard(c, started.json().stationCardId, type);
    const done = await t.post(
      `/api/v1/station-cards/${started.json().stationCardId}/complete`,
      { operationId: randomUUID(), ...proof },
      t.as.center_operator,
    );
    expect(done.statusCode, done.body).toBe(200);
    return { chip: c, view: done.json() };
  }

  it('issues an employee card to the station: holder and staff number on the chip, the card active with no customer and no accounts', async () => {
    const c = stationChip('employee');
    const body = startBody(c, 'employee');
    const started = await start(body);
    expect(started.statusCode, started.body).toBe(200);
    const view = started.json();
    expect(view).toMatchObject({
      cardNo: c.cardNo,
      stationId,
      cardType: 'employee',
      state: 'started',
      holder: { name: '李加油', number: 'S0012' },
    });
    // A replayed start, and a second start of the same choice, answer the same issuance.
    const before = await snapshot(t.db, ['station_card', 'card']);
    expect((await start(body)).json()).toEqual(view);
    expect((await start({ ...body, operationId: randomUUID() })).json().stationCardId).toBe(view.stationCardId);
    expect(await snapshot(t.db, ['station_card', 'card'])).toBe(before);

    const proof = await writeCard(c, view.stationCardId, 'employee');
    const ef16 = decodeEf16(Buffer.from(proof.ef16, 'hex'));
    expect(ef16).toMatchObject({ holderName: '李加油', idNumber: 'S0012', idType: 4, employeeFlag: 0 });
    // The chip has no purse to probe (6A81), and a probe sent anyway is refused.
    await expect(proveIssued(c.transmit, '010203040506')).rejects.toThrow(/6A81/);
    const fakeProbe = {
      terminalId: '010203040506',
      amountFen: 0,
      answer: { balanceFen: 0, onlineTtc: 0, keyVersion: 1, algId: 0, random: '00000000', mac1: '00000000' },
    };
    const probed = await t.post(
      `/api/v1/station-cards/${view.stationCardId}/complete`,
      { operationId: randomUUID(), ...proof, probe: fakeProbe },
      t.as.center_operator,
    );
    expect(probed.json().error.code).toBe('CARD_HAS_NO_PURSE');
    // What the card does not show is refused.
    const wrong = await t.post(
      `/api/v1/station-cards/${view.stationCardId}/complete`,
      { operationId: randomUUID(), ...proof, pinMode: 0 },
      t.as.center_operator,
    );
    expect(wrong.json().error.code).toBe('ISSUE_NOT_WRITTEN');
    const completeBody = { operationId: randomUUID(), ...proof };
    const done = await t.post(`/api/v1/station-cards/${view.stationCardId}/complete`, completeBody, t.as.center_operator);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'issued', expiresOn: '20361231', withdrawnAt: null });
    const card = await t.db.query('SELECT state, customer_id, named FROM card WHERE card_no = $1', [c.cardNo]);
    expect(card.rows[0]).toMatchObject({ state: 'active', customer_id: null, named: true });
    const accounts = await t.db.query('SELECT 1 FROM account WHERE card_no = $1', [c.cardNo]);
    expect(accounts.rows).toHaveLength(0);
    const audit = await t.db.query<{ action: string }>('SELECT action FROM audit_log WHERE subject = $1 ORDER BY at, chain_no', [c.cardNo]);
    expect(audit.rows.map((r) => r.action)).toEqual(['station_card.start', 'station_card.complete']);

    // The completion replayed answers the same and changes nothing; the holder's PIN verifies.
    const after = await snapshot(t.db);
    expect((await t.post(`/api/v1/station-cards/${view.stationCardId}/complete`, completeBody, t.as.center_operator)).json()).toEqual(
      done.json(),
    );
    expect(await snapshot(t.db)).toBe(after);
    await expect(verifyPin(c.transmit, HOLDER_PIN)).resolves.toBeUndefined();
    // An issued card is issued once, and its purse is never loaded.
    expect((await start(startBody(c, 'employee'))).json().error.code).toBe('ISSUE_CARD_NOT_IN_STOCK');
    const row = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: c.cardNo }, false);
    expect(() => requireUsable(row, '20270101', 'load')).toThrow(new ApiError('CARD_HAS_NO_PURSE'));
  });

  it('issues a maintenance card and a pump-verification card', async () => {
    const m = await issue('maintenance', { name: '省维修中心王工', number: 'WX-01' });
    expect(m.view).toMatchObject({ cardType: 'maintenance', state: 'issued', holder: { name: '省维修中心王工', number: 'WX-01' } });
    const v = await issue('test', { name: '赵站长', number: '' });
    expect(v.view).toMatchObject({ cardType: 'test', state: 'issued', holder: { name: '赵站长', number: '' } });
  });

  it('refuses, changing nothing: an outlet clerk, a station outside the subtree, not a station, a user card, another type, a bad holder', async () => {
    const c = stationChip('employee');
    const before = await snapshot(t.db, ['station_card', 'card', 'audit_log']);
    const code = async (body: Record<string, unknown>, who?: Headers) => (await start(body, who)).json().error.code;
    expect(await code(startBody(c, 'employee'), t.as.outlet_operator)).toBe('FORBIDDEN');
    expect(await code(startBody(c, 'employee'), t.as.administrator)).toBe('FORBIDDEN');
    expect(await code(startBody(c, 'employee', { stationId: otherStationId }))).toBe('STATION_INVALID');
    expect(await code(startBody(c, 'employee', { stationId: outletId }))).toBe('STATION_INVALID');
    expect(await code(startBody(c, 'maintenance'))).toBe('STATION_CARD_TYPE_INVALID');
    expect(await code(startBody(c, 'employee', { holder: { name: '李'.repeat(11), number: '' } }))).toBe('ISSUE_HOLDER_INVALID');
    expect((await start({ ...startBody(c, 'employee'), feeFen: 0 })).statusCode).toBe(400);
    // A user card from the outlet's stock is no station card.
    const userCardNo = (
      await t.db.query<{ card_no: string }>("SELECT card_no FROM card WHERE state = 'stock' AND card_type = 'user' LIMIT 1")
    ).rows[0]!.card_no;
    expect(await code(startBody({ cardNo: userCardNo, transmit: () => Promise.reject(new Error('unused')) }, 'employee'))).toBe(
      'STATION_CARD_TYPE_INVALID',
    );
    // A station card still at the province is not the city centre's to issue.
    await t.db.query("UPDATE card SET stock_unit_id = (SELECT id FROM org_unit WHERE code = '32') WHERE card_no = $1", [c.cardNo]);
    expect(await code(startBody(c, 'employee'))).toBe('STATION_CARD_NOT_IN_STOCK');
    await t.db.query("UPDATE card SET stock_unit_id = (SELECT id FROM org_unit WHERE code = '3201') WHERE card_no = $1", [c.cardNo]);
    expect(await snapshot(t.db, ['station_card', 'card', 'audit_log'])).toBe(before);
    // Another city's centre sees neither the station nor its cards.
    const list = await get(`/api/v1/stations/${stationId}/cards`, t.as.other_city_operator);
    expect(list.json().error.code).toMatch(/FORBIDDEN|STATION_INVALID/);
  });

  it('an operation id reused for another request conflicts; a new choice for a started card supersedes the old start', async () => {
    const c = stationChip('employee');
    const body = startBody(c, 'employee');
    const first = (await start(body)).json();
    const conflict = await start({ ...body, holder: { name: '王五', number: 'S9' } });
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
    const second = (await start(startBody(c, 'employee', { holder: { name: '王五', number: 'S9' } }))).json();
    expect(second.stationCardId).not.toBe(first.stationCardId);
    const states = await t.db.query<{ state: string }>('SELECT state FROM station_card WHERE card_no = $1 ORDER BY started_at, state', [
      c.cardNo,
    ]);
    expect(states.rows.map((r) => r.state).sort()).toEqual(['cancelled', 'started']);
    // The old start takes no more writes.
    const write = await t.post(
      `/api/v1/station-cards/${first.stationCardId}/write`,
      { file: 'EF16', challenge: '01020304' },
      t.as.center_operator,
    );
    expect(write.json().error.code).toBe('ISSUE_NOT_STARTED');
  });

  it("lists the station's cards and withdraws one: closed, listed as withdrawn after the issued ones, once", async () => {
    const { chip, view } = await issue('employee', { name: '孙离职', number: 'S0099' });
    const list = await get(`/api/v1/stations/${stationId}/cards`, t.as.center_operator);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().cards.find((x: { cardNo: string }) => x.cardNo === chip.cardNo)).toMatchObject({ state: 'issued' });
    expect((await get(`/api/v1/stations/${stationId}/cards`, t.as.outlet_operator)).json().error.code).toBe('FORBIDDEN');

    const body = { operationId: randomUUID(), reason: '员工离职' };
    const url = `/api/v1/station-cards/${view.stationCardId}/withdraw`;
    expect((await t.post(url, body, t.as.outlet_supervisor)).json().error.code).toBe('FORBIDDEN');
    const gone = await t.post(url, body, t.as.center_operator);
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json()).toMatchObject({ state: 'withdrawn', withdrawReason: '员工离职' });
    const after = await snapshot(t.db);
    expect((await t.post(url, body, t.as.center_operator)).json()).toEqual(gone.json());
    expect(await snapshot(t.db)).toBe(after);
    expect((await t.post(url, { ...body, operationId: randomUUID() }, t.as.center_operator)).json().error.code).toBe(
      'STATION_CARD_NOT_ISSUED',
    );
    expect((await t.db.query('SELECT state FROM card WHERE card_no = $1', [chip.cardNo])).rows[0]).toEqual({ state: 'closed' });
    const cards = (await get(`/api/v1/stations/${stationId}/cards`, t.as.center_operator)).json().cards as Array<{
      state: string;
      cardNo: string;
    }>;
    const states = cards.map((x) => x.state);
    expect(states.indexOf('withdrawn')).toBeGreaterThan(states.lastIndexOf('issued'));
    expect(cards.find((x) => x.cardNo === chip.cardNo)!.state).toBe('withdrawn');
    expect(
      (await t.post(`/api/v1/station-cards/${randomUUID()}/withdraw`, { ...body, operationId: randomUUID() }, t.as.center_operator)).json()
        .error.code,
    ).toBe('STATION_CARD_NOT_FOUND');
  });
});
