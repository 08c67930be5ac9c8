/**
 * The card's side of ISO 7816-4 §5.1 command APDU parsing: bytes from the reader in, the header,
 * data field and Le out, or null when the bytes are not a command APDU at all (the card then
 * answers 6700). Lenient where real terminals are sloppy: the `00 B0 95 00 00 00` read in the
 * Android sample (S16, docs/card-protocol.md Sources) is taken as "read everything". Never throws:
 * the card must answer any bytes it is given. Apart from that one sloppy shape, the seven cases are
 * ccid/iso7816's `decodeCommandApdu`: what it refuses as malformed is null here.
 */
import { decodeCommandApdu, type DecodedCommandApdu } from '../../iso7816/apdu.ts';
import { Iso7816Error } from '../../iso7816/errors.ts';

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** Expected response length: null when absent (case 1 and 3), 256 or 65536 for a zero Le. */
  readonly le: number | null;
}

const HEADER_BYTES = 4;

export function parseCommandApdu(bytes: Uint8Array): CommandApdu | null {
  // `00 00` after the header: a sloppy "Lc 0, Le 0" seen in the wild; read as Le = 256.
  if (bytes.length === HEADER_BYTES + 2 && bytes[HEADER_BYTES] === 0) {
    return { cla: bytes[0]!, ins: bytes[1]!, p1: bytes[2]!, p2: bytes[3]!, data: new Uint8Array(0), le: 256 };
  }
  let apdu: DecodedCommandApdu;
  try {
    apdu = decodeCommandApdu(bytes);
  } catch (error) {
    if (error instanceof Iso7816Error) return null;
    throw error;
  }
  return { cla: apdu.cla, ins: apdu.ins, p1: apdu.p1, p2: apdu.p2, data: apdu.data, le: apdu.ne === 0 ? null : apdu.ne };
}
