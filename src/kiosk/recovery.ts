/**
 * Settling interrupted loads at a card's next contact (DESIGN.md decision 5, LEDGER.md recovery):
 * the local journal and the server's pending load for the card are each checked against the
 * card's online counter. Advanced: the load happened, GET TRANSACTION PROVE gives the TAC, and the
 * proof is queued for the server. Unchanged: it did not, and the counter is queued as the proof.
 * Nothing here voids a load on a timer: only the card's own answer settles it.
 */
import { getTransactionProve, initializeForLoad } from '../../ccid/fuelcard/card.ts';
import { TRANS_TYPE } from '../../ccid/crypto/index.ts';
import type { Transmit } from '../../ccid/fuelcard/transport.ts';
import type { DeviceDatabase } from '../lib/outbox/db.ts';
import type { KioskBackend, LoadSettlement, PendingLoad } from './backend.ts';

/** What each pending load turned out to be, by the card's word. */
export type RecoveredLoad = { loadId: string; amountFen: number; completed: boolean };
export type RecoveryReport = { completedFen: number; notDoneFen: number; loads: RecoveredLoad[] };

async function pendingFor(db: DeviceDatabase, cardNo: string, fromServer: PendingLoad | null): Promise<PendingLoad[]> {
  const local = await db.loadJournal.where('[cardNo+state]').equals([cardNo, 'credit-sent']).toArray();
  const loads: PendingLoad[] = local.map((r) => ({ loadId: r.loadId, onlineTtc: r.onlineTtc, amountFen: r.amountFen, terminalId: r.terminalId }));
  if (fromServer && !loads.some((l) => l.loadId === fromServer.loadId)) loads.push(fromServer);
  return loads;
}

/** The probe (amount 0 commits nothing, and a full purse cannot refuse it) and, if the counter moved, the proof. */
async function askCard(transmit: Transmit, cardNo: string, load: PendingLoad, terminalId: string): Promise<LoadSettlement> {
  const answer = await initializeForLoad(transmit, { keyIndex: 1, amountFen: 0, terminalId });
  const base = { kind: 'recover' as const, loadId: load.loadId, cardNo, onlineTtc: load.onlineTtc, probe: { amountFen: 0 as const, terminalId, answer } };
  if (answer.onlineTtc === load.onlineTtc) return base;
  const prove = await getTransactionProve(transmit, { transType: TRANS_TYPE.LOAD_ED, ttc: load.onlineTtc });
  return { ...base, prove };
}

export async function recoverLoads(options: {
  transmit: Transmit;
  db: DeviceDatabase;
  backend: KioskBackend;
  cardNo: string;
  fromServer: PendingLoad | null;
  /** This terminal's id, for the probe (any terminal may probe a card's counter). */
  terminalId: string;
  nowMs: number;
}): Promise<RecoveryReport> {
  const report: RecoveryReport = { completedFen: 0, notDoneFen: 0, loads: [] };
  for (const load of await pendingFor(options.db, options.cardNo, options.fromServer)) {
    const settlement = await askCard(options.transmit, options.cardNo, load, options.terminalId);
    await options.backend.settleLoad(settlement);
    const done = settlement.kind === 'recover' && settlement.prove !== undefined;
    if (done) report.completedFen += load.amountFen;
    else report.notDoneFen += load.amountFen;
    report.loads.push({ loadId: load.loadId, amountFen: load.amountFen, completed: done });
    const changes = { state: 'settled' as const, settledAtMs: options.nowMs, ...(done ? { tac: settlement.prove!.tac } : {}) };
    await options.db.loadJournal.where('loadId').equals(load.loadId).modify(changes);
  }
  return report;
}
