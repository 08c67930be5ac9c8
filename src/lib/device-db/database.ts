/**
 * The device's IndexedDB (Dexie): the outbox of operations for the server, the device's own
 * settings (id, credentials, next sequence number), the in-flight load journal and the cache of
 * account data for offline inquiry. One database per browser profile; a kiosk or tablet is one
 * device.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { OperationMaker } from '../../../server/contract/maker.ts';
import type { OperationPayload, OperationType } from '../../../server/contract/sync.ts';

export type OutboxStatus = 'queued' | 'applied' | 'rejected';

/**
 * One queued operation of type T, its payload typed by the contract (server/contract/sync.ts
 * OPERATION_PAYLOADS). The types hold for what this app writes; a record is not checked again
 * when read (the server checks every payload it is sent).
 */
export type OutboxRecordOf<T extends OperationType> = {
  /** Device-made operation id (UUID v7), the server's idempotency key. */
  id: string;
  /** Dense per-device sequence number, from 1. */
  seq: number;
  type: T;
  payload: OperationPayload<T>;
  status: OutboxStatus;
  /** The server's answer once applied or rejected (business failure). */
  result?: unknown;
  errorCode?: string;
  attemptCount: number;
  lastAttemptAtMs?: number;
  createdAtMs: number;
  settledAtMs?: number;
  /** Who made it: the operator's session it was queued under, with its proof (src/lib/sync/operation-maker.ts); none on a kiosk. */
  maker?: OperationMaker;
};

/** Any queued operation: the union over the contract's operation types, told apart by `type`. */
export type OutboxRecord = { [T in OperationType]: OutboxRecordOf<T> }[OperationType];

export type SettingRecord = { key: string; value: unknown };

/**
 * A load (or an outlet tablet's unload) between MAC2 and the card's proof. Written before CREDIT
 * FOR LOAD (DEBIT FOR UNLOAD) is sent and updated with the TAC (MAC3) right after, so a
 * transaction interrupted by a pulled card, a crash or a reload is settled from the card's counter
 * at its next insertion (docs/ledger.md "A load, step by step", step 4; src/lib/online).
 */
export type LoadJournalRecord = {
  loadId: string;
  /** Absent on entries written before unloads existed: those are loads. Not indexed. */
  kind?: 'load' | 'unload';
  cardNo: string;
  onlineTtc: number;
  amountFen: number;
  terminalId: string;
  /**
   * The server's challenge for a recovery probe (the terminal id the probe carries), given with
   * the MAC2; absent on entries written before challenges existed. Not indexed.
   */
  probeChallenge?: string;
  state: 'credit-sent' | 'settled';
  tac?: string;
  createdAtMs: number;
  settledAtMs?: number;
};

/** Account facts last seen online, shown with their age when offline. */
export type AccountCacheRecord = { cardNo: string; view: unknown; fetchedAtMs: number };

export class DeviceDatabase extends Dexie {
  outbox!: EntityTable<OutboxRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  loadJournal!: EntityTable<LoadJournalRecord, 'loadId'>;
  accountCache!: EntityTable<AccountCacheRecord, 'cardNo'>;

  constructor(name = 'fuelcard-device') {
    super(name);
    this.version(1).stores({
      outbox: 'id, &seq, status, [status+seq]',
      settings: 'key',
    });
    this.version(2).stores({
      loadJournal: 'loadId, [cardNo+state]',
      accountCache: 'cardNo',
    });
  }
}
