/**
 * Pre-allocation (额度预分配) for a multi-user (unit) customer at the outlet tablet (docs/domain.md
 * "Multi-user issue and recharge"): with the unit's main card inserted and opened, the clerk sees
 * each of the customer's cards with its reserve (备付金) and the ledger's mirror of its purse, and
 * moves amounts from the customer's quota to chosen cards' reserves, as one `preallocation`
 * operation (QUOTA → RESERVE per card, docs/ledger.md), exactly once by its operation id. Each card
 * then loads from its own reserve at a counter load.
 */
import type { CustomerDetail } from '../../server/contract/customers.ts';
import { parseYuan } from '../lib/money.ts';
import type { StaffAccountView, StaffBackend } from './backend.ts';
import { STAFF_ERROR, StaffError, toStaffError } from './errors.ts';
import { queueAndWait, type QueueDeps, type QueuedOutcome } from './queue.ts';

/** A card a pre-allocation may fund: the unit's active main and sub cards, the main card first. */
export function allocatableCards(detail: CustomerDetail): string[] {
  if (detail.customer.kind !== 'unit') return [];
  const active = detail.cards.filter((c) => c.state === 'active' && (c.role === 'main' || c.role === 'sub'));
  return [...active.filter((c) => c.role === 'main'), ...active.filter((c) => c.role === 'sub')].map((c) => c.cardNo);
}

/** The unit's active main card: the one that must be in the reader. */
export function mainCardOf(detail: CustomerDetail): string | null {
  return detail.cards.find((c) => c.role === 'main' && c.state === 'active')?.cardNo ?? null;
}

export type CardBalances = { cardNo: string; reserveFen: number | null; purseMirrorFen: number; quotaFen: number | null };

/** Each card's reserve and purse mirror, as the server's view of the card (src/staff/backend.ts inquiry). */
export async function balancesOf(backend: StaffBackend, cardNos: readonly string[]): Promise<CardBalances[]> {
  try {
    const views: StaffAccountView[] = [];
    for (const cardNo of cardNos) views.push(await backend.inquiry(cardNo));
    return views.map((v) => ({ cardNo: v.cardNo, reserveFen: v.reserveFen, purseMirrorFen: v.purseMirrorFen, quotaFen: v.quotaFen }));
  } catch (error) {
    throw toStaffError(error);
  }
}

export type AllocationEntry = { cardNo: string; text: string };
export type Allocation = { cardNo: string; amountFen: number };
export type AllocationProblem = { kind: 'amount'; cardNo: string } | { kind: 'none' } | { kind: 'over_quota'; totalFen: number };

/**
 * The amounts typed per card, as the operation's allocations: blank entries skipped, each other a
 * positive amount in yuan (at most 2 decimals), each card once, the total within the customer's
 * quota when known (the server checks it again: INSUFFICIENT_FUNDS).
 */
export function allocationsFrom(
  entries: readonly AllocationEntry[],
  quotaFen: number | null,
): { allocations: Allocation[]; totalFen: number } | { problem: AllocationProblem } {
  const allocations: Allocation[] = [];
  const seen = new Set<string>();
  let totalFen = 0;
  for (const entry of entries) {
    if (entry.text.trim() === '') continue;
    const amountFen = parseYuan(entry.text);
    if (amountFen === null || amountFen <= 0 || seen.has(entry.cardNo)) return { problem: { kind: 'amount', cardNo: entry.cardNo } };
    seen.add(entry.cardNo);
    allocations.push({ cardNo: entry.cardNo, amountFen });
    totalFen += amountFen;
  }
  if (allocations.length === 0) return { problem: { kind: 'none' } };
  if (quotaFen !== null && totalFen > quotaFen) return { problem: { kind: 'over_quota', totalFen } };
  return { allocations, totalFen };
}

/** Queues the pre-allocation and waits a moment for its answer (offline: it stays queued). */
export async function preallocate(deps: QueueDeps, customerId: string, allocations: readonly Allocation[]): Promise<QueuedOutcome> {
  if (allocations.length === 0 || allocations.some((a) => !Number.isSafeInteger(a.amountFen) || a.amountFen <= 0))
    throw new StaffError(STAFF_ERROR.AMOUNT_INVALID, 'a pre-allocation needs positive amounts');
  return queueAndWait(deps, 'preallocation', { customerId, allocations: allocations.map((a) => ({ ...a })) });
}
