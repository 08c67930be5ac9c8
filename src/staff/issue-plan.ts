/**
 * The outlet tablet's issue screen (开户发卡, docs/domain.md "Issuing a card"), the parts that are
 * not the card's: which card a customer gets next (a person: a single-user card; a unit: its main
 * card first, then sub cards 附卡 naming the main card), the holder a unit's card names from the
 * form, what the stock card in the reader is, the PIN typed twice, the card fee, and the slip.
 * Headless, so its rules are tested without a screen; the card and the server are runIssue's
 * (src/staff/issue.ts).
 */
import { asnDetails } from '../../ccid/fuelcard/files.ts';
import { EMPTY_EF16, type StockCardReading } from '../../ccid/fuelcard/issue-holder.ts';
import { IssueHolder } from '../../server/contract/issue.ts';
import type { CustomerDetail } from '../../server/contract/customers.ts';
import type { IssueReceipt } from './issue.ts';
import type { Slip } from './slip.ts';

/**
 * The card fee (工本费) the outlet charges for a card, in fen. The server takes the fee the tablet
 * sends (0 up to ISSUE_FEE_FEN_MAX) as cash into the drawer of the clerk's open shift: the outlet's
 * price list is not kept centrally yet, so the tablet's constant is the price.
 */
export const CARD_FEE_FEN = 2_000;

/** The card type byte of a customer card (ASN[2], docs/card-protocol.md §5.1). */
const CARD_TYPE_USER = 0x01;

export type IssuePlan = { role: 'single' } | { role: 'main' } | { role: 'sub'; mainCardNo: string };

/**
 * The card the customer gets next: a person one single-user card; a unit its main card while it
 * has no active one, then sub cards under that main card.
 */
export function planFor(detail: CustomerDetail): IssuePlan {
  if (detail.customer.kind === 'personal') return { role: 'single' };
  const main = detail.cards.find((c) => c.role === 'main' && c.state === 'active');
  return main ? { role: 'sub', mainCardNo: main.cardNo } : { role: 'main' };
}

/** What the reader holds, as the screen says it. */
export type StockCardFinding =
  | { kind: 'stock'; cardNo: string }
  /** EF16 already names a holder: issued (or this screen's own interrupted issue, to resume). */
  | { kind: 'issued'; cardNo: string }
  /** Not a customer card (an employee's, a PSAM, ...). */
  | { kind: 'not-customer-card'; cardNo: string };

export function findingOf(reading: StockCardReading): StockCardFinding {
  const cardNo = reading.ef15.asn;
  if (asnDetails(cardNo).cardType !== CARD_TYPE_USER) return { kind: 'not-customer-card', cardNo };
  return reading.ef16 === EMPTY_EF16 ? { kind: 'stock', cardNo } : { kind: 'issued', cardNo };
}

/** The card number as printed (19 digits: the 20-digit ASN without its leading zero). */
export function printedCardNo(cardNo: string): string {
  return cardNo.replace(/^0/, '');
}

/** The holder's ID types on a card (EF16, docs/card-protocol.md §3.2), as the form offers them. */
export const HOLDER_ID_TYPES = [1, 2, 3, 4] as const;

export type HolderForm = { name: string; idType: number; idNumber: string };
export type HolderProblem = 'name' | 'id_number';

/**
 * A unit's card holder from the form, or what is wrong with it: the name 1–10 Chinese characters
 * (20 GBK bytes, counted as the card stores them), the document number up to 18 printable ASCII
 * characters (the contract's own rule, IssueHolder).
 */
export function holderFrom(form: HolderForm): { holder: IssueHolder } | { problem: HolderProblem } {
  const name = form.name.trim();
  if (name.length === 0 || gbkBytes(name) > 20) return { problem: 'name' };
  const parsed = IssueHolder.safeParse({ name, idType: form.idType, idNumber: form.idNumber.trim() });
  if (!parsed.success) return { problem: 'id_number' };
  return { holder: parsed.data };
}

/** Bytes in GBK: two for a character beyond ASCII. */
function gbkBytes(text: string): number {
  let bytes = 0;
  for (const ch of text) bytes += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return bytes;
}

/** The PIN a customer chooses: 4 to 6 digits (the card's PIN file). */
export const PIN_PATTERN = /^[0-9]{4,6}$/;

/** The chosen PIN typed twice: null when both agree and it is a PIN; else what to say. */
export function pinProblem(first: string, second: string): 'pin_format' | 'pin_mismatch' | null {
  if (!PIN_PATTERN.test(first)) return 'pin_format';
  return first === second ? null : 'pin_mismatch';
}

export type SlipContext = { operatorName: string; outletName: string; terminalId: string; atMs: number };

/** The issue slip: the card, its holder, the fee in figures and 大写. */
export function issueSlip(receipt: IssueReceipt, context: SlipContext): Slip {
  return {
    kind: 'issue',
    amountFen: receipt.feeFen,
    at: context.atMs,
    operatorName: context.operatorName,
    outletName: context.outletName,
    terminalId: context.terminalId,
    reference: receipt.issueId,
    customerName: receipt.holder.name,
    cardNo: printedCardNo(receipt.cardNo),
  };
}
