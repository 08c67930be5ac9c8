/**
 * Loss reports 挂失 and cancellations 解挂 (server/cards/loss-report.ts) on the demo's cards, with
 * the server's clock driven by the test: the identity checked (a personal card's own ID number, a
 * unit card's letter of introduction), anonymous cards refused, exactly once by the operation id,
 * the effective time 2 working days on by the calendar, a cancellation before it and not after,
 * and at the effective instant no load, then the card lost (the blacklist's version moved) and its
 * purse mirror frozen, by the sweep or by reading the card's reports. Both engines.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';
import { ApiError } from '../errors.ts';
import { applyDueLossReports, effectiveLossesSince } from './loss-report.ts';
import { readCard, requireNoLossInEffect } from './card.ts';

const ZHANG_WEI_ID = '320102199001011232';
const LETTER = { kind: 'intro_letter', letterRef: '物流介字〔2026〕12号', bearerName: '李娜', bearerIdNo: '32010219880202123X' } as const;

describe(`loss reports 挂失/解挂, on ${testEngine()}`, () => {
  let t: TestApp;
  let clock = new Date();
  let personalCard: string;
  let unitCard: string;
  let anonymousCard: string;
  let otherPersonalCard: string;

  beforeAll(async () => {
    t = await openTestApp({ now: () => clock });
    // Signed in now, then back to Thursday 12 February 2026, 10:00 in China: Friday and the make-up
    // Saturday are the 2 working days. (Sessions and device signatures follow the same clock.)
    clock = new Date('2026-02-12T02:00:00Z');
    const cardOf = async (holder: string, named = true) =>
      (
        await t.db.query<{ card_no: string }>(
          "SELECT c.card_no FROM card c JOIN customer cu ON cu.id = c.customer_id WHERE cu.name = $1 AND c.named = $2 AND c.role <> 'main' ORDER BY c.card_no LIMIT 1",
          [holder, named],
        )
      ).rows[0]!.card_no;
    personalCard = await cardOf('演示客户张伟');
    unitCard = await cardOf('演示物流有限公司');
    anonymousCard = await cardOf('演示不记名卡持有人', false);
    otherPersonalCard = await cardOf('演示客户刘洋');
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const report = (cardNo: string, extra: Record<string, unknown> = {}, who = t.as.outlet_operator) =>
    t.post(
      '/api/v1/loss-reports',
      { operationId: randomUUID(), cardNo, identity: { kind: 'id_document', idNo: ZHANG_WEI_ID }, choice: 'replacement', ...extra },
      who,
    );
  const reports = async (cardNo: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardNo}/loss-reports`, headers: t.as.outlet_operator })).json();
  const blacklistVersion = async () =>
    (await t.db.query<{ value: string }>("SELECT value FROM app_meta WHERE key = 'list.blacklist.version'")).rows[0]?.value ?? '0';

  it('refuses a wrong identity, an anonymous card and a kiosk or a centre, changing nothing', async () => {
    const before = await snapshot(t.db, ['loss_report', 'card', 'audit_log', 'operation']);
    const refusals: Array<[Promise<{ statusCode: number; json(): { error: { code: string } } }>, string]> = [
      [report(personalCard, { identity: { kind: 'id_document', idNo: '110105194912310021' } }), 'LOSS_IDENTITY_MISMATCH'],
      [report(personalCard, { identity: LETTER }), 'LOSS_IDENTITY_MISMATCH'],
      [report(unitCard), 'LOSS_IDENTITY_MISMATCH'],
      // 刘洋 has no ID number on record: nothing proves the card is the reporter's.
      [report(otherPersonalCard), 'LOSS_IDENTITY_MISMATCH'],
      [report(anonymousCard), 'ANONYMOUS_NO_LOSS_REPORT'],
      [report('10001100000199999999'), 'CARD_NOT_FOUND'],
      [report(personalCard, {}, t.kiosk), 'FORBIDDEN'],
      [report(personalCard, {}, t.as.center_operator), 'FORBIDDEN'],
    ];
    for (const [sent, code] of refusals) expect((await sent).json().error.code).toBe(code);
    expect(await snapshot(t.db, ['loss_report', 'card', 'audit_log', 'operation'])).toBe(before);
  });

  it('records a report once, with the identity, the choice, who and where, and its effective time by the calendar', async () => {
    const body = {
      operationId: randomUUID(),
      cardNo: personalCard,
      identity: { kind: 'id_document', idNo: '320102199001011232' },
      choice: 'refund',
    };
    const first = await t.post('/api/v1/loss-reports', body, t.as.outlet_operator);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      cardNo: personalCard,
      customerName: '演示客户张伟',
      state: 'pending',
      choice: 'refund',
      identity: { kind: 'id_document', idNo: ZHANG_WEI_ID },
      reportedAt: '2026-02-12T02:00:00.000Z',
      // Friday 13 and Saturday 14 (worked) February; Spring Festival begins at the effect.
      effectiveAt: '2026-02-14T16:00:00.000Z',
      frozenPurseFen: null,
      reportedDevice: 'demo-tablet-1',
    });
    const again = await t.post('/api/v1/loss-reports', body, t.as.outlet_operator);
    expect(again.json()).toEqual(first.json());
    expect((await t.post('/api/v1/loss-reports', { ...body, choice: 'replacement' }, t.as.outlet_operator)).json().error.code).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await report(personalCard)).json().error.code).toBe('LOSS_REPORT_EXISTS');
    const rows = await t.db.query('SELECT 1 FROM loss_report WHERE card_no = $1', [personalCard]);
    expect(rows.rows).toHaveLength(1);
    const audit = await t.db.query<{ operator_id: bigint | null; device_id: string | null; detail: Record<string, unknown> }>(
      "SELECT operator_id, device_id, detail FROM audit_log WHERE action = 'loss_report.report' AND subject = $1",
      [personalCard],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ device_id: 'demo-tablet-1', detail: { choice: 'refund', identityKind: 'id_document' } });
    expect(audit.rows[0]!.operator_id).not.toBeNull();
    // Nothing happens before the time: the card stays usable.
    const card = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: personalCard }, false);
    expect(card.state).toBe('active');
    expect(() => requireNoLossInEffect(card, clock)).not.toThrow();
  });

  it('is cancelled before it takes effect, with the identity again, exactly once; then a new report may be made', async () => {
    const [pending] = (await reports(personalCard)).reports;
    const cancel = (identity: unknown, operationId: string = randomUUID()) =>
      t.post(`/api/v1/loss-reports/${pending.lossReportId}/cancel`, { operationId, identity }, t.as.outlet_supervisor);
    expect((await cancel({ kind: 'id_document', idNo: '110105194912310021' })).json().error.code).toBe('LOSS_IDENTITY_MISMATCH');
    const operationId = randomUUID();
    const done = await cancel({ kind: 'id_document', idNo: ZHANG_WEI_ID.toLowerCase() }, operationId);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'cancelled', cancelledAt: clock.toISOString(), cancelledBy: expect.any(String) });
    expect((await cancel({ kind: 'id_document', idNo: ZHANG_WEI_ID.toLowerCase() }, operationId)).json()).toEqual(done.json());
    expect((await cancel({ kind: 'id_document', idNo: ZHANG_WEI_ID })).json().error.code).toBe('LOSS_REPORT_NOT_PENDING');
    const card = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: personalCard }, false);
    expect(card.loss_effective_at).toBeNull();
    const unknown = await t.post(
      `/api/v1/loss-reports/${randomUUID()}/cancel`,
      { operationId: randomUUID(), identity: LETTER },
      t.as.outlet_operator,
    );
    expect(unknown.json().error.code).toBe('LOSS_REPORT_NOT_FOUND');
  });

  it('takes effect by the server clock: no load from the instant, then the card lost, on the blacklist, its purse mirror frozen', async () => {
    const made = await report(unitCard, { identity: LETTER, choice: 'replacement' });
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json()).toMatchObject({ customerKind: 'unit', identity: LETTER, effectiveAt: '2026-02-14T16:00:00.000Z' });
    const id = made.json().lossReportId as string;
    const purse = async () =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/cards/${unitCard}`, headers: t.as.outlet_operator }))
        .json()
        .accounts.find((a: { code: string }) => a.code === 'PURSE').balanceFen as number;
    const balance = await purse();
    const version = await blacklistVersion();

    // One second before: still pending, still cancellable; the sweep leaves it.
    clock = new Date('2026-02-14T15:59:59Z');
    expect(await applyDueLossReports({ db: t.db, now: () => clock })).toBe(0);
    // The instant: a load is refused though no sweep has run; a cancellation is too late.
    clock = new Date('2026-02-14T16:00:00Z');
    const card = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: unitCard }, false);
    expect(card.state).toBe('active');
    expect(() => requireNoLossInEffect(card, clock)).toThrow(new ApiError('CARD_LOST'));
    const late = await t.post(`/api/v1/loss-reports/${id}/cancel`, { operationId: randomUUID(), identity: LETTER }, t.as.outlet_operator);
    expect(late.json().error.code).toBe('LOSS_REPORT_NOT_PENDING');

    // Reading the card's reports applies the effect (the sweep would, on its timer).
    const [effective] = (await reports(unitCard)).reports;
    expect(effective).toMatchObject({ lossReportId: id, state: 'effective', frozenPurseFen: balance });
    const lost = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: unitCard }, false);
    expect(lost.state).toBe('lost');
    expect(BigInt(await blacklistVersion())).toBe(BigInt(version) + 1n);
    expect(await applyDueLossReports({ db: t.db, now: () => clock })).toBe(0);
    expect((await report(unitCard, { identity: LETTER })).json().error.code).toBe('CARD_LOST');
    const feed = await effectiveLossesSince(t.db, null, 10);
    expect(feed.map((f) => f.cardNo)).toEqual([unitCard]);
    expect(await effectiveLossesSince(t.db, { tookEffectAt: feed[0]!.tookEffectAt, lossReportId: feed[0]!.lossReportId }, 10)).toEqual([]);
    const audit = await t.db.query<{ chain_key: string; detail: Record<string, unknown> }>(
      "SELECT chain_key, detail FROM audit_log WHERE action = 'loss_report.effective' AND subject = $1",
      [unitCard],
    );
    expect(audit.rows).toEqual([
      { chain_key: 'system', detail: { lossReportId: id, frozenPurseFen: String(balance), previousState: 'active' } },
    ]);
  });

  it('is swept on the timer for cards nobody reads', async () => {
    clock = new Date('2026-02-16T02:00:00Z'); // Monday of Spring Festival: effective 2 working days after, 24 and 25 February
    const made = await report(personalCard);
    expect(made.json().effectiveAt).toBe('2026-02-25T16:00:00.000Z');
    clock = new Date('2026-02-26T00:00:00Z');
    expect(await applyDueLossReports({ db: t.db, now: () => clock })).toBe(1);
    const card = await readCard(t.db, { role: 'outlet_operator', scopeRootId: null }, { cardNo: personalCard }, false);
    expect(card.state).toBe('lost');
  });
});
