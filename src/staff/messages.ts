/**
 * What the staff screens say about a failure: a catalogue key (`staff.error.*`), never a raw
 * code. StaffError codes and the server codes a clerk meets at the counter have messages of
 * their own; anything else is "refused" with its code small, for support.
 */
import type { MessageKey } from '../lib/i18n/index.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { isStaffError, toStaffError } from './errors.ts';

export type StaffMessage = { key: MessageKey; values?: Record<string, string | number>; support?: string };

/** Server codes with a message of their own at the counter (beyond those StaffError maps). */
const SERVER_KEYS: Readonly<Record<string, MessageKey>> = {
  LOGIN_FAILED: 'staff.error.login_failed',
  ACCOUNT_LOCKED: 'staff.error.account_locked',
  RATE_LIMITED: 'staff.error.account_locked',
  APPROVAL_REQUIRED: 'staff.error.approval_required',
  APPROVAL_INVALID: 'staff.error.approval_invalid',
  AMOUNT_ABOVE_LIMIT: 'staff.error.amount_above_limit',
  CUSTOMER_NOT_FOUND: 'staff.error.customer_not_found',
  CUSTOMER_OTHER_OUTLET: 'staff.error.customer_other_outlet',
  CUSTOMER_NAME_INVALID: 'staff.invalid.name',
  RESIDENT_ID_INVALID: 'staff.invalid.resident_id',
  ID_NUMBER_INVALID: 'staff.invalid.id_number',
  TAX_ID_INVALID: 'staff.invalid.tax_id',
  PHONE_INVALID: 'staff.invalid.phone',
  CUSTOMER_TEXT_INVALID: 'staff.invalid.text',
  INSUFFICIENT_FUNDS: 'staff.error.purse_insufficient',
  ACCOUNT_CEILING_EXCEEDED: 'staff.error.ceiling',
  OUTBOX_FULL: 'staff.error.outbox_full',
  SHIFT_NOT_OPEN: 'staff.error.shift_not_open',
  SHIFT_ALREADY_OPEN: 'staff.error.shift_already_open',
  CHEQUE_ALREADY_TAKEN: 'staff.error.cheque_already_taken',
  // Reversals (src/staff/reversal.ts)
  ALREADY_REVERSED: 'staff.reversal.already',
  REVERSAL_NOT_FOUND: 'staff.reversal.not_found',
  REVERSAL_FUNDS_GONE: 'staff.reversal.funds_gone',
  // Issuing a card (src/staff/ui/IssueCard.svelte)
  ISSUE_CARD_NOT_IN_STOCK: 'staff.issue.already_issued',
  ISSUE_CARD_NOT_AT_OUTLET: 'staff.issue.not_at_outlet',
  ISSUE_CARD_TYPE_INVALID: 'staff.issue.not_stock_card',
  ISSUE_OTHER_OUTLET: 'staff.issue.other_outlet',
  ISSUE_MAIN_CARD_INVALID: 'staff.issue.main_card_invalid',
  ISSUE_IN_PROGRESS: 'staff.issue.in_progress',
  ISSUE_CARD_NOT_BLANK: 'staff.issue.not_stock_card',
  ISSUE_HOLDER_INVALID: 'staff.issue.holder_invalid',
  // Anonymous cards (src/staff/anonymous*.ts)
  ANONYMOUS_CARD_NAMED: 'staff.anonymous.named',
  ANONYMOUS_STATE_INVALID: 'staff.anonymous.wrong_step',
  ANONYMOUS_UPGRADE_ELSEWHERE: 'staff.anonymous.upgrade_elsewhere',
  ANONYMOUS_NO_LOSS_REPORT: 'staff.anonymous.no_loss_report',
  PURSE_LIMIT_EXCEEDED: 'staff.anonymous.purse_limit',
  // Loss reports (server/cards/loss-report.ts)
  LOSS_IDENTITY_MISMATCH: 'staff.loss.error.identity',
  LOSS_REPORT_EXISTS: 'staff.loss.error.exists',
  LOSS_REPORT_NOT_FOUND: 'staff.loss.error.not_found',
  LOSS_REPORT_NOT_PENDING: 'staff.loss.error.not_pending',
  // A queued operation's maker (docs/sync.md "The maker of an operation")
  OPERATION_MAKER_INVALID: 'staff.error.operation_maker_invalid',
  OPERATION_MAKER_SESSION_ENDED: 'staff.error.operation_maker_session_ended',
};

const STAFF_KEYS: Readonly<Record<string, MessageKey>> = {
  AMOUNT_INVALID: 'staff.error.amount_invalid',
  DESTINATION_INVALID: 'staff.error.destination_invalid',
  NOTE_REQUIRED: 'staff.error.note_required',
  REASON_REQUIRED: 'staff.reversal.reason_required',
  CHEQUE_INVALID: 'staff.error.cheque_invalid',
  PIN_REQUIRED: 'staff.error.pin_required',
  PIN_WRONG: 'staff.error.pin_wrong',
  PIN_BLOCKED: 'staff.error.pin_blocked',
  NOT_CUSTOMER_CARD: 'staff.error.not_customer_card',
  PURSE_INSUFFICIENT: 'staff.error.purse_insufficient',
  CARD_LOST: 'staff.error.card_lost',
  CARD_BLACKLISTED: 'staff.error.card_blacklisted',
  CARD_CLOSED: 'staff.error.card_closed',
  CARD_NOT_USABLE: 'staff.error.card_not_usable',
  CARD_GREY: 'staff.error.card_grey',
  CARD_NOT_ACCEPTED: 'staff.error.card_not_accepted',
  PENDING_TRANSACTION: 'staff.error.pending_transaction',
  NOT_PERMITTED: 'staff.error.not_permitted',
  SIGN_IN_REQUIRED: 'staff.error.sign_in_required',
  NEEDS_NETWORK: 'staff.error.needs_network',
  CARD_REMOVED: 'staff.error.card_removed',
  CARD_UNREADABLE: 'staff.error.card_unreadable',
  CARD_REFUSED: 'staff.error.card_refused',
  INTERRUPTED: 'staff.error.interrupted',
};

/** A code (a server's, the client's or StaffError's) as the clerk reads it. */
export function messageForCode(code: string, triesLeft?: number): StaffMessage {
  if (code === 'PIN_WRONG') return { key: 'staff.error.pin_wrong', values: { tries: triesLeft ?? 0 } };
  const key = SERVER_KEYS[code] ?? STAFF_KEYS[code];
  if (key) return { key };
  if (code === 'NETWORK' || code === 'UNAVAILABLE') return { key: 'staff.error.needs_network' };
  return { key: 'staff.error.other', support: code };
}

/** Any failure thrown at a staff screen; a programmer error still shows as "refused", with its name for support. */
export function messageFor(error: unknown): StaffMessage {
  if (error instanceof BackendError && (SERVER_KEYS[error.code] || error.offline)) return messageForCode(error.code);
  if (isStaffError(error)) {
    if (error.code === 'SERVER_REFUSED' && error.serverCode) return messageForCode(error.serverCode);
    return messageForCode(error.code, error.triesLeft);
  }
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    try {
      return messageFor(toStaffError(error));
    } catch {
      return messageForCode(error.code);
    }
  }
  return { key: 'staff.error.other', support: error instanceof Error ? error.name : 'UNKNOWN' };
}

/** A customer's field (by its name in the contract and on the form) as the screens label it. */
export const FIELD_KEYS: Readonly<Record<string, MessageKey>> = {
  name: 'staff.field.name',
  idType: 'staff.field.id_type',
  idNo: 'staff.field.id_no',
  phone: 'staff.field.phone',
  taxId: 'staff.field.tax_id',
  contactName: 'staff.field.contact_name',
  contactPhone: 'staff.field.contact_phone',
  address: 'staff.field.address',
  introLetterRef: 'staff.field.intro_letter_ref',
};

/** The account an unload goes to, as the screens and the slip name it. */
export const DESTINATION_KEYS: Readonly<Record<'QUOTA' | 'RESERVE', MessageKey>> = {
  QUOTA: 'staff.destination.quota',
  RESERVE: 'staff.destination.reserve',
};
