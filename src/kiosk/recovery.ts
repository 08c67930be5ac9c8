/**
 * Settling interrupted loads at a card's next contact (DESIGN.md decision 5, LEDGER.md recovery):
 * the local journal and the server's pending load for the card are each checked against the
 * card's online counter. Advanced: the load happened, GET TRANSACTION PROVE gives the TAC, and the
 * proof is queued for the server. Unchanged: it did not, and the counter is queued as the proof.
 * Nothing here voids a load on a timer: only the card's own answer settles it.
 */
import { recoverOnline } from '../../ccid/fuelcard/load.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { DeviceDatabase } from '../lib/outbox/db.ts';
import type { KioskBackend, PendingLoad } from './backend.ts';

export type RecoveryReport = { completedFen: number; notDoneFen: number };

async function pendingFor(db: DeviceDatabase, cardNo: string, fromServer: PendingLoad | null): Promise<PendingLoad[]> {
  const local = await db.loadJournal.where('[cardNo+state]').equals([cardNo, 'credit-sent']).toArray();
  const loads: PendingLoad[] = local.map((r) => ({ loadId: r.loadId, onlineTtc: r.onlineTtc, amountFen: r.amountFen, terminalId: r.terminalId }));
  if (fromServer && !loads.some((l) => l.loadId === fromServer.loadId)) loads.push(fromServer);
  return loads;
}

export async function recoverLoads(options: {
  transmit: Transmit;
  db: DeviceDatabase;
  backend: KioskBackend;
  cardNo: string;
  fromServer: PendingLoad | null;
  nowMs: number;
}): Promise<RecoveryReport> {
  const report: RecoveryReport = { completedFen: 0, notDoneFen: 0 };
  for (const load of await pendingFor(options.db, options.cardNo, options.fromServer)) {
    const outcome = await recoverOnline(options.transmit, {
      transType: TRANS_TYPE.LOAD_ED,
      onlineTtc: load.onlineTtc,
      terminalId: load.terminalId,
      // The probe commits nothing; amount 0 keeps a full purse or the limit from refusing it.
      amountFen: 0,
    });
    const base = { loadId: load.loadId, cardNo: options.cardNo, onlineTtc: load.onlineTtc };
    if (outcome.outcome === 'COMPLETED') {
      await options.backend.settleLoad({ kind: 'completed', ...base, tac: outcome.tac });
      report.completedFen += load.amountFen;
    } else {
      await options.backend.settleLoad({ kind: 'not-done', ...base });
      report.notDoneFen += load.amountFen;
    }
    await options.db.loadJournal.where('loadId').equals(load.loadId).modify({ state: 'settled', settledAtMs: options.nowMs, ...(outcome.outcome === 'COMPLETED' ? { tac: outcome.tac } : {}) });
  }
  return report;
}
