/**
 * The card's side of ISO 7816-4 §5.1 command APDU parsing: bytes from the reader in, the header,
 * data field and Le out, or null when the bytes are not a command APDU at all (the card then
 * answers 6700). Lenient where real terminals are sloppy: the `00 B0 95 00 00 00` read in the
 * Android sample (S16, docs/card-protocol.md Sources) is taken as "read everything". Never throws:
 * the card must answer any bytes it is given.
 */

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
  if (bytes.length < HEADER_BYTES) return null;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(HEADER_BYTES);
  const header = { cla, ins, p1, p2 };
  if (body.length === 0) return { ...header, data: new Uint8Array(0), le: null };
  const first = body[0]!;
  if (body.length === 1) return { ...header, data: new Uint8Array(0), le: first === 0 ? 256 : first };
  if (first !== 0) {
    // Short case 3 or 4.
    if (body.length === 1 + first) return { ...header, data: body.slice(1), le: null };
    if (body.length === 2 + first) {
      const le = body[1 + first]!;
      return { ...header, data: body.slice(1, 1 + first), le: le === 0 ? 256 : le };
    }
    return null;
  }
  return parseExtendedOrSloppy(header, body);
}

function parseExtendedOrSloppy(header: { cla: number; ins: number; p1: number; p2: number }, body: Uint8Array): CommandApdu | null {
  // `00 00` after the header: a sloppy "Lc 0, Le 0" seen in the wild; read as Le = 256.
  if (body.length === 2) return { ...header, data: new Uint8Array(0), le: 256 };
  if (body.length < 3) return null;
  const length = (body[1]! << 8) | body[2]!;
  if (body.length === 3) return { ...header, data: new Uint8Array(0), le: length === 0 ? 65536 : length };
  if (length === 0) return null;
  if (body.length === 3 + length) return { ...header, data: body.slice(3), le: null };
  if (body.length === 5 + length) {
    const le = (body[3 + length]! << 8) | body[4 + length]!;
    return { ...header, data: body.slice(3, 3 + length), le: le === 0 ? 65536 : le };
  }
  return null;
}
