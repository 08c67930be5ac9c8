/**
 * Whole-transaction retry on serialization failure (40001) and deadlock (40P01), bounded
 * (docs/architecture.md decision 3). Any other error, or the last failed attempt, is rethrown as
 * is.
 */
import { LIMITS } from '../limits.ts';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** Process-wide counts of retried attempts by SQLSTATE and of transactions that gave up (the benchmark reports them). */
export const RETRY_STATS = { retried: new Map<string, number>(), exhausted: 0 };

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

export async function withRetry<T>(attempt: () => Promise<T>, retryCountMax: number = LIMITS.transactionRetryCountMax): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (retry >= retryCountMax) {
        RETRY_STATS.exhausted++;
        throw error;
      }
      const code = (error as { code: string }).code;
      RETRY_STATS.retried.set(code, (RETRY_STATS.retried.get(code) ?? 0) + 1);
      const backoffMs = LIMITS.transactionRetryBackoffMs * 2 ** retry * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}
