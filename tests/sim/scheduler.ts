/**
 * The simulation's event queue and trace. Events run one at a time, in simulated-time order (ties
 * in the order they were scheduled), each awaited to the end before the next starts, so a run is
 * one fixed interleaving of the devices' work chosen by the seed. The trace keeps a short line per
 * event: on a violation the last lines are printed, as the story of what led to it.
 */
import type { SimClock } from './determinism.ts';

export type SimEvent = { atMs: number; order: number; label: string; run: () => Promise<void> };

export const SCHEDULER_LIMITS = {
  /** Trace lines kept in memory (the oldest are dropped). */
  traceLineCountMax: 4_000,
} as const;

export class Scheduler {
  readonly clock: SimClock;
  readonly #queue: SimEvent[] = [];
  #order = 0;
  readonly trace: string[] = [];
  /** Print every line as it happens (the CLI's --verbose). */
  echo = false;
  #startMs: number;

  constructor(clock: SimClock) {
    this.clock = clock;
    this.#startMs = clock.nowMs();
  }

  at(atMs: number, label: string, run: () => Promise<void>): void {
    const event = { atMs: Math.max(atMs, this.clock.nowMs()), order: this.#order++, label, run };
    // Sorted insert: the queue stays small (tens of events).
    let i = this.#queue.length;
    while (
      i > 0 &&
      (this.#queue[i - 1]!.atMs > event.atMs || (this.#queue[i - 1]!.atMs === event.atMs && this.#queue[i - 1]!.order > event.order))
    )
      i--;
    this.#queue.splice(i, 0, event);
  }

  after(delayMs: number, label: string, run: () => Promise<void>): void {
    this.at(this.clock.nowMs() + delayMs, label, run);
  }

  get pendingCount(): number {
    return this.#queue.length;
  }

  /** Takes the next event, moving the clock to it; undefined when the queue is empty. */
  take(untilMs = Infinity): SimEvent | undefined {
    const next = this.#queue[0];
    if (!next || next.atMs > untilMs) return undefined;
    this.#queue.shift();
    this.clock.advanceTo(next.atMs);
    return next;
  }

  /** Drops every event whose label starts with `prefix` (a device's timers when it reloads). */
  cancel(prefix: string): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) if (this.#queue[i]!.label.startsWith(prefix)) this.#queue.splice(i, 1);
  }

  note(line: string): void {
    const seconds = ((this.clock.nowMs() - this.#startMs) / 1000).toFixed(1).padStart(7);
    this.trace.push(`${seconds}s ${line}`);
    if (this.echo) process.stderr.write(`${seconds}s ${line}\n`);
    if (this.trace.length > SCHEDULER_LIMITS.traceLineCountMax) this.trace.shift();
  }
}
