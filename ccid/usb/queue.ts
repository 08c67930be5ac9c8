/**
 * One exchange at a time per reader: a FIFO lock. A CCID slot runs one command at a time
 * (bMaxCCIDBusySlots is 1 on every reader we know), and a T=1 chain or a GET RESPONSE loop must
 * not interleave with another caller's blocks. The queue length is capped.
 */
import { CcidError } from './errors.ts';

export class ExchangeQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly lengthMax: number) {}

  get length(): number {
    return this.waiting;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.lengthMax) {
      return Promise.reject(new CcidError('QUEUE_FULL', 'Too many card operations are waiting for the reader. Try again.'));
    }
    this.waiting++;
    const result = this.tail.then(work);
    this.tail = result.then(
      () => {
        this.waiting--;
      },
      () => {
        this.waiting--;
      },
    );
    return result;
  }
}
