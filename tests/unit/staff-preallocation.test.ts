import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSound, openTestApp, type TestApp } from '../../server/testing/app.ts';
import { allocatableCards, balancesOf, mainCardOf, preallocate } from '../../src/staff/preallocation.ts';
import { staffRig, type Rig } from '../../src/staff/testing/rig.ts';

const SETUP_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 30_000;

/**
 * Pre-allocation at the outlet tablet (src/staff/preallocation.ts) against the real server on
 * PGlite and the demo seed's unit 演示物流有限公司: its cards' reserves and purse mirrors read as the
 * screen shows them, one `preallocation` moving quota to two cards' reserves once, and the server's
 * refusals (more than the quota; a card of another customer) changing nothing.
 */
describe('pre-allocation 额度预分配 at the outlet tablet, against the real server', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let rig: Rig;
  let unitId: string;

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t);
    const found = await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示物流有限公司'");
    unitId = String(found.rows[0]!.id);
  }, SETUP_TIMEOUT_MS);
  afterEach(async () => expectSound(t.db));
  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  const queue = () => ({ outbox: rig.outbox, sync: rig.sync });

  it('moves quota to the chosen cards’ reserves once, and the balances show it', async () => {
    const detail = await rig.api.call('customerDetail', { params: { id: unitId } });
    const cards = allocatableCards(detail);
    expect(cards[0]).toBe(mainCardOf(detail));
    expect(cards.length).toBeGreaterThanOrEqual(2);
    const before = await balancesOf(rig.backend, cards);
    const quota = before[0]!.quotaFen!;
    expect(quota).toBeGreaterThanOrEqual(3_000);
    const outcome = await preallocate(queue(), unitId, [
      { cardNo: cards[0]!, amountFen: 1_000 },
      { cardNo: cards[1]!, amountFen: 2_000 },
    ]);
    expect(outcome.kind).toBe('applied');
    const after = await balancesOf(rig.backend, cards);
    expect(after[0]!.reserveFen).toBe(before[0]!.reserveFen! + 1_000);
    expect(after[1]!.reserveFen).toBe(before[1]!.reserveFen! + 2_000);
    expect(after[0]!.quotaFen).toBe(quota - 3_000);
  });

  it('more than the quota, or a card of another customer, is refused and changes nothing', async () => {
    const detail = await rig.api.call('customerDetail', { params: { id: unitId } });
    const cards = allocatableCards(detail);
    const before = await balancesOf(rig.backend, cards);
    const tooMuch = await preallocate(queue(), unitId, [{ cardNo: cards[1]!, amountFen: before[0]!.quotaFen! + 1 }]);
    expect(tooMuch).toMatchObject({ kind: 'rejected' });
    const other = await t.db.query<{ card_no: string }>(
      "SELECT card_no FROM card WHERE customer_id IS NOT NULL AND customer_id <> $1 AND state = 'active' LIMIT 1",
      [unitId],
    );
    const foreign = await preallocate(queue(), unitId, [{ cardNo: other.rows[0]!.card_no, amountFen: 100 }]);
    expect(foreign).toMatchObject({ kind: 'rejected', code: 'SOURCE_ACCOUNT_INVALID' });
    expect(await balancesOf(rig.backend, cards)).toEqual(before);
  });

  it('an empty or non-positive allocation is refused before anything is queued', async () => {
    await expect(preallocate(queue(), unitId, [])).rejects.toMatchObject({ code: 'AMOUNT_INVALID' });
    await expect(preallocate(queue(), unitId, [{ cardNo: '1'.repeat(20), amountFen: 0 }])).rejects.toMatchObject({
      code: 'AMOUNT_INVALID',
    });
  });
});
