/**
 * Timing helpers for benchmarks: warm up, then run in rounds and keep the median round, which
 * resists the noise of a shared machine better than a mean.
 */
export type MeasureOptions = { warmupCount?: number; roundCount?: number; iterationsPerRound: number };

/** Median time per iteration, in microseconds. */
export async function measureUs(fn: () => unknown, options: MeasureOptions): Promise<number> {
  const { warmupCount = Math.min(options.iterationsPerRound, 200), roundCount = 7, iterationsPerRound } = options;
  for (let i = 0; i < warmupCount; i++) await fn();
  const rounds: number[] = [];
  for (let r = 0; r < roundCount; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterationsPerRound; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / iterationsPerRound);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)]!;
}
