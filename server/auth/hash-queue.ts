/**
 * A bound on expensive work that runs off the event loop (password hashes on libuv's threadpool):
 * at most `runningMax` at once, at most `waitingMax` more waiting in arrival order, and anything
 * past that refused at once. Without it 60 sign-ins started 60 scrypt hashes that filled the
 * threadpool and both cores, and kiosk inquiries waited seconds behind them.
 */
import { ApiError } from '../errors.ts';

export type HashQueueStats = {
  /** Pieces of work started since the process began (each one password hash). */
  started: number;
  /** Refused because the queue was full. */
  refused: number;
  /** Most pieces of work seen running at once. */
  runningPeak: number;
};

export class HashQueue {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly stats: HashQueueStats = { started: 0, refused: 0, runningPeak: 0 };

  constructor(
    readonly runningMax: number,
    readonly waitingMax: number,
  ) {}

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `work` when a place is free; throws SIGN_IN_BUSY when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running < this.runningMax) {
      this.#running++;
    } else {
      if (this.#waiting.length >= this.waitingMax) {
        this.stats.refused++;
        throw new ApiError('SIGN_IN_BUSY', undefined, { retryAfterS: 1 });
      }
      // The finishing piece of work hands its place over: #running stays as it is.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.stats.started++;
    this.stats.runningPeak = Math.max(this.stats.runningPeak, this.#running);
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
