/**
 * Whole-transaction retry on serialization failure (40001) and deadlock (40P01), bounded
 * (DESIGN.md decision 3). Any other error, or the last failed attempt, is rethrown as is.
 */
import { LIMITS } from '../limits.ts';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

export async function withRetry<T>(attempt: () => Promise<T>, retryCountMax: number = LIMITS.transactionRetryCountMax): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || retry >= retryCountMax) throw error;
      const backoffMs = LIMITS.transactionRetryBackoffMs * 2 ** retry * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}
