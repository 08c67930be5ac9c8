/**
 * DEMO/TEST ONLY: the issuer master keys of the demo mode and of every test, and the one place they
 * are spelled. MLK..MRPK are the public test keys of docs/card-protocol.md §4.3 (MLK = 11..11,
 * MPK = 22..22, MTK = 33..33, MULK = 44..44, MUGK = 55..55, MPUK = 66..66, MRPK = 77..77); MAMTK,
 * MAMK, MUK and MIAK (88..88 to BB..BB) are ours. The demo server holds MAMTK too: it writes the
 * holder file of the stock cards it issues (server/cards/issue.ts). The simulator's demo cards and demo issuer, the
 * server's demo seed, the key ceremony (which refuses these keys outside demo mode), test helpers
 * and tests all take them from here. Kept out of ccid/crypto/index.ts so that nothing picks them up
 * by accident. Never personalise a real card with them.
 */
import type { IssuerMasterKeys } from './keys.ts';

const fill = (byte: number): Uint8Array => new Uint8Array(16).fill(byte);

export const DEMO_TEST_MASTER_KEYS: Readonly<IssuerMasterKeys> = Object.freeze({
  MLK: fill(0x11),
  MPK: fill(0x22),
  MTK: fill(0x33),
  MULK: fill(0x44),
  MUGK: fill(0x55),
  MPUK: fill(0x66),
  MRPK: fill(0x77),
  MAMTK: fill(0x88),
  MAMK: fill(0x99),
  MUK: fill(0xaa),
  MIAK: fill(0xbb),
});
