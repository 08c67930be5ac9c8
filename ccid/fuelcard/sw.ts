/**
 * Status words of the fuel card (reference §6), with their meaning and the error code each maps to.
 * ISO 7816-4 gives the generic ones; 93xx and 94xx are JR/T 0025 (PBOC purse) words.
 */
import { FUEL_CARD_ERROR, FuelCardError, type FuelCardErrorCode } from './errors.ts';

export const SW = {
  OK: 0x9000,
  MEMORY_FAILURE: 0x6581,
  WRONG_LENGTH: 0x6700,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  CONDITIONS_OF_USE_NOT_SATISFIED: 0x6985,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  INCORRECT_P1P2: 0x6a86,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  MAC_INVALID: 0x9302,
  APPLICATION_PERMANENTLY_LOCKED: 0x9303,
  INSUFFICIENT_FUNDS: 0x9401,
  KEY_INDEX_NOT_SUPPORTED: 0x9403,
  MAC_OR_TTC_UNAVAILABLE: 0x9406,
  APPLICATION_LOCKED: 0x9407,
  PURSE_GREY_LOCKED: 0x9408,
} as const;

type SwEntry = { code: FuelCardErrorCode | null; meaning: string };

const CATALOGUE = new Map<number, SwEntry>([
  [SW.OK, { code: null, meaning: 'OK' }],
  [SW.MEMORY_FAILURE, { code: FUEL_CARD_ERROR.MEMORY_FAILURE, meaning: 'memory failure' }],
  [SW.WRONG_LENGTH, { code: FUEL_CARD_ERROR.WRONG_LENGTH, meaning: 'wrong length' }],
  [SW.SECURITY_STATUS_NOT_SATISFIED, { code: FUEL_CARD_ERROR.SECURITY_NOT_SATISFIED, meaning: 'security status not satisfied (PIN not verified)' }],
  [SW.AUTHENTICATION_METHOD_BLOCKED, { code: FUEL_CARD_ERROR.PIN_BLOCKED, meaning: 'PIN blocked' }],
  [SW.CONDITIONS_OF_USE_NOT_SATISFIED, { code: FUEL_CARD_ERROR.CONDITIONS_NOT_SATISFIED, meaning: 'conditions of use not satisfied' }],
  [SW.FUNCTION_NOT_SUPPORTED, { code: FUEL_CARD_ERROR.APP_BLOCKED, meaning: 'function not supported / application blocked' }],
  [SW.FILE_NOT_FOUND, { code: FUEL_CARD_ERROR.FILE_NOT_FOUND, meaning: 'file or application not found' }],
  [SW.RECORD_NOT_FOUND, { code: FUEL_CARD_ERROR.RECORD_NOT_FOUND, meaning: 'record not found' }],
  [SW.INCORRECT_P1P2, { code: FUEL_CARD_ERROR.WRONG_P1P2, meaning: 'incorrect P1 P2' }],
  [SW.INS_NOT_SUPPORTED, { code: FUEL_CARD_ERROR.INS_NOT_SUPPORTED, meaning: 'instruction not supported' }],
  [SW.CLA_NOT_SUPPORTED, { code: FUEL_CARD_ERROR.CLA_NOT_SUPPORTED, meaning: 'class not supported' }],
  [SW.MAC_INVALID, { code: FUEL_CARD_ERROR.MAC_INVALID, meaning: 'MAC invalid' }],
  [SW.APPLICATION_PERMANENTLY_LOCKED, { code: FUEL_CARD_ERROR.APP_LOCKED_PERMANENTLY, meaning: 'application permanently locked' }],
  [SW.INSUFFICIENT_FUNDS, { code: FUEL_CARD_ERROR.INSUFFICIENT_FUNDS, meaning: 'insufficient funds' }],
  [SW.KEY_INDEX_NOT_SUPPORTED, { code: FUEL_CARD_ERROR.KEY_INDEX_UNSUPPORTED, meaning: 'key index not supported' }],
  [SW.MAC_OR_TTC_UNAVAILABLE, { code: FUEL_CARD_ERROR.GREY_TTC_MISMATCH, meaning: 'MAC/TTC unavailable (offline TTC mismatch on unlock)' }],
  [SW.APPLICATION_LOCKED, { code: FUEL_CARD_ERROR.APP_LOCKED, meaning: 'application locked' }],
  [SW.PURSE_GREY_LOCKED, { code: FUEL_CARD_ERROR.GREY_LOCKED, meaning: 'purse grey-locked' }],
]);

const hex4 = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');

/** A short English meaning for any status word (the app translates codes, not these). */
export function describeFuelSw(sw: number): string {
  const entry = CATALOGUE.get(sw);
  if (entry !== undefined) return entry.meaning;
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw1 === 0x61) return `${sw2 === 0 ? 256 : sw2} response bytes available`;
  if (sw1 === 0x6c) return `wrong Le, ${sw2 === 0 ? 256 : sw2} bytes available`;
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return (sw2 & 0x0f) === 0 ? 'PIN blocked (0 tries left)' : `PIN wrong, ${sw2 & 0x0f} tries left`;
  return `unknown status ${hex4(sw)}`;
}

/** The FuelCardError for a status word other than 9000. */
export function errorForSw(sw: number, command: string): FuelCardError {
  const sw2 = sw & 0xff;
  if (sw >> 8 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    const triesLeft = sw2 & 0x0f;
    const code = triesLeft === 0 ? FUEL_CARD_ERROR.PIN_BLOCKED : FUEL_CARD_ERROR.PIN_WRONG;
    return new FuelCardError(code, `${command}: ${describeFuelSw(sw)}`, { sw, triesLeft, command });
  }
  const code = CATALOGUE.get(sw)?.code ?? FUEL_CARD_ERROR.UNKNOWN_STATUS;
  const triesLeft = code === FUEL_CARD_ERROR.PIN_BLOCKED ? 0 : undefined;
  return new FuelCardError(code, `${command}: ${hex4(sw)} ${describeFuelSw(sw)}`, { sw, command, ...(triesLeft === undefined ? {} : { triesLeft }) });
}

export function swHex(sw: number): string {
  return hex4(sw);
}
