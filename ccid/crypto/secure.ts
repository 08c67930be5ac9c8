/**
 * Secure messaging with a MAC (docs/card-protocol.md §1.2, §2.1): UPDATE BINARY 04 D6, APPLICATION
 * BLOCK and UNBLOCK, CARD BLOCK. The MAC is a retail MAC keyed by the 16-byte card key (DAMTK for
 * updates), IV = card challenge || 00000000, over the header whose Lc already counts the 4 MAC
 * bytes, then the data.
 */
import { concatBytes } from '../bytes.ts';
import { CRYPTO_ERROR, CryptoError, requireField } from './errors.ts';
import { challengeIv, retailMac } from './mac.ts';

const MAC_BYTES = 4;
const SHORT_LC_MAX = 255;

/** MAC of a secure command: header = CLA INS P1 P2 (4 bytes); Lc = data + 4 is inserted here. */
export function secureMessagingMac(f: { key: Uint8Array; challenge: Uint8Array; header: Uint8Array; data: Uint8Array }): Uint8Array {
  requireField(f.header, 4, 'header');
  const lc = f.data.length + MAC_BYTES;
  if (lc > SHORT_LC_MAX) throw new CryptoError(CRYPTO_ERROR.FIELD_LENGTH_INVALID, `secure command data too long (${f.data.length})`);
  return retailMac(f.key, challengeIv(f.challenge), concatBytes(f.header, Uint8Array.of(lc), f.data));
}

/** The whole secure command APDU: header || Lc || data || MAC. */
export function secureCommand(f: { key: Uint8Array; challenge: Uint8Array; header: Uint8Array; data: Uint8Array }): Uint8Array {
  const mac = secureMessagingMac(f);
  return concatBytes(f.header, Uint8Array.of(f.data.length + MAC_BYTES), f.data, mac);
}

/** Header of UPDATE BINARY with MAC by SFI: 04 D6 (80|SFI) offset. */
export function secureUpdateBinaryHeader(sfi: number, offset = 0): Uint8Array {
  if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30 || !Number.isInteger(offset) || offset < 0 || offset > 255) {
    throw new CryptoError(CRYPTO_ERROR.FIELD_VALUE_INVALID, `bad SFI ${sfi} or offset ${offset}`);
  }
  return Uint8Array.of(0x04, 0xd6, 0x80 | sfi, offset);
}

/** UPDATE BINARY with MAC: the MAC for writing `data` at `offset` of file `sfi`. */
export function secureUpdateBinaryMac(f: {
  key: Uint8Array;
  challenge: Uint8Array;
  sfi: number;
  offset?: number;
  data: Uint8Array;
}): Uint8Array {
  return secureMessagingMac({ key: f.key, challenge: f.challenge, header: secureUpdateBinaryHeader(f.sfi, f.offset), data: f.data });
}
