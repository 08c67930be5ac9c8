import { describe, expect, it } from 'vitest';
import { concatBytes } from '../bytes.ts';
import type { UsbDeviceLike } from './device.ts';
import { encodeReply } from './messages.ts';
import { BulkPipe, Interrupter } from './pipe.ts';
import { CcidError } from './errors.ts';

/** A bulk-in that hands out `chunks` one per transfer; a transfer with nothing to give waits for `push`. */
function chunkedDevice(chunks: Uint8Array[]): UsbDeviceLike & { push(chunk: Uint8Array): void } {
  let waiting: ((chunk: Uint8Array) => void) | undefined;
  const result = (chunk: Uint8Array) =>
    ({ status: 'ok', data: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength) }) as USBInTransferResult;
  const device = {
    push(chunk: Uint8Array) {
      if (waiting) waiting(chunk);
      else chunks.push(chunk);
      waiting = undefined;
    },
    transferIn: async () => {
      const next = chunks.shift();
      if (next) return result(next);
      return new Promise<USBInTransferResult>((resolve) => {
        waiting = (chunk) => resolve(result(chunk));
      });
    },
  };
  return device as unknown as UsbDeviceLike & { push(chunk: Uint8Array): void };
}

const config = { bulkInEndpoint: 2, bulkOutEndpoint: 1, readTransferBytes: 64, messageBytesMax: 1000, transferCountMax: 20 };
const reply = (seq: number, length: number) =>
  encodeReply({ slot: 0, seq, type: 'DataBlock', status: 0, error: 0, chainParameter: 0, data: new Uint8Array(length).fill(seq) });

describe('the bulk pipe', () => {
  it('reassembles a message that arrives over several transfers', async () => {
    const message = reply(1, 150);
    const pipe = new BulkPipe(chunkedDevice([message.subarray(0, 7), message.subarray(7, 64), message.subarray(64)]), config);
    expect(await pipe.readMessage(Date.now() + 100)).toEqual(message);
  });

  it('keeps the tail of a message cut by a deadline for the next read', async () => {
    const message = reply(2, 100);
    const device = chunkedDevice([message.subarray(0, 64)]);
    const pipe = new BulkPipe(device, config);
    await expect(pipe.readMessage(Date.now() + 20)).rejects.toMatchObject({ code: 'TIMEOUT' });
    device.push(message.subarray(64));
    expect(await pipe.readMessage(Date.now() + 100)).toEqual(message);
  });

  it('stops a wait at once when interrupted', async () => {
    const pipe = new BulkPipe(chunkedDevice([]), config);
    const interrupter = new Interrupter();
    const pending = pipe.readMessage(Date.now() + 10_000, interrupter);
    interrupter.interrupt(new CcidError('CARD_REMOVED', 'gone'));
    await expect(pending).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });

  it('refuses a header announcing more than the message cap', async () => {
    const huge = concatBytes(Uint8Array.of(0x80, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0));
    const pipe = new BulkPipe(chunkedDevice([huge]), config);
    await expect(pipe.readMessage(Date.now() + 100)).rejects.toMatchObject({ code: 'FRAME_INVALID' });
  });

  it('gives up on a message sent in endless empty pieces', async () => {
    const pipe = new BulkPipe(chunkedDevice(Array.from({ length: 30 }, () => new Uint8Array(0))), config);
    await expect(pipe.readMessage(Date.now() + 1000)).rejects.toMatchObject({ code: 'FRAME_INVALID' });
  });
});
