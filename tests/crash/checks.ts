/**
 * The crash test's final invariants, read from the database, the chips and the kiosks' IndexedDB
 * after healing. The simulation's checkers (tests/sim/checks.ts) do most of it: the ledger sound
 * (sums zero, figures equal their transfers, no account below zero where it may not go), no load
 * voided that a card applied, nothing pending, every chip transaction posted once with its amount
 * and nothing posted that no chip did, each chip's purse equal to its PURSE mirror, every outbox
 * record applied exactly once with the device's answer, every device drained. Added here:
 * - money kept: each customer's quota plus purse is what the quota opened with (loads only move it);
 * - no card counter posted twice, no transfer left pending;
 * - no kiosk journal still holding a load sent to its card.
 */
import type { Database } from '../../server/db/index.ts';
import type { OutboxRecord } from '../../src/lib/device-db/database.ts';
import type { SimChip } from '../sim/cards.ts';
import { checkEnd, checkOutboxes, type OutboxSighting, type Violation } from '../sim/checks.ts';
import type { CrashKiosk } from './kiosk.ts';

/** Every outbox record each kiosk was seen to hold, by device id. */
export type OutboxSightings = Map<string, Map<string, OutboxSighting>>;

async function checkMoneyKept(db: Database, quotaOpeningFen: number): Promise<Violation[]> {
  const rows = await db.query<{ customer_id: bigint; quota: bigint | null; purse: bigint | null }>(
    `SELECT c.id AS customer_id,
            sum(a.credits_posted - a.debits_posted) FILTER (WHERE a.code = 'QUOTA') AS quota,
            sum(a.credits_posted - a.debits_posted) FILTER (WHERE a.code = 'PURSE') AS purse
       FROM customer c JOIN account a ON a.customer_id = c.id
      WHERE c.name LIKE '崩溃测试客户%' GROUP BY c.id ORDER BY c.id`,
  );
  return rows.rows
    .filter((r) => Number(r.quota ?? 0n) + Number(r.purse ?? 0n) !== quotaOpeningFen)
    .map((r) => ({
      rule: 'money.not_kept',
      detail: `customer ${r.customer_id}: quota ${r.quota} + purse ${r.purse} ≠ ${quotaOpeningFen} opened`,
    }));
}

async function checkNothingTwice(db: Database): Promise<Violation[]> {
  const twice = await db.query<{ card_no: string; online_ttc: number; n: bigint }>(
    "SELECT card_no, online_ttc, count(*) AS n FROM card_load WHERE state = 'posted' GROUP BY card_no, online_ttc HAVING count(*) > 1",
  );
  const pending = await db.query<{ n: bigint }>("SELECT count(*) AS n FROM transfer WHERE state = 'pending'");
  return [
    ...twice.rows.map((r) => ({ rule: 'load.posted_twice', detail: `card ${r.card_no} counter ${r.online_ttc} posted ${r.n} times` })),
    ...(pending.rows[0]!.n > 0n
      ? [{ rule: 'transfer.still_pending', detail: `${pending.rows[0]!.n} transfer(s) pending after healing` }]
      : []),
  ];
}

async function checkJournals(kiosks: readonly CrashKiosk[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const k of kiosks) {
    for (const j of await k.db.loadJournal.filter((r) => r.state === 'credit-sent').toArray()) {
      violations.push({
        rule: 'kiosk.load_unsettled',
        detail: `${k.device.id} still holds load ${j.loadId} of card ${j.cardNo} at counter ${j.onlineTtc} as sent to the card`,
      });
    }
  }
  return violations;
}

export async function finalChecks(options: {
  db: Database;
  chips: ReadonlyMap<string, SimChip>;
  kiosks: readonly CrashKiosk[];
  sightings: OutboxSightings;
  quotaOpeningFen: number;
}): Promise<Violation[]> {
  const { db, chips, kiosks } = options;
  const devices: Array<{ deviceId: string; records: OutboxRecord[]; seen: ReadonlyMap<string, OutboxSighting> }> = [];
  for (const k of kiosks)
    devices.push({
      deviceId: k.device.id,
      records: await k.outbox.db.outbox.toArray(),
      seen: options.sightings.get(k.device.id) ?? new Map(),
    });
  return [
    ...(await checkEnd(db, chips)),
    ...(await checkOutboxes(db, devices)),
    ...(await checkMoneyKept(db, options.quotaOpeningFen)),
    ...(await checkNothingTwice(db)),
    ...(await checkJournals(kiosks)),
  ];
}
