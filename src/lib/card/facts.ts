/**
 * What the kiosk shows of a card, taken from what the card itself says (ccid/fuelcard's
 * CardReading) so it works with no network: holder, type, expiry, grey status, balance, log.
 */
import type { CardReading } from '../../../ccid/fuelcard/read.ts';
import type { TransactionRecord, GreyState } from '../../../ccid/fuelcard/messages.ts';
import { chinaDateIso } from '../time.ts';

/** ASN[2] of a customer (user) card, docs/card-protocol.md §5.1. */
const CUSTOMER_CARD_TYPE = 0x01;

export type CardFacts = {
  /** The 20-digit ASN. */
  cardNo: string;
  /** As printed on the card: the ASN without its leading 0. */
  printedNo: string;
  holderName: string;
  customerCard: boolean;
  multiUser: boolean;
  expiryDate: string;
  expired: boolean;
  greyState: GreyState;
  /** Fen on the chip's electronic deposit. */
  balanceFen: number;
  /** The card's own log, newest first. */
  records: TransactionRecord[];
  usesDefaultPin: boolean;
};

/** A card number as people read it off the card, in groups of four: "1000 1132 0010 0000 011". */
export function groupedCardNo(cardNo: string): string {
  return cardNo.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Dates on the card are YYYY-MM-DD; expiry is the last valid day. */
export function isExpired(expiryDate: string, today: string): boolean {
  return expiryDate < today;
}

/** Today's date where the card is used: Beijing's calendar day, whatever the machine's zone. */
export function todayIso(nowMs: number): string {
  return chinaDateIso(nowMs);
}

export function factsOf(reading: CardReading, nowMs: number): CardFacts {
  return {
    cardNo: reading.ef15.asn,
    printedNo: reading.ef15.asn.replace(/^0/, ''),
    holderName: reading.ef16.holderName.trim(),
    customerCard: reading.card.cardType === CUSTOMER_CARD_TYPE,
    multiUser: reading.ef16.holderFlag === 2,
    expiryDate: reading.ef15.expiryDate,
    expired: isExpired(reading.ef15.expiryDate, todayIso(nowMs)),
    greyState: reading.greyState,
    balanceFen: reading.balanceFen ?? 0,
    records: reading.records ?? [],
    usesDefaultPin: reading.ef1b.usesDefaultPin,
  };
}
