/**
 * The contract version on the wire (server/contract/version.ts, server/http/contract-version.ts):
 * a push or pull made under another CONTRACT_VERSION is refused whole with
 * CONTRACT_VERSION_MISMATCH before anything is looked at, so nothing is recorded and nothing
 * applied, and the device's next push of the very same operations, under the right version, is
 * taken as if the refused one had never been sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, PullResponse, PushResponse } from '../contract/index.ts';
import { demoCardNo } from '../demo/money.ts';
import { expectSound, openTestApp, snapshot, type TestApp } from '../testing/app.ts';
import { openTestShift } from '../testing/shifts.ts';
import { testEngine } from '../testing/db.ts';

/** Versions an app of another release (or a broken one) may send: older, newer, none, not a number. */
const OTHER_VERSIONS: Array<{ label: string; fields: Record<string, unknown> }> = [
  { label: 'an older version', fields: { contractVersion: CONTRACT_VERSION - 1 } },
  { label: 'a newer version', fields: { contractVersion: CONTRACT_VERSION + 1 } },
  { label: 'no version', fields: {} },
  { label: 'a version as text', fields: { contractVersion: String(CONTRACT_VERSION) } },
];

describe(`the contract version of sync push and pull on ${testEngine()}`, () => {
  let t: TestApp;
  let customerId: string;
  beforeAll(async () => {
    t = await openTestApp();
    await openTestShift(t.db);
    customerId = String((await t.db.query<{ id: bigint }>('SELECT id FROM customer WHERE name = $1', ['演示客户张伟'])).rows[0]!.id);
  });
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  const lastSeq = async (deviceId: string) =>
    Number(
      (await t.db.query<{ last_seq: bigint }>('SELECT last_seq FROM device_sync WHERE device_id = $1', [deviceId])).rows[0]?.last_seq ?? 0n,
    );
  const expectMismatch = (response: { statusCode: number; json(): unknown }) => {
    expect(response.statusCode).toBe(409);
    const body = response.json() as { error: { code: string; contractVersion?: number; message: string } };
    expect(body.error.code).toBe('CONTRACT_VERSION_MISMATCH');
    expect(body.error.contractVersion).toBe(CONTRACT_VERSION);
  };

  it.each(OTHER_VERSIONS)(
    'refuses a push under $label whole, recording and applying nothing, and takes the same operations under the right one',
    async ({ fields }) => {
      const seq = (await lastSeq('demo-tablet-1')) + 1;
      const operations = [
        { id: randomUUID(), deviceId: 'demo-tablet-1', seq, type: 'receipt.cash', payload: { customerId, amountFen: 100 } },
        { id: randomUUID(), deviceId: 'demo-tablet-1', seq: seq + 1, type: 'inquiry', payload: { cardNo: demoCardNo(1) } },
      ];
      const before = await snapshot(t.db);
      expectMismatch(await t.post('/api/v1/sync/push', { ...fields, operations }, t.as.outlet_operator));
      expect(await snapshot(t.db)).toBe(before);
      const recorded = await t.db.query('SELECT id FROM operation WHERE id = ANY($1::uuid[])', [operations.map((op) => op.id)]);
      expect(recorded.rows).toEqual([]);
      // The same operations, ids and seqs under this server's version: nothing of the refusal is in their way.
      const again = await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations }, t.as.outlet_operator);
      expect(again.statusCode).toBe(200);
      const answer = PushResponse.parse(again.json());
      expect(answer.contractVersion).toBe(CONTRACT_VERSION);
      expect(answer.results.map((r) => [r.seq, r.status, r.replayed])).toEqual([
        [seq, 'applied', false],
        [seq + 1, 'applied', false],
      ]);
      expect(answer.lastSeq).toBe(seq + 1);
    },
  );

  it('refuses a push of another version before its credentials or its shape are looked at', async () => {
    const before = await snapshot(t.db);
    // No credentials at all: another version may sign differently, and must hear "update", not "sign in".
    expectMismatch(await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION + 1, operations: [] }, {}));
    // A shape of another version (unknown fields, no operations): "update", not "your request is malformed".
    expectMismatch(await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION + 1, batches: [{}] }, t.kiosk));
    expect(await snapshot(t.db)).toBe(before);
    // The right version without credentials is what it always was.
    expect((await t.post('/api/v1/sync/push', { contractVersion: CONTRACT_VERSION, operations: [] }, {})).statusCode).toBe(401);
  });

  it.each(OTHER_VERSIONS)('refuses a pull under $label and answers one under the right version with it', async ({ fields }) => {
    const before = await snapshot(t.db);
    expectMismatch(await t.post('/api/v1/sync/pull', { ...fields, cardNos: [demoCardNo(1)] }, t.kiosk));
    expect(await snapshot(t.db)).toBe(before);
    const pulled = await t.post('/api/v1/sync/pull', { contractVersion: CONTRACT_VERSION, cardNos: [demoCardNo(1)] }, t.kiosk);
    expect(pulled.statusCode).toBe(200);
    const answer = PullResponse.parse(pulled.json());
    expect(answer.contractVersion).toBe(CONTRACT_VERSION);
    expect(answer.cards.map((c) => c.cardNo)).toEqual([demoCardNo(1)]);
  });

  it('reports the version it speaks where an app looks before enrolment, the same as on the wire', async () => {
    const info = await t.app.inject({ method: 'GET', url: '/api/v1/info' });
    expect(info.json().contractVersion).toBe(CONTRACT_VERSION);
  });
});
