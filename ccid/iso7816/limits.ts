/**
 * Every cap of the ISO 7816 layer in one place (TigerBeetle style: a named limit on every loop
 * over card or file input). Engines take `Partial<Iso7816Limits>` so that tests can shrink a cap;
 * production code uses these defaults.
 */

export interface Iso7816Limits {
  /** T=0: GET RESPONSE commands after one command (61xx chains). 65 536 bytes / 256 + slack; a card stuck on 61xx ends here. */
  t0GetResponseCountMax: number;
  /** T=0: re-sends of a command with a corrected P3 after 6Cxx, per command and per GET RESPONSE. More than one means a broken card. */
  t0WrongLengthResendCountMax: number;
  /** T=0: total response data bytes accumulated over a 61xx chain (an extended response is at most 65 536 bytes). */
  t0ResponseBytesMax: number;
  /** T=1: retransmissions of one block after a bad EDC or an R-block with error (ISO 7816-3 §11.6.3; libccid uses 3). */
  t1RetryCountMax: number;
  /** T=1: resynchronisations per APDU before giving up with a typed error (ISO 7816-3 §11.6.3.3 rule 6.4; libccid uses 3). */
  t1ResynchCountMax: number;
  /** T=1: S(WTX request) blocks accepted per APDU; a card that asks for ever is treated as dead. */
  t1WtxCountMax: number;
  /** T=1: blocks exchanged for one APDU, all kinds together (65 538 bytes in 1-byte chains would be ~2·65 538 blocks; real chains are far shorter). */
  t1BlockCountMax: number;
  /** T=1: response bytes accumulated over a chain (extended response data + SW1 SW2). */
  t1ResponseBytesMax: number;
  /** T=1 card side: command bytes accumulated over a chain (extended command APDU: 4 + 3 + 65 535 + 2). */
  t1CommandBytesMax: number;
  /** BER-TLV: nesting depth of constructed objects (FCI is 3 deep: 6F > A5 > BF0C). */
  tlvDepthMax: number;
  /** BER-TLV: data objects in one parse, all levels together. */
  tlvNodeCountMax: number;
  /** Transcripts: lines in one transcript text. */
  transcriptLineCountMax: number;
  /** Transcripts: characters on one line (an extended APDU in hex with spaces fits). */
  transcriptLineCharsMax: number;
  /** Trace recorder: entries kept; the oldest are dropped first so a long kiosk session cannot grow memory. */
  traceEntryCountMax: number;
}

export const ISO7816_LIMITS: Readonly<Iso7816Limits> = Object.freeze({
  t0GetResponseCountMax: 272,
  t0WrongLengthResendCountMax: 1,
  t0ResponseBytesMax: 65_536,
  t1RetryCountMax: 3,
  t1ResynchCountMax: 3,
  t1WtxCountMax: 64,
  t1BlockCountMax: 4_096,
  t1ResponseBytesMax: 65_538,
  t1CommandBytesMax: 65_544,
  tlvDepthMax: 8,
  tlvNodeCountMax: 1_024,
  transcriptLineCountMax: 100_000,
  transcriptLineCharsMax: 200_000,
  traceEntryCountMax: 10_000,
});

export function withLimits(overrides: Partial<Iso7816Limits> | undefined): Iso7816Limits {
  return { ...ISO7816_LIMITS, ...overrides };
}
