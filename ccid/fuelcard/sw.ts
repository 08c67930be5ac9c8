/**
 * Status words of the fuel card (docs/card-protocol.md §6) as this layer reads them: the error code
 * each maps to, and its meaning. The words and their meanings live in one catalogue, ccid/iso7816
 * sw.ts (ISO 7816-4, and the 93xx/94xx words of JR/T 0025 with the fuel card's own wording); this
 * file adds only what is the fuel-card layer's: which FuelCardError code a word becomes.
 */
import { SW, SW1, describeSw } from '../iso7816/sw.ts';
import { FUEL_CARD_ERROR, FuelCardError, type FuelCardErrorCode } from './errors.ts';

export { SW };

/** Status word → error code; every word here has a `fuelCard` meaning in the ISO catalogue. */
const CODE_OF_SW: ReadonlyMap<number, FuelCardErrorCode> = new Map<number, FuelCardErrorCode>([
  [SW.MEMORY_FAILURE, FUEL_CARD_ERROR.MEMORY_FAILURE],
  [SW.WRONG_LENGTH, FUEL_CARD_ERROR.WRONG_LENGTH],
  [SW.SECURITY_STATUS_NOT_SATISFIED, FUEL_CARD_ERROR.SECURITY_NOT_SATISFIED],
  [SW.AUTHENTICATION_METHOD_BLOCKED, FUEL_CARD_ERROR.PIN_BLOCKED],
  [SW.CONDITIONS_OF_USE_NOT_SATISFIED, FUEL_CARD_ERROR.CONDITIONS_NOT_SATISFIED],
  [SW.FUNCTION_NOT_SUPPORTED, FUEL_CARD_ERROR.APP_BLOCKED],
  [SW.FILE_OR_APPLICATION_NOT_FOUND, FUEL_CARD_ERROR.FILE_NOT_FOUND],
  [SW.RECORD_NOT_FOUND, FUEL_CARD_ERROR.RECORD_NOT_FOUND],
  [SW.INCORRECT_PARAMETERS_P1_P2, FUEL_CARD_ERROR.WRONG_P1P2],
  [SW.INSTRUCTION_CODE_NOT_SUPPORTED_OR_INVALID, FUEL_CARD_ERROR.INS_NOT_SUPPORTED],
  [SW.CLASS_NOT_SUPPORTED, FUEL_CARD_ERROR.CLA_NOT_SUPPORTED],
  [SW.MAC_INVALID, FUEL_CARD_ERROR.MAC_INVALID],
  [SW.APPLICATION_PERMANENTLY_LOCKED, FUEL_CARD_ERROR.APP_LOCKED_PERMANENTLY],
  [SW.INSUFFICIENT_BALANCE, FUEL_CARD_ERROR.INSUFFICIENT_FUNDS],
  [SW.KEY_INDEX_NOT_SUPPORTED, FUEL_CARD_ERROR.KEY_INDEX_UNSUPPORTED],
  [SW.REQUIRED_MAC_UNAVAILABLE, FUEL_CARD_ERROR.GREY_TTC_MISMATCH],
  [SW.APPLICATION_LOCKED, FUEL_CARD_ERROR.APP_LOCKED],
  [SW.PURSE_GREY_LOCKED, FUEL_CARD_ERROR.GREY_LOCKED],
]);

const hex4 = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');

/** A short English meaning for any status word (the app translates codes, not these). */
export function describeFuelSw(sw: number): string {
  const description = describeSw(sw);
  if (description.fuelCard !== undefined) return description.fuelCard;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  const count = sw2 === 0 ? 256 : sw2;
  if (sw1 === SW1.RESPONSE_BYTES_STILL_AVAILABLE) return `${count} response bytes available`;
  if (sw1 === SW1.WRONG_LE_FIELD) return `wrong Le, ${count} bytes available`;
  const { triesLeft } = description;
  if (triesLeft !== undefined) return triesLeft === 0 ? 'PIN blocked (0 tries left)' : `PIN wrong, ${triesLeft} tries left`;
  return `unknown status ${hex4(sw)}`;
}

/** The FuelCardError for a status word other than 9000. */
export function errorForSw(sw: number, command: string): FuelCardError {
  const { triesLeft } = describeSw(sw);
  if (triesLeft !== undefined) {
    const code = triesLeft === 0 ? FUEL_CARD_ERROR.PIN_BLOCKED : FUEL_CARD_ERROR.PIN_WRONG;
    return new FuelCardError(code, `${command}: ${describeFuelSw(sw)}`, { sw, triesLeft, command });
  }
  const code = CODE_OF_SW.get(sw) ?? FUEL_CARD_ERROR.UNKNOWN_STATUS;
  const blockedTries = code === FUEL_CARD_ERROR.PIN_BLOCKED ? 0 : undefined;
  return new FuelCardError(code, `${command}: ${hex4(sw)} ${describeFuelSw(sw)}`, {
    sw,
    command,
    ...(blockedTries === undefined ? {} : { triesLeft: blockedTries }),
  });
}

export function swHex(sw: number): string {
  return hex4(sw);
}
