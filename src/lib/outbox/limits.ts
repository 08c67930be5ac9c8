/** The outbox's limits, in one place. */
export const OUTBOX_LIMITS = {
  /** Operations per push request; the server caps its batches too. */
  pushBatchSizeMax: 100,
  /** Push requests in one drain before yielding (10,000 operations at the batch size). */
  drainRoundCountMax: 100,
  /** Unsent operations a device may hold before it refuses new work and says so. */
  queuedCountMax: 50_000,
  /** How long settled operations stay for the history screen and audits (30 days). */
  settledRetentionMs: 30 * 24 * 60 * 60 * 1000,
} as const;
