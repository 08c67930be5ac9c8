/**
 * The isolation level of the transactions that move money (load, unload, recovery, sync push).
 *
 * READ COMMITTED with explicit row locks, not SERIALIZABLE. Measured on PostgreSQL 15 with 32
 * concurrent kiosks (tests/bench/ledger.bench.ts): at SERIALIZABLE the load transactions failed
 * with 40001 on every kind of statement (INSERT INTO operation / card_load / transfer / audit_log,
 * UPDATE account / card), exhausted their 8 retries and were answered 503, and turning sequential
 * scans off (index-only access paths, as on a large production table) did not stop it. The cause
 * is structural, not a planner accident: PostgreSQL's SSI takes predicate (SIRead) locks on B-tree
 * *pages*, and every load reads (unique checks, the card's pending load, the audit head, the
 * operation id) and inserts into the same few hot index pages — the partial index of pending loads
 * is small by nature, the audit heads and operation ids are looked up by every load. Each pair of
 * concurrent loads on different cards therefore has rw-antidependencies both ways, and SSI aborts
 * one of them as a "dangerous structure" although their rows never meet. Retrying does not help
 * under sustained concurrency: the retried transaction meets the next batch of neighbours.
 *
 * The invariants do not depend on SERIALIZABLE; each is held by a lock or a constraint that works
 * at READ COMMITTED (where a statement that waited for a row lock sees the row's latest committed
 * version, and every statement takes a fresh snapshot):
 * - one purse, one story: every online transaction of a card first locks the card row
 *   (`readCard(..., lock)`, FOR UPDATE); the card's pending load, counters and state are read
 *   only after that lock is held, in later statements, so they are current;
 * - balances: every account a transfer touches is locked FOR UPDATE in ascending id order before
 *   its figures are read and written (transfers.ts); the CHECK `account_not_below_zero` is the
 *   last line of defence, and the figures are written as values computed under the lock;
 * - a transfer resolves once: its row is locked FOR UPDATE and its state checked; the trigger
 *   `transfer_guard` refuses any second change;
 * - one pending load per card and one load per (card, counter): partial UNIQUE indexes;
 * - exactly once: `operation.id` is a primary key (a concurrent duplicate fails with 23505 and is
 *   answered from the winner's record); a device's push is serialised on its `device_sync` row;
 * - the audit chain: the head row is locked by INSERT … ON CONFLICT DO UPDATE before the next
 *   link is hashed.
 * Deadlocks (40P01) remain possible in principle, so the bounded retry stays on; 40001 cannot
 * occur at this level on PostgreSQL, but on a distributed engine that runs everything
 * SERIALIZABLE (CockroachDB) the same code is still correct and the same retry applies.
 */
import type { Isolation } from '../db/index.ts';

export const MONEY_ISOLATION: Isolation = 'read committed';
