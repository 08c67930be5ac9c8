/**
 * A cheque receipt (支票收取) at the counter, headless: the cheque's bank, number, date and amount
 * checked on the form (the contract's own rules, plus the date: a cheque is presented within ten
 * days of its date and is never post-dated), then `receipt.cheque` queued and sent, exactly once by
 * its operation id. The server takes a cheque (bank and number) once only (CHEQUE_ALREADY_TAKEN)
 * and, above the threshold, asks for a supervisor's approval as for cash (src/staff/receipt.ts).
 */
import { ChequeReceiptPayload } from '../../server/contract/shifts.ts';
import { STAFF_ERROR, StaffError } from './errors.ts';
import { queueAndWait, type QueueDeps } from './queue.ts';
import type { CashReceiptOutcome } from './receipt.ts';

/** The days a cheque may be presented after its date (its 提示付款期限). */
export const CHEQUE_VALID_DAYS = 10;
const DAY_MS = 86_400_000;

export type ChequeField = 'bank' | 'chequeNo' | 'chequeDate' | 'amount';

export type ChequeForm = { customerId: string; amountFen: number | null; bank: string; chequeNo: string; chequeDate: string };

export type ChequeRequest = {
  customerId: string;
  amountFen: number;
  bank: string;
  chequeNo: string;
  chequeDate: string;
  approvalId?: string;
};

/** The first field the form must fix, or null; `today` is the China calendar day (YYYY-MM-DD). */
export function chequeFieldInvalid(form: ChequeForm, today: string): ChequeField | null {
  if (form.amountFen === null || !Number.isSafeInteger(form.amountFen) || form.amountFen <= 0) return 'amount';
  const bank = form.bank.trim();
  if (!ChequeReceiptPayload.shape.bank.safeParse(bank).success) return 'bank';
  if (!ChequeReceiptPayload.shape.chequeNo.safeParse(form.chequeNo.trim()).success) return 'chequeNo';
  if (!ChequeReceiptPayload.shape.chequeDate.safeParse(form.chequeDate).success) return 'chequeDate';
  const age = (Date.parse(today) - Date.parse(form.chequeDate)) / DAY_MS;
  if (!(age >= 0 && age <= CHEQUE_VALID_DAYS)) return 'chequeDate';
  return null;
}

export async function takeChequeReceipt(deps: QueueDeps, request: ChequeRequest, today: string): Promise<CashReceiptOutcome> {
  const invalid = chequeFieldInvalid(request, today);
  if (invalid === 'amount') throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, `amount ${request.amountFen} is not a positive number of fen`);
  if (invalid) throw new StaffError(STAFF_ERROR.CHEQUE_INVALID, `the cheque's ${invalid} is not valid`);
  const { customerId, amountFen, approvalId } = request;
  const outcome = await queueAndWait(deps, 'receipt.cheque', {
    customerId,
    amountFen,
    bank: request.bank.trim(),
    chequeNo: request.chequeNo.trim(),
    chequeDate: request.chequeDate,
    ...(approvalId ? { approvalId } : {}),
  });
  if (outcome.kind === 'rejected' && outcome.code === 'APPROVAL_REQUIRED')
    return { kind: 'approval_required', operationId: outcome.operationId };
  return outcome;
}
