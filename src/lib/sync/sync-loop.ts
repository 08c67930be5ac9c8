/**
 * Drains the outbox to the server: at start, when the browser says the link is back, every
 * interval, and whenever new work is queued (kick). Failures leave the work queued for the next
 * round; the outbox's ids make every retry safe. Exposes the queue length for the status bar.
 *
 * A contract mismatch (the server refused this app's CONTRACT_VERSION, or answered under another,
 * server/contract/version.ts) is not a failure to retry: no later push of this app can succeed.
 * The loop stops in the `update-required` state, which the status bar shows as "update first",
 * and sends nothing more; the queue stays as it is (the server looked at none of it) for the app
 * of the right version, whose loop starts afresh on the same outbox. requireUpdate() stops it the
 * same way when another call (a pull) meets the mismatch.
 */
import { writable, type Readable } from 'svelte/store';
import type { DrainReport, Outbox, PushTransport } from '../outbox/outbox.ts';
import { BackendError } from '../net/backend-error.ts';

/**
 * idle: not started, or stopped; running: draining at start, on the link's return, every interval
 * and on kicks; update-required: stopped for good because the server speaks another contract version.
 */
export type SyncStatus = 'idle' | 'running' | 'update-required';

/** True when a push failed because the app and the server speak different contract versions. */
export function isContractMismatch(error: unknown): boolean {
  return error instanceof BackendError && error.code === 'CONTRACT_VERSION_MISMATCH';
}

export const SYNC_INTERVAL_MS = 30_000;
/** After a failed drain, retry sooner than the interval: 2 s, doubling, capped at the interval. */
export const SYNC_RETRY_FIRST_MS = 2_000;

export class SyncLoop {
  readonly #outbox: Outbox;
  readonly #push: PushTransport;
  readonly #deviceId: () => string | null;
  readonly #queued = writable(0);
  readonly queued: Readable<number> = this.#queued;
  readonly #status = writable<SyncStatus>('idle');
  readonly status: Readable<SyncStatus> = this.#status;
  #updateRequired = false;
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
    if (this.#updateRequired) return;
    this.#intervalMs = intervalMs;
    target?.addEventListener('online', () => this.kick());
    this.#timer = setInterval(() => this.kick(), intervalMs);
    this.#status.set('running');
    this.kick();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#retryTimer);
    if (!this.#updateRequired) this.#status.set('idle');
  }

  /**
   * The server speaks another contract version: stop for good and say so. Nothing queued is
   * touched; this app sends nothing more (an app of the right version will).
   */
  requireUpdate(): void {
    this.#updateRequired = true;
    this.stop();
    this.#status.set('update-required');
  }

  /** A failed drain is retried after a growing delay; a good one resets it. */
  #scheduleRetry(failed: boolean): void {
    clearTimeout(this.#retryTimer);
    if (!failed || this.#updateRequired) {
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
    if (deviceId === null || this.#updateRequired) {
      this.#queued.set(await this.#outbox.queuedCount());
      return null;
    }
    // The count first: a drain can take a long time (a slow or dead server), and the status bar
    // must not say "nothing queued" meanwhile, as it did after every reload.
    this.#queued.set(await this.#outbox.queuedCount());
    const report = await this.#outbox.drain(deviceId, this.#push);
    this.#queued.set(report.remainingCount);
    if (isContractMismatch(report.pushError)) this.requireUpdate();
    else this.#scheduleRetry(report.networkFailed && report.remainingCount > 0);
    for (const listener of this.#listeners) listener(report);
    return report;
  }

  /** After enqueueing outside the loop: refresh the count and send. */
  async queuedChanged(): Promise<void> {
    this.#queued.set(await this.#outbox.queuedCount());
    this.kick();
  }
}
