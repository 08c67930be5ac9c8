/**
 * Issuing a simulated user card the way an issuer does: files from named fields, keys derived from
 * the issuer master keys by the card number, the PIN, the purse limits. `blankFuelCard` gives a
 * card still in personalisation, for the host's personalisation flow to fill over APDUs.
 */
import { DEFAULT_SCHEMES, type DpkDiversification } from '../../crypto/index.ts';
import { FuelCard, type FuelCardOptions } from './fuel-card.ts';
import { CARD_TYPE, SINOPEC_ISSUER_ID, buildEf15, buildEf16, buildEf1b, buildEf1c, pinToBcd, type Ef16Fields } from './files.ts';
import { deriveCardKeys, type IssuerMasterKeys } from './keys.ts';
import { CARD_LIMITS, FILE_BYTES, emptyGreyState, type FuelCardState } from './state.ts';

/**
 * The PIN a card with EF1B[0] = 00 holds, which terminals send on their own (docs/card-protocol.md
 * §5.4).
 */
export const DEFAULT_PIN = '9999';
/** Purse ceiling when none is given: 10 000 yuan. */
export const BALANCE_MAX_FEN_DEFAULT = 1_000_000;

export interface FuelCardIssueSpec {
  masters: IssuerMasterKeys;
  asn: Uint8Array;
  issuerId?: Uint8Array;
  startDate: string;
  expiryDate: string;
  holder?: Ef16Fields;
  /** A customer PIN (EF1B[0] = 01); absent: the default PIN 9999 and EF1B[0] = 00. */
  pin?: string;
  employee?: { number: number; passwordBcd: string };
  limits?: Parameters<typeof buildEf1c>[0];
  balanceMaxFen?: number;
  overdraftLimitFen?: number;
  keyIndex?: number;
  /**
   * Key version of every key; default the ASN's key-version nibble (ASN[3] high nibble,
   * docs/card-protocol.md §5.1).
   */
  keyVersion?: number;
  dpkDiversification?: DpkDiversification;
  loyaltyPresent?: boolean;
  rngSeed?: number;
  options?: FuelCardOptions;
}

/** A deterministic seed from the card number (FNV-1a), so two cards never share randoms. */
export function seedFromAsn(asn: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of asn) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

export function issuedState(spec: FuelCardIssueSpec): FuelCardState {
  const issuerId = spec.issuerId ?? SINOPEC_ISSUER_ID;
  const dpkDiversification =
    spec.dpkDiversification ?? spec.options?.behaviour?.schemes?.dpkDiversification ?? DEFAULT_SCHEMES.dpkDiversification;
  return {
    lifecycle: 'issued',
    appStatus: 'active',
    ef15: buildEf15({ issuerId, asn: spec.asn, startDate: spec.startDate, expiryDate: spec.expiryDate }),
    ef16: buildEf16(spec.holder ?? { holderFlag: 1 }),
    ef1b: buildEf1b({
      customerPin: spec.pin !== undefined,
      employeeNumber: spec.employee?.number,
      employeePasswordBcd: spec.employee?.passwordBcd,
    }),
    ef1c: buildEf1c(spec.limits),
    log: [],
    keys: deriveCardKeys({
      masters: spec.masters,
      asn: spec.asn,
      issuerId,
      dpkDiversification,
      keyIndex: spec.keyIndex,
      keyVersion: spec.keyVersion ?? (spec.asn[3] ?? 0x10) >> 4,
    }),
    pin: { bcd: pinToBcd(spec.pin ?? DEFAULT_PIN), triesLeft: CARD_LIMITS.pinTriesMax, triesMax: CARD_LIMITS.pinTriesMax },
    purse: {
      edBalanceFen: 0,
      epBalanceFen: 0,
      onlineTtc: 0,
      offlineTtc: 0,
      overdraftLimitFen: spec.overdraftLimitFen ?? 0,
      balanceMaxFen: spec.balanceMaxFen ?? BALANCE_MAX_FEN_DEFAULT,
    },
    grey: emptyGreyState(),
    proofs: { online: null, offline: null },
    loyaltyPresent: spec.loyaltyPresent ?? false,
  };
}

/** A personalised, issued card with empty purses: money arrives by loads, as on a real card. */
export function issueFuelCard(spec: FuelCardIssueSpec): FuelCard {
  return new FuelCard(issuedState(spec), spec.rngSeed ?? seedFromAsn(spec.asn), spec.options);
}

/** A card before personalisation: zeroed files, no keys, default PIN 9999; plain UPDATE BINARY and WRITE KEY work. */
export function blankFuelCard(options: FuelCardOptions & { rngSeed?: number } = {}): FuelCard {
  const state: FuelCardState = {
    lifecycle: 'personalisation',
    appStatus: 'active',
    ef15: new Uint8Array(FILE_BYTES.ef15),
    ef16: new Uint8Array(FILE_BYTES.ef16),
    ef1b: new Uint8Array(FILE_BYTES.ef1b),
    ef1c: new Uint8Array(FILE_BYTES.ef1c),
    log: [],
    keys: [],
    pin: { bcd: pinToBcd(DEFAULT_PIN), triesLeft: CARD_LIMITS.pinTriesMax, triesMax: CARD_LIMITS.pinTriesMax },
    purse: { edBalanceFen: 0, epBalanceFen: 0, onlineTtc: 0, offlineTtc: 0, overdraftLimitFen: 0, balanceMaxFen: BALANCE_MAX_FEN_DEFAULT },
    grey: emptyGreyState(),
    proofs: { online: null, offline: null },
    loyaltyPresent: false,
  };
  // Blank cards are user cards by type until EF15 says otherwise.
  state.ef15[12] = CARD_TYPE.USER;
  return new FuelCard(state, options.rngSeed ?? 0x5eed, options);
}
