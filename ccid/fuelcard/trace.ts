/**
 * The APDU trace format (our transcripts, and what the decoder reads): `> hex` is a command,
 * `< hex` its response (data then SW1 SW2), `#` starts a comment (a whole line, or the rest of a
 * line after the hex), blank lines are ignored. Anything else is refused with its line number.
 */
import { fromHex, toHex } from '../bytes.ts';
import { FUEL_CARD_ERROR, FuelCardError } from './errors.ts';

export type TraceExchange = { line: number; command: Uint8Array; response: Uint8Array | null };

/** A trace longer than this is not a card session (ten thousand exchanges). */
const TRACE_LINES_MAX = 20_000;

function refuse(line: number, why: string): never {
  throw new FuelCardError(FUEL_CARD_ERROR.TRACE_INVALID, `line ${line}: ${why}`);
}

export function parseTrace(text: string): TraceExchange[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > TRACE_LINES_MAX) refuse(TRACE_LINES_MAX, `trace longer than ${TRACE_LINES_MAX} lines`);
  const exchanges: TraceExchange[] = [];
  let open: TraceExchange | null = null;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.replace(/#.*$/, '').trim();
    if (text === '') return;
    const marker = text[0];
    const hex = text.slice(1).replace(/\s+/g, '');
    if ((marker !== '>' && marker !== '<') || !/^([0-9A-Fa-f]{2})+$/.test(hex)) refuse(line, `not a command (> hex) or response (< hex): ${raw.trim().slice(0, 40)}`);
    const bytes = fromHex(hex);
    if (marker === '>') {
      if (bytes.length < 4) refuse(line, `command shorter than a 4-byte header: ${toHex(bytes)}`);
      open = { line, command: bytes, response: null };
      exchanges.push(open);
      return;
    }
    if (open === null) refuse(line, 'response without a command before it');
    if (bytes.length < 2) refuse(line, 'response shorter than a status word');
    open.response = bytes;
    open = null;
  });
  return exchanges;
}

export function formatTrace(exchanges: readonly { command: Uint8Array; response: Uint8Array | null; comment?: string }[]): string {
  const out: string[] = [];
  for (const e of exchanges) {
    if (e.comment !== undefined) out.push(`# ${e.comment}`);
    out.push(`> ${toHex(e.command)}`);
    if (e.response !== null) out.push(`< ${toHex(e.response)}`);
  }
  return `${out.join('\n')}\n`;
}
