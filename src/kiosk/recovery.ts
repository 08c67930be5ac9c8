/**
 * The kiosk's side of settling interrupted online transactions (the settling itself is shared
 * with the outlet tablet: src/lib/online). At each insertion the card settles what it left
 * pending: this kiosk's interrupted loads, and a load or unload the server holds as pending from
 * any terminal (an outlet tablet's 圈提 cut off included). The customer is then told, in their
 * terms, what became of the money, and the account shown is brought in line with the outcome.
 */
import type { MessageKey } from '../lib/i18n/index.ts';
import { formatMoney } from '../lib/money.ts';
import type { OnlineKind, RecoveryReport } from '../lib/online/recovery.ts';
import type { AccountInfo, Notice } from './screens.ts';

type Outcome = { kind: OnlineKind; completed: boolean; key: MessageKey; tone: Notice['tone'] };

/** One notice per insertion, in this order: the kiosk's own business (loads) before an outlet's unload. */
const OUTCOMES: readonly Outcome[] = [
  { kind: 'load', completed: true, key: 'kiosk.notice.recovered_completed', tone: 'success' },
  { kind: 'load', completed: false, key: 'kiosk.notice.recovered_not_done', tone: 'info' },
  { kind: 'unload', completed: true, key: 'kiosk.notice.recovered_unload_completed', tone: 'success' },
  { kind: 'unload', completed: false, key: 'kiosk.notice.recovered_unload_not_done', tone: 'info' },
];

/** What the customer is told about the transactions the card settled; null when it settled none. */
export function recoveryNotice(report: RecoveryReport): Notice | null {
  for (const outcome of OUTCOMES) {
    const matching = report.transactions.filter((t) => t.kind === outcome.kind && t.completed === outcome.completed);
    const amountFen = matching.reduce((sum, t) => sum + t.amountFen, 0);
    if (matching.length > 0) return { key: outcome.key, values: { amount: formatMoney(amountFen) }, tone: outcome.tone };
  }
  return null;
}

/**
 * The account as the card's outcome leaves it, for when the server cannot be asked again (the
 * controller re-reads the server's accounts once the proofs have reached it; this is the offline
 * fallback): the pending transaction is shown as it ended, so the screen agrees with the notice. A
 * load posted moves the money to the purse, a load voided gives it back to the money waiting; an
 * unload posted takes it off the purse, and an unload voided moved nothing. Where a posted
 * unload's money went (the quota or the card's reserve) is not known here: the money waiting is
 * left as read, which can only understate it until the next inquiry.
 */
export function accountAfterRecovery(account: AccountInfo, report: RecoveryReport): AccountInfo {
  const pending = account?.view.pendingLoad;
  if (!account || account.ageMs !== null || !pending) return account;
  const settled = report.transactions.find((t) => t.loadId === pending.loadId);
  if (!settled) return account;
  const view = { ...account.view, pendingLoad: null };
  if (settled.kind === 'load' && settled.completed) view.purseMirrorFen += settled.amountFen;
  if (settled.kind === 'load' && !settled.completed) view.waitingFen += settled.amountFen;
  if (settled.kind === 'unload' && settled.completed) view.purseMirrorFen -= settled.amountFen;
  return { ...account, view };
}
