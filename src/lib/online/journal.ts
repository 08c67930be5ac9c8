/**
 * The device's journal of online transactions between MAC2 and the card's proof (docs/ledger.md "A
 * load, step by step", step 4), loads (kiosk) and unloads (outlet tablet) in one Dexie table
 * (src/lib/device-db/database.ts `loadJournal`), so that one recovery at the card's next insertion finds
 * both, as the server keeps both in one table (card_load) and settles both from the card's online
 * counter.
 *
 * Entries without a `kind` are loads (kiosks wrote them before unloads existed). The state names
 * are the load journal's: 'credit-sent' means "the card write (CREDIT FOR LOAD or DEBIT FOR
 * UNLOAD) may have been sent", written before the write goes out.
 */
import type { DeviceDatabase, LoadJournalRecord } from '../device-db/database.ts';

export type OnlineKind = NonNullable<LoadJournalRecord['kind']>;

/** How many open entries one card may have at one insertion; more means a corrupt journal. */
export const JOURNAL_OPEN_ENTRY_COUNT_MAX = 32;

export type OnlineJournalRecord = LoadJournalRecord & {
  /** An unload's destination account (the tablet's receipt and log). */
  destination?: 'QUOTA' | 'RESERVE';
  /** The unload initialise's operation id (the server's idempotency key). */
  operationId?: string;
  balanceFenBefore?: number;
};

export const JOURNAL_STATE = { CARD_WRITE_SENT: 'credit-sent', SETTLED: 'settled' } as const satisfies Record<
  string,
  LoadJournalRecord['state']
>;

/** A broken invariant of the journal: a programmer error or a corrupt database, never the world's. */
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function kindOf(record: LoadJournalRecord): OnlineKind {
  return record.kind ?? 'load';
}

type EntryOf<K extends keyof OnlineJournalRecord> = Required<Pick<OnlineJournalRecord, K>>;

/** Written before CREDIT FOR LOAD is sent: from then on the card may hold the load. */
export async function journalLoad(
  db: DeviceDatabase,
  entry: EntryOf<'loadId' | 'cardNo' | 'onlineTtc' | 'amountFen' | 'terminalId' | 'probeChallenge' | 'createdAtMs'>,
): Promise<void> {
  assert(Number.isSafeInteger(entry.amountFen) && entry.amountFen > 0, 'a load journal entry has a positive amount');
  await db.loadJournal.put({ ...entry, kind: 'load', state: JOURNAL_STATE.CARD_WRITE_SENT });
}

/** Written before DEBIT FOR UNLOAD is sent: from then on the card may hold the unload. */
export async function journalUnload(
  db: DeviceDatabase,
  entry: EntryOf<
    | 'loadId'
    | 'cardNo'
    | 'onlineTtc'
    | 'amountFen'
    | 'terminalId'
    | 'probeChallenge'
    | 'destination'
    | 'operationId'
    | 'balanceFenBefore'
    | 'createdAtMs'
  >,
): Promise<void> {
  assert(Number.isSafeInteger(entry.amountFen) && entry.amountFen > 0, 'an unload journal entry has a positive amount');
  assert(entry.amountFen <= entry.balanceFenBefore, 'an unload journal entry takes no more than the purse held');
  const record: OnlineJournalRecord = { ...entry, kind: 'unload', state: JOURNAL_STATE.CARD_WRITE_SENT };
  await db.loadJournal.put(record);
}

/** The card's entries whose outcome the card has not told yet, oldest first. */
export async function openEntries(db: DeviceDatabase, cardNo: string): Promise<OnlineJournalRecord[]> {
  const found: OnlineJournalRecord[] = await db.loadJournal
    .where('[cardNo+state]')
    .equals([cardNo, JOURNAL_STATE.CARD_WRITE_SENT])
    .toArray();
  assert(found.length <= JOURNAL_OPEN_ENTRY_COUNT_MAX, `at most ${JOURNAL_OPEN_ENTRY_COUNT_MAX} open journal entries per card`);
  return found.sort((a, b) => a.onlineTtc - b.onlineTtc || a.createdAtMs - b.createdAtMs);
}

/** Closes an entry; `proof` is the card's TAC or MAC3 when it gave one. */
export async function markSettled(db: DeviceDatabase, loadId: string, nowMs: number, proof?: string): Promise<void> {
  const changed = await db.loadJournal
    .where('loadId')
    .equals(loadId)
    .modify({ state: JOURNAL_STATE.SETTLED, settledAtMs: nowMs, ...(proof === undefined ? {} : { tac: proof }) });
  assert(changed === 1, `journal entry ${loadId} exists once`);
}
