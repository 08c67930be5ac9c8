/**
 * APDU traces and transcripts. `TraceRecorder` records every exchange (time, direction, hex,
 * command name from a pluggable namer) with the data field of PIN commands masked as `**`, so a
 * trace can be logged or attached to a bug report without leaking a PIN (docs/architecture.md
 * decision 7). The same text format serves as test transcripts:
 *   `> 00A404000E315041592E5359532E4444463031`   command (hex, spaces allowed; `**` = masked data)
 *   `< 6F1A...9000`                               response (data + SW1 SW2)
 *   `# ...`                                       comment; blank lines are ignored.
 * `parseTranscript` turns the text into exchanges, refusing a bad line with its number;
 * `replayTranscript` checks that a `transmit` function answers as recorded.
 */
import { HexError, equalBytes, fromHex, toHex } from '../bytes.ts';
import { decodeCommandApdu } from './apdu.ts';
import { Iso7816Error, assert } from './errors.ts';
import { withLimits, type Iso7816Limits } from './limits.ts';

/**
 * INS codes whose data field carries a PIN or PIN block, whatever the CLA: ISO 7816-4 §11.5
 * VERIFY (20/21), CHANGE REFERENCE DATA (24; PBOC PIN UNBLOCK 84 24), RESET RETRY COUNTER (2C);
 * PBOC CHANGE PIN / RELOAD PIN (80 5E, docs/card-protocol.md §2.6).
 */
export const PIN_INS = {
  VERIFY: 0x20,
  VERIFY_ODD: 0x21,
  CHANGE_REFERENCE_DATA: 0x24,
  RESET_RETRY_COUNTER: 0x2c,
  PBOC_CHANGE_PIN: 0x5e,
} as const;

export const MASK = '**';

const PIN_INS_SET: ReadonlySet<number> = new Set(Object.values(PIN_INS));

export type CommandNamer = (command: Uint8Array) => string | undefined;

export function isPinCommand(command: Uint8Array): boolean {
  return command.length > 5 && PIN_INS_SET.has(command[1] ?? -1);
}

/** Hex of a command with the data field of a PIN command replaced by `**` (Lc and Le kept). */
export function maskCommand(command: Uint8Array, isPin: (command: Uint8Array) => boolean = isPinCommand): string {
  if (!isPin(command)) return toHex(command);
  try {
    const apdu = decodeCommandApdu(command);
    const lcLength = apdu.case.endsWith('E') ? 3 : 1;
    const leLength = command.length - 4 - lcLength - apdu.data.length;
    return `${toHex(command.subarray(0, 4 + lcLength))}${MASK}${toHex(command.subarray(command.length - leLength))}`;
  } catch {
    // A malformed PIN command still must not leak: keep the header and Lc only.
    return `${toHex(command.subarray(0, 5))}${MASK}`;
  }
}

/** Interindustry command names (ISO 7816-4 §11); proprietary classes are left to the layer above. */
const ISO_NAMES: ReadonlyMap<number, string> = new Map([
  [0xa4, 'SELECT'],
  [0xb0, 'READ BINARY'],
  [0xb2, 'READ RECORD'],
  [0xd6, 'UPDATE BINARY'],
  [0xdc, 'UPDATE RECORD'],
  [0xe2, 'APPEND RECORD'],
  [0x20, 'VERIFY'],
  [0x24, 'CHANGE REFERENCE DATA'],
  [0x2c, 'RESET RETRY COUNTER'],
  [0x84, 'GET CHALLENGE'],
  [0x88, 'INTERNAL AUTHENTICATE'],
  [0x82, 'EXTERNAL AUTHENTICATE'],
  [0xc0, 'GET RESPONSE'],
  [0xca, 'GET DATA'],
  [0x70, 'MANAGE CHANNEL'],
]);

export const isoCommandName: CommandNamer = (command) => {
  const cla = command[0];
  if (cla === undefined || (cla & 0x80) !== 0) return undefined;
  return ISO_NAMES.get(command[1] ?? -1);
};

export interface TraceEntry {
  timeMs: number;
  direction: 'command' | 'response' | 'comment';
  /** Hex (commands masked), or the comment text. */
  text: string;
  name?: string;
}

export interface TraceRecorderOptions {
  namer?: CommandNamer;
  clock?: () => number;
  isPinCommand?: (command: Uint8Array) => boolean;
  limits?: Partial<Pick<Iso7816Limits, 'traceEntryCountMax'>>;
}

export class TraceRecorder {
  private readonly list: TraceEntry[] = [];
  private readonly namer: CommandNamer;
  private readonly clock: () => number;
  private readonly isPin: (command: Uint8Array) => boolean;
  private readonly entryCountMax: number;

  constructor(options: TraceRecorderOptions = {}) {
    this.namer = options.namer ?? isoCommandName;
    this.clock = options.clock ?? (() => Date.now());
    this.isPin = options.isPinCommand ?? isPinCommand;
    this.entryCountMax = withLimits(options.limits).traceEntryCountMax;
  }

  get entries(): readonly TraceEntry[] {
    return this.list;
  }

  command(apdu: Uint8Array): void {
    const name = this.namer(apdu) ?? isoCommandName(apdu);
    this.push({ timeMs: this.clock(), direction: 'command', text: maskCommand(apdu, this.isPin), ...(name === undefined ? {} : { name }) });
  }

  response(apdu: Uint8Array): void {
    this.push({ timeMs: this.clock(), direction: 'response', text: toHex(apdu) });
  }

  comment(text: string): void {
    this.push({ timeMs: this.clock(), direction: 'comment', text: text.replace(/[\r\n]+/g, ' ') });
  }

  /** Wraps a transmit function so that every exchange through it is recorded. */
  wrap(transmit: (apdu: Uint8Array) => Promise<Uint8Array>): (apdu: Uint8Array) => Promise<Uint8Array> {
    return async (apdu) => {
      this.command(apdu);
      const response = await transmit(apdu);
      this.response(response);
      return response;
    };
  }

  clear(): void {
    this.list.length = 0;
  }

  /** The transcript text: a `# name` comment before named commands, then `>` and `<` lines. */
  toTranscript(): string {
    const lines: string[] = [];
    for (const entry of this.list) {
      if (entry.direction === 'comment') lines.push(`# ${entry.text}`);
      else if (entry.direction === 'response') lines.push(`< ${entry.text}`);
      else {
        if (entry.name !== undefined) lines.push(`# ${entry.name}`);
        lines.push(`> ${entry.text}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  private push(entry: TraceEntry): void {
    this.list.push(entry);
    if (this.list.length > this.entryCountMax) this.list.splice(0, this.list.length - this.entryCountMax);
  }
}

export interface TranscriptExchange {
  /** The command; when `commandMasked`, only the bytes before the masked data field (header + Lc). */
  command: Uint8Array;
  commandMasked: boolean;
  /** Le bytes after a masked data field (empty otherwise). */
  commandSuffix: Uint8Array;
  response: Uint8Array;
  /** 1-based line of the command. */
  line: number;
}

function syntax(line: number, message: string): never {
  throw new Iso7816Error('TRANSCRIPT_SYNTAX', `transcript line ${line}: ${message}`, { line });
}

function hexOf(text: string, line: number): Uint8Array {
  try {
    return fromHex(text);
  } catch (error) {
    if (error instanceof HexError) syntax(line, error.message);
    throw error;
  }
}

function parseCommand(text: string, line: number): Pick<TranscriptExchange, 'command' | 'commandMasked' | 'commandSuffix'> {
  const parts = text.split(MASK);
  if (parts.length > 2) syntax(line, `more than one ${MASK} mask`);
  const command = hexOf(parts[0] ?? '', line);
  const commandSuffix = parts.length === 2 ? hexOf(parts[1] ?? '', line) : new Uint8Array(0);
  if (command.length < 4) syntax(line, 'a command needs at least CLA INS P1 P2');
  return { command, commandMasked: parts.length === 2, commandSuffix };
}

/** An exchange of a trace, where a command may have no response (the card was pulled, the trace cut). */
export interface TraceExchange extends Omit<TranscriptExchange, 'response'> {
  response: Uint8Array | null;
}

export type TraceParseOptions = {
  limits?: Partial<Pick<Iso7816Limits, 'transcriptLineCountMax' | 'transcriptLineCharsMax'>>;
  /** Keep a command without a response (response null) instead of refusing the line. */
  unanswered?: 'refuse' | 'keep';
};

/** The text of a line without a trailing `# comment` (a `#` cannot occur in hex or a mask). */
function withoutComment(raw: string): string {
  const at = raw.indexOf('#');
  return (at < 0 ? raw : raw.slice(0, at)).trim();
}

/**
 * Parses trace text: `>` commands, `<` responses, `#` comments (whole line or after the hex), blank
 * lines. Throws Iso7816Error TRANSCRIPT_SYNTAX (with `line`) or TRANSCRIPT_TOO_LARGE.
 */
export function parseTrace(text: string, options: TraceParseOptions = {}): TraceExchange[] {
  const caps = withLimits(options.limits);
  const keepUnanswered = options.unanswered === 'keep';
  const lines = text.split(/\r?\n/);
  if (lines.length > caps.transcriptLineCountMax) {
    throw new Iso7816Error('TRANSCRIPT_TOO_LARGE', `transcript has ${lines.length} lines, at most ${caps.transcriptLineCountMax}`);
  }
  const exchanges: TraceExchange[] = [];
  let pending: TraceExchange | null = null;
  for (let index = 0; index < lines.length; index++) {
    const number = index + 1;
    const raw = lines[index] ?? '';
    if (raw.length > caps.transcriptLineCharsMax) syntax(number, `longer than ${caps.transcriptLineCharsMax} characters`);
    const line = withoutComment(raw);
    if (line === '') continue;
    const marker = line[0];
    const body = line.slice(1).trim();
    if (marker === '>') {
      if (pending !== null && !keepUnanswered) syntax(number, `command on line ${pending.line} has no response`);
      pending = { ...parseCommand(body, number), line: number, response: null };
      exchanges.push(pending);
    } else if (marker === '<') {
      if (pending === null) syntax(number, 'response without a command');
      const response = hexOf(body, number);
      if (response.length < 2) syntax(number, 'a response needs at least SW1 SW2');
      pending.response = response;
      pending = null;
    } else {
      syntax(number, 'expected "> hex", "< hex", "# comment" or a blank line');
    }
  }
  if (pending !== null && !keepUnanswered) syntax(pending.line, 'command has no response');
  return exchanges;
}

/** Parses transcript text, where every command has its response (see parseTrace). */
export function parseTranscript(text: string, limits?: TraceParseOptions['limits']): TranscriptExchange[] {
  const exchanges = parseTrace(text, limits === undefined ? {} : { limits });
  return exchanges.map((exchange) => {
    assert(exchange.response !== null, 'a transcript command without a response is refused while parsing');
    return { ...exchange, response: exchange.response };
  });
}

/** Whether a command sent now matches a transcript command (masked data matches any data of the same Lc). */
export function commandMatches(expected: TranscriptExchange, actual: Uint8Array): boolean {
  if (!expected.commandMasked) return equalBytes(expected.command, actual);
  const prefix = expected.command;
  const suffix = expected.commandSuffix;
  if (actual.length < prefix.length + suffix.length) return false;
  return equalBytes(actual.subarray(0, prefix.length), prefix) && equalBytes(actual.subarray(actual.length - suffix.length), suffix);
}

export interface ReplayOptions {
  /** Supplies the full command for a masked (PIN) line, e.g. with a test PIN; without it masked lines are refused. */
  unmask?: (exchange: TranscriptExchange) => Uint8Array;
}

/**
 * Sends every recorded command through `transmit` and checks the answer equals the recorded
 * response. Resolves with the number of exchanges; throws Iso7816Error TRANSCRIPT_MISMATCH
 * (with `line`) at the first difference.
 */
export async function replayTranscript(
  transcript: string | readonly TranscriptExchange[],
  transmit: (command: Uint8Array) => Promise<Uint8Array> | Uint8Array,
  options: ReplayOptions = {},
): Promise<number> {
  const exchanges = typeof transcript === 'string' ? parseTranscript(transcript) : transcript;
  for (const exchange of exchanges) {
    let command = exchange.command;
    if (exchange.commandMasked) {
      if (options.unmask === undefined) {
        throw new Iso7816Error(
          'TRANSCRIPT_MISMATCH',
          `transcript line ${exchange.line}: masked command cannot be replayed without unmask`,
          { line: exchange.line },
        );
      }
      command = options.unmask(exchange);
    }
    const response = await transmit(command);
    if (!equalBytes(response, exchange.response)) {
      throw new Iso7816Error(
        'TRANSCRIPT_MISMATCH',
        `transcript line ${exchange.line}: ${toHex(command)} answered ${toHex(response)}, recorded ${toHex(exchange.response)}`,
        { line: exchange.line },
      );
    }
  }
  return exchanges.length;
}

/**
 * The other direction: a responder that plays the card from a transcript, for tests of the layers
 * above. Throws TRANSCRIPT_MISMATCH when a command differs from the next recorded one.
 */
export function transcriptResponder(transcript: string | readonly TranscriptExchange[]): (command: Uint8Array) => Uint8Array {
  const exchanges = typeof transcript === 'string' ? parseTranscript(transcript) : transcript;
  let next = 0;
  return (command) => {
    const exchange = exchanges[next];
    if (exchange === undefined) throw new Iso7816Error('TRANSCRIPT_MISMATCH', `command ${toHex(command)} after the end of the transcript`);
    if (!commandMatches(exchange, command)) {
      throw new Iso7816Error(
        'TRANSCRIPT_MISMATCH',
        `transcript line ${exchange.line}: expected ${toHex(exchange.command)}, got ${toHex(command)}`,
        { line: exchange.line },
      );
    }
    next += 1;
    return Uint8Array.from(exchange.response);
  };
}
