/**
 * Constants of the Sinopec fuel-card application, spelled as docs/card-protocol.md spells them,
 * each with its section there (the bare § numbers below): AIDs, SFIs, file sizes, instruction
 * headers and purse types.
 */
import { fromHex } from '../bytes.ts';

/** §1.1: application identifiers, RID A000000003 plus ASCII. */
export const AID = {
  PSE: fromHex('315041592E5359532E4444463031'), // "1PAY.SYS.DDF01"
  SINOPEC: fromHex('A00000000353494E4F504543'), // "SINOPEC", the fuel application of the user card
  LOYALTY: fromHex('A0000000034C4F59414C5459'), // "LOYALTY", the points application
  SINOPEC1: fromHex('A00000000353494E4F50454331'), // PSAM fuel application 1
  SINOPEC2: fromHex('A00000000353494E4F50454332'), // PSAM fuel application 2
} as const;

/** §1.1 [?]: S16 selects FID DF01 after SINOPEC; unverified, so reading never depends on it. */
export const SINOPEC_ADF_FID = 0xdf01;

/** §3: short file identifiers of the SINOPEC ADF. */
export const SFI = { EF15: 0x15, EF16: 0x16, EF18: 0x18, EF1B: 0x1b, EF1C: 0x1c } as const;

/** §3: file sizes in bytes; EF18 is the record length. */
export const FILE_BYTES = { EF15: 0x1e, EF16: 0x29, EF18_RECORD: 0x17, EF1B: 0x20, EF1C: 0x60, LOCK_PROOF: 0x1e } as const;

/** §1.2: P2 of GET BALANCE and the INITIALIZE commands; the fuel application uses ED. */
export const PURSE = { ED: 0x01, EP: 0x02 } as const;
export type Purse = (typeof PURSE)[keyof typeof PURSE];

/** §1.2–1.4: CLA INS P1 of every command; P2 varies where noted in the command builders. */
export const HEADER = {
  SELECT: [0x00, 0xa4, 0x04],
  SELECT_FID: [0x00, 0xa4, 0x00],
  READ_BINARY: [0x00, 0xb0],
  READ_RECORD: [0x00, 0xb2],
  VERIFY: [0x00, 0x20, 0x00],
  GET_CHALLENGE: [0x00, 0x84, 0x00],
  GET_RESPONSE: [0x00, 0xc0, 0x00],
  GET_BALANCE: [0x80, 0x5c, 0x00],
  INITIALIZE_FOR_LOAD: [0x80, 0x50, 0x00],
  INITIALIZE_FOR_PURCHASE: [0x80, 0x50, 0x01],
  INITIALIZE_FOR_UNLOAD: [0x80, 0x50, 0x05],
  CREDIT_FOR_LOAD: [0x80, 0x52, 0x00],
  DEBIT_FOR_PURCHASE: [0x80, 0x54, 0x01],
  DEBIT_FOR_UNLOAD: [0x80, 0x54, 0x03],
  GET_TRANSACTION_PROVE: [0x80, 0x5a, 0x00],
  CHANGE_PIN: [0x80, 0x5e, 0x01],
  RELOAD_PIN: [0x80, 0x5e, 0x00],
  PIN_UNBLOCK: [0x84, 0x24, 0x00],
  APPLICATION_BLOCK: [0x84, 0x1e, 0x00],
  APPLICATION_UNBLOCK: [0x84, 0x18, 0x00],
  CARD_BLOCK: [0x84, 0x16, 0x00],
  UPDATE_BINARY_MAC: [0x04, 0xd6],
  WRITE_KEY: [0x80, 0xd4, 0x01],
  /** The project's (and the simulator's) end of personalisation [?]: WRITE KEY's INS with P1 02. */
  END_PERSONALISATION: [0x80, 0xd4, 0x02],
  GET_LOCK_PROOF: [0xe0, 0xca, 0x00],
  CLEAR_LOCK_PROOF: [0xe0, 0xca, 0x01],
  INITIALIZE_FOR_GREY_LOCK: [0xe0, 0x7a, 0x08],
  INITIALIZE_FOR_GREY_UNLOCK: [0xe0, 0x7a, 0x09],
  GREY_LOCK: [0xe0, 0x7c, 0x08],
  DEBIT_FOR_UNLOCK: [0xe0, 0x7e, 0x08],
  GREY_UNLOCK: [0xe0, 0x7e, 0x09],
  INIT_SAM_GREY_LOCK: [0xe0, 0x40, 0x00],
  CERTIFY_SAM_GREY_LOCK: [0xe0, 0x42, 0x00],
  CREDIT_SAM_FOR_GREY_DEBIT: [0xe0, 0x44, 0x00],
  GET_GMAC: [0xe0, 0x46, 0x00],
  INIT_SAM_FOR_PURCHASE: [0x80, 0x70, 0x00],
  CREDIT_SAM_FOR_PURCHASE: [0x80, 0x72, 0x00],
} as const;

/** §5.4: the PIN is 4..6 digits; cards with EF1B[0] = 00 use the default PIN 9999. */
export const PIN_DIGITS_MIN = 4;
export const PIN_DIGITS_MAX = 12; // VERIFY allows 2..6 BCD bytes (§1.2); issuance policy enforces 4..6
export const DEFAULT_PIN = '9999';

/** §1.2: EF18 keeps this many records in S1's layout; a reader stops earlier at 6A83. */
export const LOG_RECORDS_MAX = 10;

/**
 * Key types for WRITE KEY (personalisation). docs/card-protocol.md gives only 3E for the purchase
 * key (§1.2, from S7); the others follow the common FMCOS 2.0 numbering [I], and DUGK has no known
 * code [?]. WRITE KEY itself is COS-specific and in none of its sources ([?]): the format here is
 * the project's (80 D4 01 keyIndex Lc keyType keyVersion algId key16), agreed with the card
 * simulator.
 */
export const KEY_TYPE = {
  DAMK: 0x39,
  DAMTK: 0x36,
  DPK: 0x3e,
  DLK: 0x3f,
  DULK: 0x3d,
  DTK: 0x34,
  DPUK: 0x37,
  DRPK: 0x38,
  DUK: 0x3c,
  DUGK: 0x3b,
  DIAK: 0x30,
  PIN: 0x3a,
} as const;
export type KeyKind = Exclude<keyof typeof KEY_TYPE, 'PIN'>;
