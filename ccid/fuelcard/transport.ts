/**
 * One exchange with the card: the fuel-card layer's narrow waist over any `transmit` (USB reader,
 * virtual reader, Web Smart Card API, a test script). It follows T=0's 61xx with GET RESPONSE and
 * 6Cxx with a re-send (both capped), splits off the status word, and turns anything but 9000 into
 * a FuelCardError with a code, after Ledger's hw-transport `send`.
 */
import { concatBytes } from '../bytes.ts';
import { getResponseCommand } from '../iso7816/apdu.ts';
import { FuelCardError, FUEL_CARD_ERROR } from './errors.ts';
import { errorForSw, SW } from './sw.ts';

/** Sends a command APDU and resolves with response data followed by SW1 SW2. */
export type Transmit = (apdu: Uint8Array) => Promise<Uint8Array>;

/** A GET RESPONSE chain longer than this is a broken card (each link carries up to 256 bytes). */
const GET_RESPONSE_CHAIN_MAX = 8;
/** A card that answers 6Cxx to its own corrected Le twice is broken. */
const WRONG_LE_RETRIES_MAX = 1;

export type Response = { data: Uint8Array; sw: number };

function split(raw: Uint8Array, command: string): Response {
  if (raw.length < 2)
    throw new FuelCardError(FUEL_CARD_ERROR.RESPONSE_MALFORMED, `${command}: response shorter than a status word`, { command });
  return { data: raw.slice(0, -2), sw: (raw[raw.length - 2]! << 8) | raw[raw.length - 1]! };
}

/** Transmits one command and returns data and SW as the card gave them (after 61xx/6Cxx handling). */
export async function exchange(transmit: Transmit, apdu: Uint8Array, command: string): Promise<Response> {
  let response = split(await transmit(apdu), command);
  for (let retry = 0; response.sw >> 8 === 0x6c && retry < WRONG_LE_RETRIES_MAX; retry++) {
    const corrected = concatBytes(apdu.subarray(0, apdu.length - 1), Uint8Array.of(response.sw & 0xff));
    response = split(await transmit(apdu.length >= 5 ? corrected : apdu), command);
  }
  const chunks: Uint8Array[] = [response.data];
  for (let link = 0; response.sw >> 8 === 0x61; link++) {
    if (link >= GET_RESPONSE_CHAIN_MAX)
      throw new FuelCardError(FUEL_CARD_ERROR.RESPONSE_MALFORMED, `${command}: GET RESPONSE chain too long`, { command });
    response = split(await transmit(getResponseCommand(response.sw & 0xff)), command);
    chunks.push(response.data);
  }
  return { data: concatBytes(...chunks), sw: response.sw };
}

/** Like `exchange`, but anything other than 9000 (or a listed accepted SW) throws FuelCardError. */
export async function send(
  transmit: Transmit,
  apdu: Uint8Array,
  command: string,
  acceptedSw: readonly number[] = [SW.NO_ERROR],
): Promise<Response> {
  const response = await exchange(transmit, apdu, command);
  if (!acceptedSw.includes(response.sw)) throw errorForSw(response.sw, command);
  return response;
}
