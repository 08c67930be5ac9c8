/**
 * The outbox: every operation for the server is written here, with its id and sequence number,
 * before it is sent for the first time (DESIGN.md decision 4), and leaves the queue only on the
 * server's answer: applied, or rejected for a business reason (which is an answer too and never
 * blocks what follows). A network failure leaves it queued for the next drain.
 *
 * Hazard: never await a network call inside a Dexie transaction (IndexedDB commits the moment
 * the transaction has no pending request). Each drain round reads a batch, closes the
 * transaction, sends, then records the answers in a new transaction.
 */
import { DeviceDatabase, type OutboxRecord } from './db.ts';
import { newOperationId } from './ids.ts';
import { OUTBOX_LIMITS } from './limits.ts';

export type PushOperation = { id: string; seq: number; type: string; payload: unknown };

/** The server's verdict on one operation, as the sync client maps it. */
export type PushVerdict =
  | { id: string; outcome: 'applied'; result: unknown }
  | { id: string; outcome: 'rejected'; code: string; result?: unknown }
  /** Not looked at (e.g. after a sequence gap or a transient server error): try again later. */
  | { id: string; outcome: 'retry' };

/** Sends a batch, in seq order; throws on a network failure. */
export type PushTransport = (deviceId: string, operations: PushOperation[]) => Promise<PushVerdict[]>;

export class OutboxError extends Error {
  readonly code: 'OUTBOX_CORRUPT' | 'OUTBOX_NOT_ENROLLED' | 'OUTBOX_FULL';
  constructor(code: OutboxError['code'], message: string) {
    super(message);
    this.name = 'OutboxError';
    this.code = code;
  }
}

const NEXT_SEQ_KEY = 'outbox.nextSeq';

export type DrainReport = { sentCount: number; appliedCount: number; rejectedCount: number; remainingCount: number; networkFailed: boolean };

export class Outbox {
  readonly db: DeviceDatabase;
  #draining: Promise<DrainReport> | null = null;

  constructor(db: DeviceDatabase) {
    this.db = db;
  }

  /** Writes the operation durably and returns it; the caller may send nothing itself. */
  async enqueue(type: string, payload: unknown, nowMs: number = Date.now()): Promise<OutboxRecord> {
    return this.db.transaction('rw', this.db.outbox, this.db.settings, async () => {
      const queued = await this.db.outbox.where('status').equals('queued').count();
      if (queued >= OUTBOX_LIMITS.queuedCountMax) throw new OutboxError('OUTBOX_FULL', `the outbox holds ${queued} unsent operations`);
      const next = (await this.db.settings.get(NEXT_SEQ_KEY))?.value ?? 1;
      if (typeof next !== 'number' || !Number.isSafeInteger(next) || next < 1) throw new OutboxError('OUTBOX_CORRUPT', 'bad next sequence number');
      const record: OutboxRecord = { id: newOperationId(nowMs), seq: next, type, payload, status: 'queued', attemptCount: 0, createdAtMs: nowMs };
      await this.db.outbox.add(record);
      await this.db.settings.put({ key: NEXT_SEQ_KEY, value: next + 1 });
      return record;
    });
  }

  queuedCount(): Promise<number> {
    return this.db.outbox.where('status').equals('queued').count();
  }

  get(id: string): Promise<OutboxRecord | undefined> {
    return this.db.outbox.get(id);
  }

  /** Sends everything queued, batch by batch, in seq order. Concurrent calls share one drain. */
  drain(deviceId: string, push: PushTransport): Promise<DrainReport> {
    this.#draining ??= this.#drainAll(deviceId, push).finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  async #drainAll(deviceId: string, push: PushTransport): Promise<DrainReport> {
    const report: DrainReport = { sentCount: 0, appliedCount: 0, rejectedCount: 0, remainingCount: 0, networkFailed: false };
    for (let round = 0; round < OUTBOX_LIMITS.drainRoundCountMax; round++) {
      const batch = await this.db.outbox.where('[status+seq]').between(['queued', 0], ['queued', Infinity]).limit(OUTBOX_LIMITS.pushBatchSizeMax).toArray();
      if (batch.length === 0) break;
      const nowMs = Date.now();
      await this.db.outbox.bulkUpdate(batch.map((r) => ({ key: r.id, changes: { attemptCount: r.attemptCount + 1, lastAttemptAtMs: nowMs } })));
      let verdicts: PushVerdict[];
      try {
        verdicts = await push(deviceId, batch.map(({ id, seq, type, payload }) => ({ id, seq, type, payload })));
      } catch {
        report.networkFailed = true;
        break;
      }
      report.sentCount += batch.length;
      const settled = await this.#record(batch, verdicts, report);
      if (settled === 0) break; // the server looked at nothing: try again on the next drain
    }
    report.remainingCount = await this.queuedCount();
    return report;
  }

  async #record(batch: OutboxRecord[], verdicts: PushVerdict[], report: DrainReport): Promise<number> {
    const byId = new Map(batch.map((r) => [r.id, r]));
    let settled = 0;
    await this.db.transaction('rw', this.db.outbox, async () => {
      const settledAtMs = Date.now();
      for (const verdict of verdicts) {
        // An answer for an operation we did not send is ignored: it cannot settle anything.
        if (!byId.has(verdict.id) || verdict.outcome === 'retry') continue;
        const changes: Partial<OutboxRecord> =
          verdict.outcome === 'applied'
            ? { status: 'applied', result: verdict.result, settledAtMs }
            : { status: 'rejected', errorCode: verdict.code, result: verdict.result, settledAtMs };
        await this.db.outbox.update(verdict.id, changes);
        if (verdict.outcome === 'applied') report.appliedCount++;
        else report.rejectedCount++;
        settled++;
      }
    });
    return settled;
  }

  /** Forgets settled operations older than the retention; queued ones are never pruned. */
  async prune(nowMs: number = Date.now()): Promise<number> {
    const cutoff = nowMs - OUTBOX_LIMITS.settledRetentionMs;
    return this.db.outbox.filter((r) => r.status !== 'queued' && (r.settledAtMs ?? nowMs) < cutoff).delete();
  }
}
