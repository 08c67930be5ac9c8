/**
 * Drains the outbox to the server: at start, when the browser says the link is back, every
 * interval, and whenever new work is queued (kick). Failures leave the work queued for the next
 * round; the outbox's ids make every retry safe. Exposes the queue length for the status bar.
 */
import { writable, type Readable } from 'svelte/store';
import type { DrainReport, Outbox, PushTransport } from '../outbox/outbox.ts';

export const SYNC_INTERVAL_MS = 30_000;

export class SyncLoop {
  readonly #outbox: Outbox;
  readonly #push: PushTransport;
  readonly #deviceId: () => string | null;
  readonly #queued = writable(0);
  readonly queued: Readable<number> = this.#queued;
  readonly #listeners = new Set<(report: DrainReport) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: { outbox: Outbox; push: PushTransport; deviceId: () => string | null }) {
    this.#outbox = options.outbox;
    this.#push = options.push;
    this.#deviceId = options.deviceId;
  }

  start(target: Pick<Window, 'addEventListener'> | null, intervalMs = SYNC_INTERVAL_MS): void {
    target?.addEventListener('online', () => this.kick());
    this.#timer = setInterval(() => this.kick(), intervalMs);
    this.kick();
  }

  stop(): void {
    clearInterval(this.#timer);
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
    for (const listener of this.#listeners) listener(report);
    return report;
  }

  /** After enqueueing outside the loop: refresh the count and send. */
  async queuedChanged(): Promise<void> {
    this.#queued.set(await this.#outbox.queuedCount());
    this.kick();
  }
}
