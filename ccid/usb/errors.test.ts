import { describe, expect, it } from 'vitest';
import { EchoCard } from '../sim/test-cards.ts';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { REFUSALS, VirtualReader } from '../sim/reader/reader.ts';
import { CcidError, mapUsbError } from './errors.ts';
import { CcidReader } from './reader.ts';

describe('browser refusals', () => {
  it.each([
    ['protectedClass', 'PROTECTED_INTERFACE_CLASS', /Isolated Web App.*vendor class 0xFF/],
    ['claimedByOs', 'DEVICE_CLAIMED_BY_OS', /pcscd.*WinUSB/],
    ['accessDenied', 'DEVICE_CLAIMED_BY_OS', /operating system/],
    ['permission', 'PERMISSION_DENIED', /Choose the reader again/],
  ] as const)('%s becomes %s with a message that says what to do', async (refusal, code, message) => {
    const device = new VirtualReader({ profile: READER_PROFILES.acr39u, card: new EchoCard(), refuse: REFUSALS[refusal] });
    const error = await CcidReader.open(device).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CcidError);
    expect(error).toMatchObject({ code });
    expect((error as CcidError).message).toMatch(message);
    expect((error as CcidError).cause).toBeInstanceOf(DOMException);
  });

  it('a refusal that clears lets the next open succeed', async () => {
    const device = new VirtualReader({ card: new EchoCard(), refuse: { ...REFUSALS.claimedByOs, times: 1 } });
    await expect(CcidReader.open(device)).rejects.toMatchObject({ code: 'DEVICE_CLAIMED_BY_OS' });
    const reader = await CcidReader.open(device);
    await reader.close();
  });

  it.each([
    [new DOMException('No device selected.', 'NotFoundError'), 'request', 'NO_READER_SELECTED'],
    [new DOMException('The device was disconnected.', 'NotFoundError'), 'transfer', 'READER_DISCONNECTED'],
    [new DOMException('A transfer error has occurred.', 'NetworkError'), 'transfer', 'TRANSFER_FAILED'],
    [new DOMException('The transfer was cancelled.', 'AbortError'), 'transfer', 'READER_CLOSED'],
    [new Error('LIBUSB_ERROR_ACCESS'), 'open', 'DEVICE_CLAIMED_BY_OS'],
    [new Error('LIBUSB_ERROR_BUSY'), 'claim', 'DEVICE_CLAIMED_BY_OS'],
    [new Error('LIBUSB_ERROR_NO_DEVICE'), 'transfer', 'READER_DISCONNECTED'],
    ['something odd', 'transfer', 'TRANSFER_FAILED'],
  ] as const)('%s during %s maps to %s', (error, step, code) => {
    expect(mapUsbError(error, step).code).toBe(code);
  });

  it('a device that is not a reader is refused in plain words', async () => {
    const device = new VirtualReader({ profile: { ...READER_PROFILES.acr39u, interfaceClass: 0x03 } });
    await expect(CcidReader.open(device)).rejects.toMatchObject({ code: 'NOT_A_CCID_READER' });
  });

  it('a character-level reader is refused as unsupported', async () => {
    const device = new VirtualReader({ descriptor: { dwFeatures: 0x000000b2 } });
    await expect(CcidReader.open(device)).rejects.toMatchObject({ code: 'UNSUPPORTED_READER' });
  });
});

describe('a reader that hangs', () => {
  it('on claimInterface ends in TIMEOUT instead of waiting for ever', async () => {
    class HangingReader extends VirtualReader {
      override claimInterface(): Promise<void> {
        return new Promise(() => {});
      }
    }
    const device = new HangingReader({ card: new EchoCard() });
    await expect(CcidReader.open(device, { limits: { controlTimeoutMs: 20 } })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(device.opened).toBe(false);
  });
});
