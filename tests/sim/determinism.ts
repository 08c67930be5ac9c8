/**
 * The simulated clock, and the shims that make the code under test deterministic for one run.
 *
 * Where the code under test takes a clock (KioskController's `nowMs`, the server's `now`), the
 * harness passes the simulated one. Where it reads the wall clock or the system's randomness
 * itself — Outbox.enqueue and drain (Date.now), newOperationId (Date.now, crypto.getRandomValues),
 * the server's load and transfer ids and savepoint names (node:crypto randomUUID), fastify's
 * request ids (crypto.randomUUID) — the shims below answer from the simulated clock and the
 * seeded PRNG while a run is in progress, and are removed afterwards. The values those reads make
 * (ids, timestamps) then repeat from one replay of a seed to the next.
 */
import nodeCrypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import type { SimRandom } from './random.ts';

/** 2030-03-01T00:00:00Z: after every clock the demo data uses, before the cards expire (2034). */
export const SIM_EPOCH_MS = Date.UTC(2030, 2, 1);

export class SimClock {
  #nowMs = SIM_EPOCH_MS;

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`assertion: the simulated clock only moves forward (${ms})`);
    this.#nowMs += Math.round(ms);
  }

  /** To an absolute time (events are taken in time order, so this never goes back). */
  advanceTo(atMs: number): void {
    if (atMs > this.#nowMs) this.#nowMs = atMs;
  }
}

function uuidFrom(bytes: Uint8Array): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Restore = () => void;

/** Installs the shims; returns the function that removes them. One run at a time. */
export function installDeterminism(clock: SimClock, random: SimRandom): Restore {
  const dateNow = Date.now;
  const web = globalThis.crypto as Crypto & Record<string, unknown>;
  const hadOwnGetRandomValues = Object.prototype.hasOwnProperty.call(web, 'getRandomValues');
  const hadOwnRandomUuid = Object.prototype.hasOwnProperty.call(web, 'randomUUID');
  const nodeRandomUuid = nodeCrypto.randomUUID;
  const uuid = (): `${string}-${string}-${string}-${string}-${string}` =>
    uuidFrom(random.fill(new Uint8Array(16))) as `${string}-${string}-${string}-${string}-${string}`;

  Date.now = () => clock.nowMs();
  web.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    if (array) random.fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  };
  web.randomUUID = uuid;
  (nodeCrypto as { randomUUID: typeof nodeCrypto.randomUUID }).randomUUID = uuid;
  syncBuiltinESMExports();

  return () => {
    Date.now = dateNow;
    if (!hadOwnGetRandomValues) delete (web as Record<string, unknown>).getRandomValues;
    if (!hadOwnRandomUuid) delete (web as Record<string, unknown>).randomUUID;
    (nodeCrypto as { randomUUID: typeof nodeCrypto.randomUUID }).randomUUID = nodeRandomUuid;
    syncBuiltinESMExports();
  };
}
