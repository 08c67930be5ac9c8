/**
 * Drains the outbox to the server: at start, when the browser says the link is back, every
 * interval, and whenever new work is queued (kick). Failures leave the work queued for the next
 * round; the outbox's ids make every retry safe. Exposes the queue length for the status bar.
 */
import { writable, type Readable } from 'svelte/store';
import type { DrainReport, Outbox, PushTransport } from '../outbox/outbox.ts';

export const SYNC_INTERVAL_MS = 30_000;
/** After a failed drain, retry sooner than the interval: 2 s, doubling, capped at the interval. */
export const SYNC_RETRY_FIRST_MS = 2_000;

export class SyncLoop {
  readonly #outbox: Outbox;
  readonly #push: PushTransport;
  readonly #deviceId: () => string | null;
  readonly #queued = writable(0);
  readonly queued: Readable<number> = this.#queued;
  readonly #listeners = new Set<(report: DrainReport) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = SYNC_RETRY_FIRST_MS;
  #intervalMs = SYNC_INTERVAL_MS;

  constructor(options: { outbox: Outbox; push: PushTransport; deviceId: () => string | null }) {
    this.#outbox = options.outbox;
    this.#push = options.push;
    this.#deviceId = options.deviceId;
  }

  start(target: Pick<Window, 'addEventListener'> | null, intervalMs = SYNC_INTERVAL_MS): void {
    this.#intervalMs = intervalMs;
    target?.addEventListener('online', () => this.kick());
    this.#timer = setInterval(() => this.kick(), intervalMs);
    this.kick();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#retryTimer);
  }

  /** A failed drain is retried after a growing delay; a good one resets it. */
  #scheduleRetry(failed: boolean): void {
    clearTimeout(this.#retryTimer);
    if (!failed) {
      this.#retryMs = SYNC_RETRY_FIRST_MS;
      return;
    }
    this.#retryTimer = setTimeout(() => this.kick(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, this.#intervalMs);
  }

  /** Called after each drain with what it did. */
  onDrained(listener: (report: DrainReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  kick(): void {
    void this.drain();
  }

  async drain(): Promise<DrainReport | null> {
    const deviceId = this.#deviceId();
    if (deviceId === null) {
      this.#queued.set(await this.#outbox.queuedCount());
      return null;
    }
    // The count first: a drain can take a long time (a slow or dead server), and the status bar
    // must not say "nothing queued" meanwhile, as it did after every reload.
    this.#queued.set(await this.#outbox.queuedCount());
    const report = await this.#outbox.drain(deviceId, this.#push);
    this.#queued.set(report.remainingCount);
    this.#scheduleRetry(report.networkFailed && report.remainingCount > 0);
    for (const listener of this.#listeners) listener(report);
    return report;
  }

  /** After enqueueing outside the loop: refresh the count and send. */
  async queuedChanged(): Promise<void> {
    this.#queued.set(await this.#outbox.queuedCount());
    this.kick();
  }
}
