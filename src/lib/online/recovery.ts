/**
 * Settling interrupted online transactions at a card's next contact, at a kiosk or an outlet
 * tablet alike (docs/architecture.md decision 5, docs/ledger.md "Recovery"): the device's journal
 * and the server's pending transaction of the card are each checked against the card's online
 * counter, which loads and unloads share. Unchanged: it did not happen, and the counter is queued
 * as the proof. Advanced: it happened, and GET TRANSACTION PROVE, asked with the transaction's own
 * type (02 ED load, 03 unload), gives its TAC or MAC3 for the server to verify.
 *
 * The probe carries the transaction's challenge (drawn by the server with the MAC2, kept in the
 * journal and given in the server's view) as its terminal id: only such a probe can show the
 * server that the card had not taken the transaction AFTER the MAC2 existed (server/loads/online.ts
 * isFreshProbe). Without a challenge (an entry written before challenges, offline) an unchanged
 * counter proves nothing: the entry stays open for a contact when the server can be asked.
 *
 * A proof the card no longer holds (a later online transaction replaced it: 9406) is not a
 * failure: the moved counter alone lets the server post (settled by 'counter_advanced'), and a
 * recovery for a transaction the server already settled changes nothing there.
 *
 * A journal entry the server, asked just now, no longer holds as pending was settled elsewhere,
 * on the card's word at another terminal (which told the customer): it is closed without asking
 * the card. Asking would mislead: once another terminal's transaction took the same counter (this
 * one voided there, the next one made at its counter), the card's proof for that counter is the
 * other transaction's. Nothing here voids anything on a timer: only the card's own answer settles
 * a transaction.
 */
import { probeOnline } from '../../../ccid/fuelcard/load.ts';
import { TRANS_TYPE } from '../../../ccid/crypto/index.ts';
import type { Transmit } from '../../../ccid/fuelcard/transport.ts';
import type { DeviceDatabase } from '../device-db/database.ts';
import { kindOf, markSettled, openEntries } from './journal.ts';
import type { OnlineKind, ProofSink, RecoverSettlement } from './port.ts';

export type { OnlineKind, RecoverSettlement };

/** A load or unload whose outcome only the card can tell, from the device's journal or the server. */
export type PendingOnline = {
  loadId: string;
  kind: OnlineKind;
  onlineTtc: number;
  amountFen: number;
  /** The server's challenge for a probe of this transaction; null when this device does not know it. */
  probeChallenge: string | null;
};

/** What one pending transaction turned out to be, by the card's word. */
export type RecoveredTransaction = PendingOnline & {
  /** The card's counter moved past the transaction's: it happened. */
  completed: boolean;
  /** The card still held its proof (TAC or MAC3), sent along. */
  proven: boolean;
};
export type RecoveryReport = {
  /** What the card settled here, by its own word. */
  transactions: RecoveredTransaction[];
  /** Journal entries closed because the server had settled them elsewhere (their outcome is not this device's to tell). */
  settledElsewhere: PendingOnline[];
  /** Not taken by the card, but with no challenge to prove it by: left open for a contact when the server can be asked. */
  unproven: PendingOnline[];
};

const PROVE_TYPE: Record<OnlineKind, number> = { load: TRANS_TYPE.LOAD_ED, unload: TRANS_TYPE.UNLOAD };

/** The server's answer, just read: its pending transaction of the card, or null when it holds none. */
export type ServerView = { pending: PendingOnline | null };

type Pending = PendingOnline & { journaled: boolean };

/** The card's open transactions: the journal's (minus those the server settled elsewhere) and the server's. */
async function pendingFor(
  db: DeviceDatabase,
  cardNo: string,
  server: ServerView | null,
): Promise<{ toAsk: Pending[]; settledElsewhere: PendingOnline[] }> {
  const fromServer = server?.pending ?? null;
  const toAsk: Pending[] = [];
  const settledElsewhere: PendingOnline[] = [];
  for (const r of await openEntries(db, cardNo)) {
    const fromServerHere = fromServer?.loadId === r.loadId ? fromServer.probeChallenge : null;
    const entry = {
      loadId: r.loadId,
      kind: kindOf(r),
      onlineTtc: r.onlineTtc,
      amountFen: r.amountFen,
      probeChallenge: r.probeChallenge ?? fromServerHere,
    };
    // Written only after the server made the transaction pending: if it no longer is, it was settled.
    if (server && fromServer?.loadId !== r.loadId) settledElsewhere.push(entry);
    else toAsk.push({ ...entry, journaled: true });
  }
  if (fromServer && !toAsk.some((p) => p.loadId === fromServer.loadId)) {
    const { loadId, kind, onlineTtc, amountFen, probeChallenge } = fromServer;
    toAsk.push({ loadId, kind, onlineTtc, amountFen, probeChallenge, journaled: false });
  }
  return { toAsk, settledElsewhere };
}

/**
 * The card's word on one pending transaction, by the one probe rule (ccid/fuelcard probeOnline;
 * its terminal id is the transaction's challenge when known). Null settlement: the counter did not
 * move and there was no challenge, so there is nothing the server could act on.
 */
async function askCard(
  transmit: Transmit,
  cardNo: string,
  pending: PendingOnline,
  ownTerminalId: string,
): Promise<{ settlement: RecoverSettlement | null; completed: boolean; proven: boolean }> {
  const found = await probeOnline(transmit, {
    transType: PROVE_TYPE[pending.kind],
    onlineTtc: pending.onlineTtc,
    terminalId: pending.probeChallenge ?? ownTerminalId,
  });
  const settlement: RecoverSettlement = {
    kind: 'recover',
    loadId: pending.loadId,
    cardNo,
    onlineTtc: pending.onlineTtc,
    probe: found.probe,
    ...(found.prove ? { prove: found.prove } : {}),
  };
  // A counter below the transaction's cannot come from this card's genuine history: the server
  // refuses it (COUNTER_STALE) and the transaction stays pending there for a later contact.
  if (!found.completed) return { settlement: pending.probeChallenge === null ? null : settlement, completed: false, proven: false };
  return { settlement, completed: true, proven: found.prove !== null };
}

export async function settleFromCard(options: {
  transmit: Transmit;
  db: DeviceDatabase;
  backend: ProofSink;
  cardNo: string;
  /** The server's view of the card, read just now; null when it was not asked (offline, or mid-transaction). */
  server: ServerView | null;
  /** This terminal's id, for the probe (any terminal may probe a card's counter). */
  terminalId: string;
  nowMs: number;
}): Promise<RecoveryReport> {
  const { db, backend } = options;
  const { toAsk, settledElsewhere } = await pendingFor(db, options.cardNo, options.server);
  if (settledElsewhere.length > 0) {
    await db.transaction('rw', db.loadJournal, async () => {
      for (const entry of settledElsewhere) await markSettled(db, entry.loadId, options.nowMs);
    });
  }
  const report: RecoveryReport = { transactions: [], settledElsewhere, unproven: [] };
  for (const pending of toAsk) {
    const { settlement, completed, proven } = await askCard(options.transmit, options.cardNo, pending, options.terminalId);
    const { journaled: _journaled, ...transaction } = pending;
    if (settlement === null) {
      report.unproven.push(transaction);
      continue;
    }
    // The settlement and the journal's end in one transaction: a crash leaves both or neither.
    await db.transaction('rw', [db.outbox, db.settings, db.loadJournal], async () => {
      await backend.queue(settlement);
      if (pending.journaled) await markSettled(db, pending.loadId, options.nowMs, settlement.prove?.tac);
    });
    report.transactions.push({ ...transaction, completed, proven });
  }
  if (report.transactions.length > 0) await backend.send();
  return report;
}
