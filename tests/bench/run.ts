/**
 * `npm run bench`: runs every tests/bench/*.bench.ts (or those named on the command line),
 * prints a table and writes bench-results.json at the root: an array of BenchResult.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchResult } from './types.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((o) => name.startsWith(o)))
  .sort();

const results: BenchResult[] = [];
let failures = 0;
for (const file of files) {
  process.stderr.write(`bench: ${file} ...\n`);
  try {
    const module = (await import(`./${file}`)) as BenchModule;
    results.push(...(await module.run()));
  } catch (error) {
    failures++;
    console.error(`bench: ${file} failed:`, error);
  }
}

const fmt = (n: number | undefined): string => (n === undefined ? '' : n < 10 ? n.toFixed(3) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
const rows = results.map((r) => [r.name, fmt(r.value), r.unit, fmt(r.baseline), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`]);
const header = ['name', 'value', 'unit', 'baseline', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

writeFileSync(`${root}bench-results.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${results.length} results from ${files.length} benchmark files written to bench-results.json`);
process.exitCode = failures === 0 ? 0 : 1;
