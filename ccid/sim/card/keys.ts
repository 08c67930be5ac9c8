/**
 * Card keys from issuer master keys, the way an issuer personalises a card (docs/card-protocol.md
 * §2.2–2.3): every application key is the master key diversified once by the ASN's right 8 bytes,
 * except the purchase key DPK, diversified twice (scheme in ccid/crypto `deriveDpk`). A server or
 * PSAM that holds the master keys computes the same card keys from the card number.
 */
import { asnFactor, deriveDpk, diversify, type DpkDiversification, type IssuerMasterKeys } from '../../crypto/index.ts';
import type { CardKeyEntry, KeyKind } from './state.ts';

export type { IssuerMasterKeys };

const MASTER_OF: Record<KeyKind, keyof IssuerMasterKeys> = {
  DAMK: 'MAMK',
  DAMTK: 'MAMTK',
  DPK: 'MPK',
  DLK: 'MLK',
  DULK: 'MULK',
  DTK: 'MTK',
  DPUK: 'MPUK',
  DRPK: 'MRPK',
  DUK: 'MUK',
  DUGK: 'MUGK',
  DIAK: 'MIAK',
};

/** Algorithm identifier the card reports in INITIALIZE responses: 00 = 3DES (PBOC). */
export const ALG_ID_3DES = 0x00;

export interface CardKeyOptions {
  masters: IssuerMasterKeys;
  asn: Uint8Array;
  issuerId: Uint8Array;
  dpkDiversification: DpkDiversification;
  /** Key index the terminals name (S1 and most terminals use 01). */
  keyIndex?: number;
  /** Key version reported by INITIALIZE commands. */
  keyVersion?: number;
}

/** One derived key: the card key of `kind` for this card. */
export function deriveCardKey(kind: KeyKind, o: Omit<CardKeyOptions, 'keyIndex' | 'keyVersion'>): Uint8Array {
  const master = o.masters[MASTER_OF[kind]];
  if (kind === 'DPK') return deriveDpk({ mpk: master, asn8: asnFactor(o.asn), issuerId: o.issuerId, scheme: o.dpkDiversification });
  return diversify(master, asnFactor(o.asn));
}

/** Every key of the fuel ADF, derived for one card. */
export function deriveCardKeys(o: CardKeyOptions): CardKeyEntry[] {
  const kinds = Object.keys(MASTER_OF) as KeyKind[];
  return kinds.map((kind) => ({
    kind,
    index: o.keyIndex ?? 1,
    version: o.keyVersion ?? 1,
    algId: ALG_ID_3DES,
    key: deriveCardKey(kind, o),
  }));
}
