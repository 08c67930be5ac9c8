/**
 * Status words the simulated fuel cards answer, spelled as docs/card-protocol.md §6 spells them
 * (the bare §6 below is that section). Where §6 is silent the card answers the plain ISO 7816-4
 * word (6700 wrong length, 6B00 offset, 6Cxx exact Le, 6D00 unknown INS, 6981 file structure),
 * which every terminal stack already knows.
 */

export const SW = {
  /** §6: OK. */
  OK: 0x9000,
  /** ISO 7816-4: wrong length (Lc or the data field length). */
  WRONG_LENGTH: 0x6700,
  /** §6 63Cx: PIN wrong, x tries left (built by `pinWrongSw`). */
  PIN_WRONG_BASE: 0x63c0,
  /** ISO 7816-4: command incompatible with the file structure. */
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  /** §6: security status not satisfied (PIN not verified). */
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  /** §6: PIN blocked. */
  PIN_BLOCKED: 0x6983,
  /** §6: conditions of use not satisfied; also GET LOCK PROOF with no lock history. */
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** ISO 7816-4: incorrect parameters in the data field. */
  WRONG_DATA: 0x6a80,
  /** §6: function not supported / application blocked (on SELECT). */
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  /** §6: file or application not found. */
  FILE_NOT_FOUND: 0x6a82,
  /** §6: record not found (end of EF18). */
  RECORD_NOT_FOUND: 0x6a83,
  /** §6: bad P1/P2. */
  WRONG_P1P2: 0x6a86,
  /** ISO 7816-4: offset outside the file. */
  WRONG_OFFSET: 0x6b00,
  /** ISO 7816-4 6Cxx: wrong Le, xx is the exact length (built by `wrongLeSw`). */
  WRONG_LE_BASE: 0x6c00,
  /** ISO 7816-4: INS not supported. */
  INS_NOT_SUPPORTED: 0x6d00,
  /** §6: CLA not supported. */
  CLA_NOT_SUPPORTED: 0x6e00,
  /** ISO 7816-4: no precise diagnosis (the card caught its own fault). */
  NO_PRECISE_DIAGNOSIS: 0x6f00,
  /** §6: MAC invalid. */
  MAC_INVALID: 0x9302,
  /** §6: application permanently locked. */
  APPLICATION_LOCKED_PERMANENTLY: 0x9303,
  /** §6: insufficient funds. */
  INSUFFICIENT_FUNDS: 0x9401,
  /** §6: key index not supported. */
  KEY_INDEX_NOT_SUPPORTED: 0x9403,
  /** §6: required MAC/TAC unavailable; offline TTC mismatch on DEBIT FOR UNLOCK. */
  MAC_TAC_UNAVAILABLE: 0x9406,
  /** §6: application locked (CAPP update); here also: locked by 3 bad GMACs or APPLICATION BLOCK. */
  APPLICATION_LOCKED: 0x9407,
  /** §6: purse grey-locked. */
  GREY_LOCKED: 0x9408,
} as const;

export function pinWrongSw(triesLeft: number): number {
  return SW.PIN_WRONG_BASE | (triesLeft & 0x0f);
}

export function wrongLeSw(exactLength: number): number {
  return SW.WRONG_LE_BASE | (exactLength & 0xff);
}

/** A card's answer before it is put on the wire: data then the status word. */
export interface CardResponse {
  readonly data: Uint8Array;
  readonly sw: number;
}

const EMPTY = new Uint8Array(0);

export function swOnly(sw: number): CardResponse {
  return { data: EMPTY, sw };
}

export function ok(data: Uint8Array = EMPTY): CardResponse {
  return { data, sw: SW.OK };
}

export function encodeResponse(response: CardResponse): Uint8Array {
  const out = new Uint8Array(response.data.length + 2);
  out.set(response.data, 0);
  out[response.data.length] = (response.sw >> 8) & 0xff;
  out[response.data.length + 1] = response.sw & 0xff;
  return out;
}
