/**
 * The bulk pipes of one reader: write a whole message, read a whole message, each against a
 * deadline. WebUSB has no transfer timeout and no per-transfer cancel (docs/card-protocol.md §8.1),
 * so a read that loses the race against its deadline stays outstanding; the next read picks up its
 * result (Smart Card Connector's pattern: never two bulk-in transfers at once, late data goes to
 * the next reader), and bSeq filtering upstream drops it. Bytes of a message cut short by a
 * deadline are kept so the next read completes that message instead of mistaking its tail for a
 * header.
 */
import { concatBytes } from '../bytes.ts';
import { CcidError, mapUsbError } from './errors.ts';
import type { UsbDeviceLike } from './device.ts';
import { announcedLength, HEADER_BYTES } from './messages.ts';

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A way to stop a wait early (card removed, reader closed); `reason` is thrown to the waiter. */
export class Interrupter {
  private rejectWait: ((reason: CcidError) => void) | undefined;
  private reason: CcidError | undefined;
  readonly promise: Promise<never>;

  constructor() {
    this.promise = new Promise<never>((_, reject) => {
      this.rejectWait = reject;
    });
    this.promise.catch(() => {});
  }

  interrupt(reason: CcidError): void {
    if (this.reason) return;
    this.reason = reason;
    this.rejectWait?.(reason);
  }

  get interrupted(): CcidError | undefined {
    return this.reason;
  }
}

export type PipeConfig = {
  bulkInEndpoint: number;
  bulkOutEndpoint: number;
  /** Bytes asked per bulk-in transfer: a whole message, rounded up to the packet size. */
  readTransferBytes: number;
  messageBytesMax: number;
  transferCountMax: number;
};

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function timeout(message: string): CcidError {
  return new CcidError('TIMEOUT', message);
}

async function raceDeadline<T>(work: Promise<T>, deadlineMs: number, interrupter: Interrupter | undefined, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout(message)), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race(interrupter ? [work, expired, interrupter.promise] : [work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one WebUSB call (open, claim, control transfer ...) against a deadline; a late result is dropped. */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  work.catch(() => {});
  return raceDeadline(work, Date.now() + timeoutMs, undefined, message);
}

export class BulkPipe {
  private pendingIn: Promise<Settled<USBInTransferResult>> | undefined;
  private partial: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly config: PipeConfig,
  ) {}

  async write(message: Uint8Array, deadlineMs: number): Promise<void> {
    const work = settle(this.device.transferOut(this.config.bulkOutEndpoint, message as Uint8Array<ArrayBuffer>));
    const outcome = await raceDeadline(work, deadlineMs, undefined, 'The card reader did not accept the command in time.');
    if (!outcome.ok) throw mapUsbError(outcome.error, 'transfer');
    if (outcome.value.status === 'stall') {
      await this.device.clearHalt('out', this.config.bulkOutEndpoint).catch(() => {});
      throw new CcidError('TRANSFER_STALLED', 'The card reader refused the command (stall). Try again.');
    }
    if (outcome.value.bytesWritten !== message.length) {
      throw new CcidError('TRANSFER_FAILED', `The card reader took ${outcome.value.bytesWritten} of ${message.length} bytes.`);
    }
  }

  /** Reads one whole RDR_to_PC message (bytes only; decoding is the caller's). */
  async readMessage(deadlineMs: number, interrupter?: Interrupter): Promise<Uint8Array> {
    for (let transfers = 0; transfers < this.config.transferCountMax; transfers++) {
      const complete = this.takeComplete();
      if (complete) return complete;
      const chunk = await this.readTransfer(deadlineMs, interrupter);
      this.partial = this.partial.length === 0 ? chunk : concatBytes(this.partial, chunk);
    }
    this.partial = new Uint8Array(0);
    throw new CcidError('FRAME_INVALID', 'The card reader sent a message in too many pieces.');
  }

  /** Forgets half-read bytes (after a babble or a reset). */
  discardPartial(): void {
    this.partial = new Uint8Array(0);
  }

  private takeComplete(): Uint8Array | undefined {
    if (this.partial.length < HEADER_BYTES) return undefined;
    let total: number;
    try {
      total = announcedLength(this.partial, this.config.messageBytesMax);
    } catch (error) {
      this.partial = new Uint8Array(0);
      throw error;
    }
    if (this.partial.length < total) return undefined;
    const message = this.partial.subarray(0, total);
    // Bytes beyond the announced length are not a message start we can trust: drop them.
    this.partial = new Uint8Array(0);
    return message;
  }

  private async readTransfer(deadlineMs: number, interrupter: Interrupter | undefined): Promise<Uint8Array> {
    const endpoint = this.config.bulkInEndpoint;
    this.pendingIn ??= settle(this.device.transferIn(endpoint, this.config.readTransferBytes));
    const outcome = await raceDeadline(this.pendingIn, deadlineMs, interrupter, 'The card reader did not answer in time.');
    this.pendingIn = undefined;
    if (!outcome.ok) throw mapUsbError(outcome.error, 'transfer');
    const result = outcome.value;
    if (result.status === 'stall') {
      this.partial = new Uint8Array(0);
      await this.device.clearHalt('in', endpoint).catch(() => {});
      throw new CcidError('TRANSFER_STALLED', 'The card reader stalled its answer. Try again.');
    }
    if (result.status === 'babble') {
      this.partial = new Uint8Array(0);
      throw new CcidError('TRANSFER_FAILED', 'The card reader sent more data than asked for (inbound overflow). Try again.');
    }
    const data = result.data;
    return data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(0);
  }
}
