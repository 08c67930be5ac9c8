/**
 * The counters behind the per-address sign-in rate limit (@fastify/rate-limit's `store`): a fixed
 * window per address, in this process's memory. The plugin's own LocalStore answers every caller
 * with the same mutable record, read only after the caller's await: 40 requests from one address
 * arriving at once all saw the count of 40 and all were refused, the first 30 included. This one
 * answers each caller with its own count.
 */
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { LIMITS } from '../limits.ts';

type Window = { count: number; startedMs: number };

export class AddressCounter implements FastifyRateLimitStore {
  readonly #windows = new Map<string, Window>();

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
    const nowMs = Date.now();
    let window = this.#windows.get(key);
    if (!window || window.startedMs + timeWindow <= nowMs) window = { count: 0, startedMs: nowMs };
    window.count++;
    // Map order is insertion order: re-inserting keeps the most recently seen addresses last, and
    // past the bound the least recently seen one is forgotten (it only loses its count).
    this.#windows.delete(key);
    this.#windows.set(key, window);
    if (this.#windows.size > LIMITS.loginRateAddressCountMax) this.#windows.delete(this.#windows.keys().next().value!);
    callback(null, { current: window.count, ttl: window.startedMs + timeWindow - nowMs });
  }

  child(): FastifyRateLimitStore {
    return new AddressCounter();
  }
}
