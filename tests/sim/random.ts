/**
 * The simulation's one source of chance: a seeded PRNG (splitmix32 to spread the seed, then
 * mulberry32), with the few draws the harness needs. Every decision of a run — workload, faults,
 * delays, device ids — comes from here, so one seed replays one run exactly (docs/operations.md
 * "Simulation, crash test, benchmarks").
 */
export class SimRandom {
  #state: number;

  /**
   * `stream` picks an independent generator for the same seed (0 is the run's own): a part of the
   * harness added later draws from a stream of its own, so adding it does not shift the story every
   * other seed tells.
   */
  constructor(seed: number, stream = 0) {
    // splitmix32 of the seed, so that seeds 1, 2, 3 ... start far apart.
    let z = (seed + 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    this.#state = (z ^ (z >>> 16) ^ Math.imul(stream, 0x632be5ab)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('assertion: pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A child generator, so that adding draws in one part of the harness does not shift another. */
  fork(): SimRandom {
    return new SimRandom(Math.floor(this.next() * 4294967296));
  }

  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(this.next() * 256);
    return bytes;
  }
}
