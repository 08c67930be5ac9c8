/**
 * The shape every benchmark module exports. `npm run bench` (tests/bench/run.ts) imports every
 * `tests/bench/*.bench.ts`, calls `run()`, prints a table and writes bench-results.json.
 * Speed is reported as a ratio against a baseline measured in the same process, never as an
 * absolute pass/fail threshold: these machines are shared and noisy.
 */
export type BenchResult = {
  /** Dotted name, e.g. `ccid.apdu_overhead_us.tpdu_t1`; the unit is the last word of the name where it has one. */
  name: string;
  value: number;
  unit: string;
  /** The same measure on a baseline run in the same process, when there is one. */
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
};

export type BenchModule = {
  run(): Promise<BenchResult[]>;
};
