/**
 * Host side of T=0 at TPDU level (ISO 7816-3 §12.2, ISO 7816-4 Annex A): maps a command APDU to
 * the command TPDU a CCID reader exchanges with a T=0 card, and the card's answers back to one
 * response APDU. The reader runs the character protocol (procedure bytes); `io` sends one TPDU and
 * returns the card's data + SW1 SW2. This module handles what the reader does not:
 * - case 1: P3 = 00; case 3: P3 = Lc; case 4: sent as case 3, the data fetched with GET RESPONSE;
 * - case 2: P3 = Le (256 → 00); on 6Cxx the same header is sent again with P3 = xx, and only the
 *   first Ne bytes are kept;
 * - 61xx (any case): GET RESPONSE 00 C0 00 00 xx (00 = 256), repeated while the card answers
 *   61xx, the data concatenated; 6Cxx to a GET RESPONSE re-issues it with P3 = xx.
 * Every loop is capped by `Iso7816Limits`. Extended command data cannot travel over T=0 without
 * ENVELOPE, which our cards do not need, so Nc > 255 is refused; Ne > 256 is served by 61xx chains.
 */
import { concatBytes, toHex } from '../bytes.ts';
import { decodeCommandApdu, type DecodedCommandApdu } from './apdu.ts';
import { Iso7816Error } from './errors.ts';
import { withLimits, type Iso7816Limits } from './limits.ts';

/** Sends one TPDU to the card and resolves with the card's response data + SW1 SW2. */
export type TpduIo = (tpdu: Uint8Array) => Promise<Uint8Array>;

/** ISO 7816-3 §10.3.3 and ISO 7816-4 §5.6: the status bytes T=0 acts on. */
export const T0_SW1 = {
  /** 61xx: xx more response bytes available with GET RESPONSE. */
  RESPONSE_BYTES_STILL_AVAILABLE: 0x61,
  /** 6Cxx: wrong Le; xx is the exact length. */
  WRONG_LE_FIELD: 0x6c,
} as const;

/** ISO 7816-4 §7.6.1: GET RESPONSE command header. */
export const GET_RESPONSE = { CLA: 0x00, INS: 0xc0, P1: 0x00, P2: 0x00 } as const;

export interface T0Options extends Partial<
  Pick<Iso7816Limits, 't0GetResponseCountMax' | 't0WrongLengthResendCountMax' | 't0ResponseBytesMax'>
> {
  /** CLA of GET RESPONSE; 00 for ISO and PBOC cards (docs/card-protocol.md §8.2). */
  getResponseCla?: number;
}

interface Answer {
  data: Uint8Array;
  sw1: number;
  sw2: number;
}

async function exchange(io: TpduIo, tpdu: Uint8Array): Promise<Answer> {
  const response = await io(tpdu);
  if (response.length < 2) {
    throw new Iso7816Error(
      'T0_BAD_RESPONSE',
      `T=0 TPDU ${toHex(tpdu.slice(0, 5))}: card answered ${response.length} byte(s), SW1 SW2 need 2`,
    );
  }
  return { data: response.slice(0, -2), sw1: response[response.length - 2]!, sw2: response[response.length - 1]! };
}

/** Sends a TPDU; on 6Cxx re-sends the same header with P3 = xx (capped). */
async function exchangeWithLeFix(io: TpduIo, header: Uint8Array, p3: number, resendMax: number): Promise<Answer> {
  let answer = await exchange(io, concatBytes(header, Uint8Array.of(p3)));
  for (let resend = 0; answer.sw1 === T0_SW1.WRONG_LE_FIELD && resend < resendMax; resend++) {
    answer = await exchange(io, concatBytes(header, Uint8Array.of(answer.sw2)));
  }
  return answer;
}

function commandTpdu(apdu: DecodedCommandApdu): { header: Uint8Array; body: Uint8Array | null; p3: number } {
  const header = Uint8Array.of(apdu.cla, apdu.ins, apdu.p1, apdu.p2);
  if (apdu.data.length > 255) {
    throw new Iso7816Error('T0_EXTENDED_NOT_SUPPORTED', `T=0 cannot carry ${apdu.data.length} bytes of command data without ENVELOPE`);
  }
  if (apdu.data.length > 0) return { header, body: apdu.data, p3: apdu.data.length };
  // Case 1 → 00; case 2 → Le (256 → 00; Ne above 256 asks for 256 and lets 61xx chain the rest).
  return { header, body: null, p3: apdu.ne === 0 ? 0 : Math.min(apdu.ne, 256) & 0xff };
}

/**
 * Sends one command APDU over T=0 and returns the whole response APDU (data + final SW).
 * Throws Iso7816Error: APDU_MALFORMED, T0_EXTENDED_NOT_SUPPORTED, T0_BAD_RESPONSE,
 * T0_GET_RESPONSE_LIMIT, T0_RESPONSE_TOO_LONG; errors of `io` pass through unchanged.
 */
export async function t0Transceive(apdu: Uint8Array, io: TpduIo, limits?: T0Options): Promise<Uint8Array> {
  const caps = withLimits(limits);
  const command = decodeCommandApdu(apdu);
  const { header, body, p3 } = commandTpdu(command);
  let answer: Answer;
  if (body === null) {
    answer = await exchangeWithLeFix(io, header, p3, caps.t0WrongLengthResendCountMax);
  } else {
    answer = await exchange(io, concatBytes(header, Uint8Array.of(p3), body));
  }
  const parts: Uint8Array[] = [answer.data];
  let total = answer.data.length;
  const getResponseHeader = Uint8Array.of(limits?.getResponseCla ?? GET_RESPONSE.CLA, GET_RESPONSE.INS, GET_RESPONSE.P1, GET_RESPONSE.P2);
  for (let count = 0; answer.sw1 === T0_SW1.RESPONSE_BYTES_STILL_AVAILABLE; count++) {
    if (count >= caps.t0GetResponseCountMax) {
      throw new Iso7816Error(
        'T0_GET_RESPONSE_LIMIT',
        `card still answers 61${toHex(Uint8Array.of(answer.sw2))} after ${count} GET RESPONSE commands`,
      );
    }
    answer = await exchangeWithLeFix(io, getResponseHeader, answer.sw2, caps.t0WrongLengthResendCountMax);
    total += answer.data.length;
    if (total > caps.t0ResponseBytesMax) {
      throw new Iso7816Error('T0_RESPONSE_TOO_LONG', `T=0 response exceeds ${caps.t0ResponseBytesMax} bytes`);
    }
    parts.push(answer.data);
  }
  let data = concatBytes(...parts);
  // ISO 7816-3 §12.2.3: when the card gives more than Ne bytes, the first Ne are kept.
  if (command.ne > 0 && data.length > command.ne) data = data.slice(0, command.ne);
  return concatBytes(data, Uint8Array.of(answer.sw1, answer.sw2));
}
