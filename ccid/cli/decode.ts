/**
 * `npm run -s fuelcard -- decode FILE [--json]`: prints each exchange of an APDU trace with the
 * command's name, its decoded fields and the status word's meaning; `--json` prints one JSON object
 * per exchange and line: {"command", "sw", "fields"}. Exit codes: 0 decoded, 2 bad usage, an
 * unreadable file, or a line that is not `> hex` / `< hex` (reported with its line number).
 */
import { readFile } from 'node:fs/promises';
import { decodeTrace, type DecodedExchange } from '../fuelcard/decode.ts';
import { FuelCardError } from '../fuelcard/errors.ts';

const USAGE = 'usage: npm run -s fuelcard -- decode FILE [--json]';

export type Output = { out: (line: string) => void; err: (line: string) => void };
const CONSOLE: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatExchange(e: DecodedExchange): string {
  const fields = Object.entries(e.fields).map(([key, value]) => `${key}=${formatValue(value)}`);
  const status = e.sw === null ? '(no response)' : `${e.sw} ${e.meaning}`;
  return [`${String(e.line).padStart(4)}  ${e.command}`, ...fields.map((f) => `      ${f}`), `      -> ${status}`].join('\n');
}

export async function run(args: string[], output: Output = CONSOLE): Promise<number> {
  const [subcommand, ...rest] = args[0] === 'decode' ? args : ['decode', ...args];
  const json = rest.includes('--json');
  const files = rest.filter((a) => a !== '--json');
  const unknown = files.filter((a) => a.startsWith('-'));
  if (subcommand !== 'decode' || files.length !== 1 || unknown.length > 0) {
    output.err(USAGE);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(files[0]!, 'utf8');
  } catch (error) {
    output.err(`cannot read ${files[0]}: ${(error as Error).message}`);
    return 2;
  }
  let exchanges: DecodedExchange[];
  try {
    exchanges = decodeTrace(text);
  } catch (error) {
    if (!(error instanceof FuelCardError)) throw error;
    output.err(`${files[0]}: ${error.message}`);
    return 2;
  }
  for (const e of exchanges) output.out(json ? JSON.stringify({ command: e.command, sw: e.sw, fields: e.fields }) : formatExchange(e));
  return 0;
}
