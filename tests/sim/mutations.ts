/**
 * Bugs the simulation must catch, planted by the harness (never in product code): each stands for
 * a mistake a server or client could make, applied from outside through the database or the
 * device's IndexedDB at the moment the mistake would strike.
 * - `double-confirmation`: a load's confirmation (TAC) posts its money a second time;
 * - `void-on-timer`: a sweeper voids loads that stayed pending for a few minutes;
 * - `lost-outbox-entry`: a reload loses the newest queued outbox entry (a write that was not durable);
 * - `stale-probe-voids`: a recovery whose probe shows the pending counter voids the load though the
 *   probe is not fresh (taken before the MAC2, so the card may have taken the load since): the hole
 *   an outside review made money through, which only the adversary (adversary.ts) sends.
 */
import 'fake-indexeddb/auto';
import type { Database } from '../../server/db/index.ts';
import { createTransfers, resolvePending } from '../../server/ledger/transfers.ts';
import { DeviceDatabase } from '../../src/lib/device-db/database.ts';

export const MUTATIONS = ['double-confirmation', 'void-on-timer', 'lost-outbox-entry', 'stale-probe-voids'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** How long the planted sweeper lets a load stay pending. */
export const VOID_TIMER_MS = 60_000;

/** Posts a completed load's money again (the `double-confirmation` bug). */
export async function postLoadAgain(db: Database, loadId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const found = await tx.query<{ account_id: bigint; amount_fen: bigint; card_no: string; kind: string }>(
      'SELECT account_id, amount_fen, card_no, kind FROM card_load WHERE id = $1',
      [loadId],
    );
    const load = found.rows[0];
    if (!load || load.kind !== 'load') return;
    const purse = await tx.query<{ id: bigint }>("SELECT id FROM account WHERE code = 'PURSE' AND card_no = $1", [load.card_no]);
    await createTransfers(tx, [
      { debitAccountId: load.account_id, creditAccountId: purse.rows[0]!.id, amountFen: load.amount_fen, code: 'LOAD' },
    ]);
  });
}

/** Voids every pending load first seen before `cutoffMs` (the `void-on-timer` bug). */
export async function voidOldPendingLoads(db: Database, firstSeenMs: ReadonlyMap<string, number>, cutoffMs: number): Promise<string[]> {
  const pending = await db.query<{ id: string; transfer_id: string }>("SELECT id, transfer_id FROM card_load WHERE state = 'pending'");
  const voided: string[] = [];
  for (const l of pending.rows) {
    if ((firstSeenMs.get(l.id) ?? Infinity) > cutoffMs) continue;
    await db.transaction(async (tx) => {
      await resolvePending(tx, l.transfer_id, 'void');
      await tx.query("UPDATE card_load SET state = 'voided', settled_by = 'counter_unchanged', settled_at = now() WHERE id = $1", [l.id]);
    });
    voided.push(l.id);
  }
  return voided;
}

/**
 * Voids the card's pending load or unload, as the server did before a void needed a fresh probe
 * (the `stale-probe-voids` bug): applied when the server refuses a probe with PROBE_NOT_FRESH.
 */
export async function voidPendingOf(db: Database, cardNo: string): Promise<string | null> {
  return db.transaction(async (tx) => {
    const pending = await tx.query<{ id: string; transfer_id: string }>(
      "SELECT id, transfer_id FROM card_load WHERE card_no = $1 AND state = 'pending'",
      [cardNo],
    );
    const load = pending.rows[0];
    if (!load) return null;
    await resolvePending(tx, load.transfer_id, 'void');
    await tx.query("UPDATE card_load SET state = 'voided', settled_by = 'counter_unchanged', settled_at = now() WHERE id = $1", [load.id]);
    await tx.query('UPDATE card SET pending_load_id = NULL WHERE card_no = $1 AND pending_load_id = $2', [cardNo, load.id]);
    return load.id;
  });
}

/** The cards whose recovery the server just refused as not fresh (a delivery's answer): where `stale-probe-voids` strikes. */
export function staleProbeRefusals(path: string, body: unknown, answer: unknown): string[] {
  if (path.endsWith('/loads/recover')) {
    const code = (answer as { error?: { code?: string } } | null)?.error?.code;
    return code === 'PROBE_NOT_FRESH' ? [(body as { cardNo: string }).cardNo] : [];
  }
  if (!path.endsWith('/sync/push')) return [];
  const ops = (body as { operations: Array<{ id: string; type: string; payload: { cardNo?: string } }> }).operations;
  const results = (answer as { results?: Array<{ id: string; status: string; error?: { code: string } }> } | null)?.results ?? [];
  return results.flatMap((r) => {
    const op = ops.find((o) => o.id === r.id);
    return op?.type === 'load.recover' && r.status === 'rejected' && r.error?.code === 'PROBE_NOT_FRESH' && op.payload.cardNo
      ? [op.payload.cardNo]
      : [];
  });
}

/** Deletes the newest queued outbox entry of a device's database (the `lost-outbox-entry` bug). */
export async function loseNewestQueued(dbName: string): Promise<string | null> {
  const db = new DeviceDatabase(dbName);
  try {
    const newest = await db.outbox.where('[status+seq]').between(['queued', 0], ['queued', Infinity]).last();
    if (!newest) return null;
    await db.outbox.delete(newest.id);
    return `${newest.type} seq ${newest.seq}`;
  } finally {
    db.close();
  }
}
