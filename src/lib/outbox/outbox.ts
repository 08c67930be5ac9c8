/**
 * The outbox: every operation for the server is written here, with its id and sequence number,
 * before it is sent for the first time (docs/architecture.md decision 4), and leaves the queue only
 * on the server's answer: applied, or rejected for a business reason (which is an answer too and
 * never blocks what follows). A network failure leaves it queued for the next drain.
 *
 * Hazard: never await a network call inside a Dexie transaction (IndexedDB commits the moment
 * the transaction has no pending request). Each drain round reads a batch, closes the
 * transaction, sends, then records the answers in a new transaction.
 *
 * A drain overlaps its local work with the server's: while a batch is on the wire the next one is
 * read, and while that next one is on the wire the answers to the first are written. Only one
 * push is ever in flight, so the server still sees the batches in seq order; an answer written
 * late only means the operations are sent again after a crash, which the server's ids make safe.
 */
import type { OperationPayload, OperationType } from '../../../server/contract/sync.ts';
import { DeviceDatabase, type OutboxRecord, type OutboxRecordOf } from '../device-db/database.ts';
import type { OperationMaker } from '../../../server/contract/maker.ts';
import type { MakerStamp } from '../sync/operation-maker.ts';
import { newOperationId } from './ids.ts';
import { OUTBOX_LIMITS } from './limits.ts';

/** An operation as the transport sends it: the contract's type, the payload its schema takes. */
export type PushOperation = {
  id: string;
  seq: number;
  type: OperationType;
  payload: OperationPayload<OperationType>;
  maker?: OperationMaker | undefined;
};

/** The server's verdict on one operation, as the sync client maps it. */
export type PushVerdict =
  | { id: string; outcome: 'applied'; result: unknown }
  | { id: string; outcome: 'rejected'; code: string; result?: unknown }
  /** Not looked at (e.g. after a sequence gap or a transient server error): try again later. */
  | { id: string; outcome: 'retry' };

/**
 * Sends a batch, in seq order; throws when the batch got no verdicts: a network failure, or a push
 * the server refused whole (credentials, a busy server, another contract version). A throw never
 * settles anything: the batch stays queued, and the drain reports what was thrown (`pushError`).
 */
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

export type DrainReport = {
  sentCount: number;
  appliedCount: number;
  rejectedCount: number;
  remainingCount: number;
  /** A push threw (no answer, or refused whole): the drain stopped there with its batch still queued. */
  networkFailed: boolean;
  /** What that push threw, for the caller to tell a dead link from a refusal (the sync loop stops for an update on a contract mismatch). */
  pushError?: unknown;
};

type Settlement = { updates: Array<{ key: string; changes: Partial<OutboxRecord> }>; appliedCount: number; rejectedCount: number };

/**
 * What a sent batch becomes: every operation counts the attempt, and those the server answered
 * are settled. The attempt is written with the answer rather than before the send, which saves a
 * second write per operation; a send cut short by the page dying is therefore not counted (no
 * decision depends on the count). An answer for an operation not in the batch is ignored (it
 * cannot settle anything), and of two answers for one id the first counts.
 */
function settlementOf(batch: readonly OutboxRecord[], verdicts: readonly PushVerdict[], attemptAtMs: number): Settlement {
  const answers = new Map<string, PushVerdict>();
  for (const verdict of verdicts) if (!answers.has(verdict.id)) answers.set(verdict.id, verdict);
  const settledAtMs = Date.now();
  const settlement: Settlement = { updates: [], appliedCount: 0, rejectedCount: 0 };
  for (const record of batch) {
    const changes: Partial<OutboxRecord> = { attemptCount: record.attemptCount + 1, lastAttemptAtMs: attemptAtMs };
    const verdict = answers.get(record.id);
    if (verdict?.outcome === 'applied') {
      Object.assign(changes, { status: 'applied', result: verdict.result, settledAtMs });
      settlement.appliedCount++;
    } else if (verdict?.outcome === 'rejected') {
      Object.assign(changes, { status: 'rejected', errorCode: verdict.code, result: verdict.result, settledAtMs });
      settlement.rejectedCount++;
    }
    settlement.updates.push({ key: record.id, changes });
  }
  return settlement;
}

export type OutboxOptions = {
  /**
   * The stamp of the operator signed in now (src/lib/sync/operation-maker.ts), or null: every
   * operation enqueued while there is one carries its maker, so the server books it to that
   * operator whoever's session sends it (docs/sync.md "The maker of an operation").
   */
  maker?: () => MakerStamp | null;
};

export class Outbox {
  readonly db: DeviceDatabase;
  readonly #maker: () => MakerStamp | null;
  #draining: Promise<DrainReport> | null = null;

  constructor(db: DeviceDatabase, options: OutboxOptions = {}) {
    this.db = db;
    this.#maker = options.maker ?? (() => null);
  }

  /**
   * Writes the operation durably and returns it; the caller may send nothing itself. The payload
   * is typed by the contract's schema for `type` (a wrong one fails the compiler); it is not
   * checked again here, so a queue write inside a caller's transaction never fails on shape.
   */
  async enqueue<T extends OperationType>(
    type: T,
    payload: OperationPayload<T>,
    nowMs: number = Date.now(),
    /** Made by someone other than the operator signed in (a supervisor's reversal at the clerk's tablet): that one's stamp. */
    makerOverride?: MakerStamp,
  ): Promise<OutboxRecordOf<T>> {
    // Stamped before the transaction: Web Crypto's promises are not IndexedDB's and would end it.
    const id = newOperationId(nowMs);
    const stamp = makerOverride ?? this.#maker();
    const maker = stamp ? await stamp({ id, type, payload }, nowMs) : undefined;
    return this.db.transaction('rw', this.db.outbox, this.db.settings, async () => {
      const queued = await this.db.outbox.where('status').equals('queued').count();
      if (queued >= OUTBOX_LIMITS.queuedCountMax) throw new OutboxError('OUTBOX_FULL', `the outbox holds ${queued} unsent operations`);
      const next = (await this.db.settings.get(NEXT_SEQ_KEY))?.value ?? 1;
      if (typeof next !== 'number' || !Number.isSafeInteger(next) || next < 1)
        throw new OutboxError('OUTBOX_CORRUPT', 'bad next sequence number');
      const record: OutboxRecordOf<T> = {
        id,
        seq: next,
        type,
        payload,
        status: 'queued',
        attemptCount: 0,
        createdAtMs: nowMs,
        ...(maker ? { maker } : {}),
      };
      // A record of one type T is one member of the union (TypeScript cannot see that for a generic T).
      await this.db.outbox.add(record as OutboxRecordOf<OperationType> as OutboxRecord);
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
    // The write of the previous batch's answers, left running while the next batch is sent.
    let writing: Promise<void> = Promise.resolve();
    try {
      let batch = await this.#queuedFrom(0);
      for (let round = 0; round < OUTBOX_LIMITS.drainRoundCountMax && batch.length > 0; round++) {
        const attemptAtMs = Date.now();
        const answer = push(
          deviceId,
          batch.map(({ id, seq, type, payload, maker }) => ({ id, seq, type, payload, ...(maker ? { maker } : {}) })),
        );
        // The next batch if this one is answered whole, read while the server works on this one.
        const afterSeq = batch.at(-1)!.seq + 1;
        const following = this.#queuedFrom(afterSeq);
        following.catch(() => undefined); // awaited only when used; its failure is seen there
        let verdicts: PushVerdict[];
        try {
          verdicts = await answer;
        } catch (error) {
          await writing;
          await this.#write(settlementOf(batch, [], attemptAtMs));
          report.networkFailed = true;
          report.pushError = error;
          break;
        }
        report.sentCount += batch.length;
        const settlement = settlementOf(batch, verdicts, attemptAtMs);
        report.appliedCount += settlement.appliedCount;
        report.rejectedCount += settlement.rejectedCount;
        await writing;
        writing = this.#write(settlement);
        writing.catch(() => undefined); // awaited before the next write and at the end
        const settledCount = settlement.appliedCount + settlement.rejectedCount;
        if (settledCount === batch.length) {
          batch = await following;
          // Read before this batch was answered: work queued since then must not wait for the next drain.
          if (batch.length === 0) batch = await this.#queuedFrom(afterSeq);
          continue;
        }
        if (settledCount === 0) break; // the server looked at nothing: try again on the next drain
        // Some were not looked at (after a gap): they go first in the next batch, once this one is written.
        await writing;
        batch = await this.#queuedFrom(batch[0]!.seq);
      }
    } finally {
      await writing;
    }
    report.remainingCount = await this.queuedCount();
    return report;
  }

  /**
   * Up to a batch of queued operations in seq order, from `fromSeq` on. Only enqueue adds to the
   * queue, always at a higher seq, so a drain never needs to look below the batch it last read:
   * the range starts there instead of scanning every settled record before it.
   */
  #queuedFrom(fromSeq: number): Promise<OutboxRecord[]> {
    return this.db.outbox
      .where('[status+seq]')
      .between(['queued', fromSeq], ['queued', Infinity])
      .limit(OUTBOX_LIMITS.pushBatchSizeMax)
      .toArray();
  }

  /** Writes a sent batch back in one bulk update, one write per operation. */
  async #write(settlement: Settlement): Promise<void> {
    const written = await this.db.outbox.bulkUpdate(settlement.updates);
    if (written !== settlement.updates.length)
      throw new OutboxError('OUTBOX_CORRUPT', `${settlement.updates.length - written} sent operations vanished from the outbox`);
  }

  /** Forgets settled operations older than the retention; queued ones are never pruned. */
  async prune(nowMs: number = Date.now()): Promise<number> {
    const cutoff = nowMs - OUTBOX_LIMITS.settledRetentionMs;
    return this.db.outbox.filter((r) => r.status !== 'queued' && (r.settledAtMs ?? nowMs) < cutoff).delete();
  }
}
