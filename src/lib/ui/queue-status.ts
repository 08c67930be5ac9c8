/**
 * What the status bar says about the outbox (docs/sync.md). Right after a load made online, the
 * card's proof waits a moment in the outbox before it is sent: that is the normal course, and
 * "待同步 1 笔" in a warning colour made customers think the load had gone wrong. So a queue that is
 * moving reads as work in hand ("正在上传 1 笔记录", neutral); only a queue while offline, or one
 * that has not moved for OUTBOX_STUCK_MS, reads as waiting for the link ("待同步 N 笔", warning).
 */
import type { MessageKey } from '../i18n/index.ts';

/** A queue that has not shrunk for this long is no longer "being sent": the link is down or refusing. */
export const OUTBOX_STUCK_MS = 60_000;

export type QueueStatus = { key: MessageKey; tone: 'neutral' | 'warning' } | null;

/**
 * `queued` the outbox's length; `online` the browser's word; `unmovedMs` how long the queue has been
 * waiting without shrinking (since it last became non-empty or last went down).
 */
export function queueStatus(queued: number, online: boolean, unmovedMs: number): QueueStatus {
  if (queued <= 0) return null;
  if (!online || unmovedMs >= OUTBOX_STUCK_MS) return { key: 'outbox.queued', tone: 'warning' };
  return { key: 'outbox.sending', tone: 'neutral' };
}

/**
 * Follows the queue's length over time: the moment it last moved (became non-empty or shrank).
 * A queue that grows (more work queued) has not moved towards the server.
 */
export class QueueWatch {
  #last = 0;
  #movedAtMs = 0;

  /** The queue's length now; returns how long it has waited unmoved. */
  observe(queued: number, nowMs: number): number {
    if (queued === 0 || this.#last === 0 || queued < this.#last) this.#movedAtMs = nowMs;
    this.#last = queued;
    return nowMs - this.#movedAtMs;
  }
}
