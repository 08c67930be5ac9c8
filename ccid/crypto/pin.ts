/**
 * The cryptography of the PIN commands (docs/card-protocol.md §2.6). The PIN travels as BCD bytes
 * here; turning digits into BCD (and odd lengths into an F nibble) is the application layer's job.
 */
import { concatBytes } from '../bytes.ts';
import { tdesDecryptBlock, tdesEncryptBlock } from './des.ts';
import { CRYPTO_ERROR, CryptoError, requireKey } from './errors.ts';
import { keyHalvesXor } from './keys.ts';
import { challengeIv, pbocMac, retailMac } from './mac.ts';

const PIN_BYTES_MIN = 2;
const PIN_BYTES_MAX = 6;

function requirePin(pin: Uint8Array): void {
  if (!(pin instanceof Uint8Array) || pin.length < PIN_BYTES_MIN || pin.length > PIN_BYTES_MAX) {
    throw new CryptoError(
      CRYPTO_ERROR.FIELD_LENGTH_INVALID,
      `PIN must be ${PIN_BYTES_MIN}..${PIN_BYTES_MAX} BCD bytes, got ${pin?.length}`,
    );
  }
}

/** The plaintext PIN block: length(1) || PIN BCD || 80 00.. to 8 bytes. PIN 123456 gives 0312345680000000. */
export function pinBlock(pin: Uint8Array): Uint8Array {
  requirePin(pin);
  const block = new Uint8Array(8);
  block[0] = pin.length;
  block.set(pin, 1);
  block[1 + pin.length] = 0x80;
  return block;
}

/** Reads a plaintext PIN block back; a typed error when the length byte or padding is wrong. */
export function parsePinBlock(block8: Uint8Array): Uint8Array {
  const length = block8[0] ?? 0;
  const valid =
    block8.length === 8 &&
    length >= PIN_BYTES_MIN &&
    length <= PIN_BYTES_MAX &&
    block8[1 + length] === 0x80 &&
    block8.subarray(2 + length).every((b) => b === 0);
  if (!valid) throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, 'malformed PIN block');
  return block8.slice(1, 1 + length);
}

/** PIN UNBLOCK's command header; its Lc (0C) counts the MAC, and the MAC covers the header. */
export const PIN_UNBLOCK_HEADER = Uint8Array.of(0x84, 0x24, 0x00, 0x01, 0x0c);

/**
 * PIN UNBLOCK data field (docs/card-protocol.md §2.6, [C] S1): enc(8) || MAC(4), with enc =
 * 3DES(DPUK, pinBlock) and MAC = retailMAC(DPUK, challenge || 00000000, 84 24 00 01 0C || enc).
 */
export function pinUnblockData(f: { dpuk: Uint8Array; pin: Uint8Array; challenge: Uint8Array }): Uint8Array {
  requireKey(f.dpuk, 16, 'dpuk');
  const encrypted = tdesEncryptBlock(f.dpuk, pinBlock(f.pin));
  const mac = retailMac(f.dpuk, challengeIv(f.challenge), concatBytes(PIN_UNBLOCK_HEADER, encrypted));
  return concatBytes(encrypted, mac);
}

/** The card side of PIN UNBLOCK: checks the MAC and returns the new PIN (BCD), or throws a typed error. */
export function openPinUnblockData(f: { dpuk: Uint8Array; data: Uint8Array; challenge: Uint8Array }): Uint8Array {
  requireKey(f.dpuk, 16, 'dpuk');
  if (f.data.length !== 12)
    throw new CryptoError(CRYPTO_ERROR.FIELD_LENGTH_INVALID, `PIN UNBLOCK data must be 12 bytes, got ${f.data.length}`);
  const encrypted = f.data.subarray(0, 8);
  const expected = retailMac(f.dpuk, challengeIv(f.challenge), concatBytes(PIN_UNBLOCK_HEADER, encrypted));
  if (!expected.every((b, i) => b === f.data[8 + i])) throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, 'PIN UNBLOCK MAC mismatch');
  return parsePinBlock(tdesDecryptBlock(f.dpuk, encrypted));
}

/**
 * RELOAD PIN MAC (docs/card-protocol.md §2.6, [C] S1): PBOC MAC with key DRPK_L XOR DRPK_R over the
 * new PIN, IV 0.
 */
export function pinReloadMac(f: { drpk: Uint8Array; pin: Uint8Array }): Uint8Array {
  requirePin(f.pin);
  return pbocMac(keyHalvesXor(f.drpk), f.pin);
}
