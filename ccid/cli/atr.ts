/**
 * `npm run -s fuelcard -- atr HEX... [--json]`: decodes each ATR given on the command line (one
 * argument per ATR; spaces or colons inside a quoted argument are allowed). Text output is for
 * people; with --json each ATR is one JSON object on its own line. A malformed ATR (bad TS,
 * truncated, trailing bytes, longer than 33 bytes, not hex) is reported on stderr and the exit code
 * is 2; the other ATRs are still decoded. No Node imports: console only, so it runs anywhere.
 */
import { HexError, fromHex, toHex } from '../bytes.ts';
import { describeInterfaceBytes, parseAtr, type Atr } from '../iso7816/atr.ts';
import { Iso7816Error } from '../iso7816/errors.ts';

const USAGE = 'usage: npm run -s fuelcard -- atr HEX... [--json]\n  decodes each ATR (one argument per ATR, e.g. 3B6D000057442...)';

/** The JSON shape of one decoded ATR (stable: scripts read it). */
export function atrToJson(atr: Atr): Record<string, unknown> {
  return {
    atr: toHex(atr.bytes),
    convention: atr.convention,
    protocols: atr.protocols,
    defaultProtocol: atr.defaultProtocol,
    fi: atr.fi,
    di: atr.di,
    fiCode: atr.fiCode,
    diCode: atr.diCode,
    n: atr.n,
    wi: atr.wi,
    specificMode: atr.specificMode,
    t1: atr.t1,
    historicalBytes: toHex(atr.historicalBytes),
    tck: atr.tck === null ? null : toHex(Uint8Array.of(atr.tck)),
    tckValid: atr.tckValid,
    interfaceBytes: describeInterfaceBytes(atr),
  };
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

export function formatAtr(atr: Atr): string {
  const lines = [
    `ATR ${toHex(atr.bytes)}`,
    `  convention        ${atr.convention} (TS ${toHex(atr.bytes.subarray(0, 1))})`,
    `  interface bytes   ${describeInterfaceBytes(atr).join(' ') || '(none)'}`,
    `  protocols         ${atr.protocols.map((t) => `T=${t}`).join(', ')}${atr.specificMode ? ` (specific mode, T=${atr.specificMode.protocol})` : ''}`,
    `  Fi / Di           ${atr.fi ?? `RFU(${atr.fiCode})`} / ${atr.di ?? `RFU(${atr.diCode})`}${atr.groups[0]?.ta == null ? ' (defaults)' : ''}`,
    `  guard time N      ${atr.n}`,
  ];
  if (atr.protocols.includes(0)) lines.push(`  T=0 WI            ${atr.wi}`);
  if (atr.t1) lines.push(`  T=1               IFSC ${atr.t1.ifsc}, BWI ${atr.t1.bwi}, CWI ${atr.t1.cwi}, EDC ${atr.t1.edc}`);
  lines.push(
    `  historical bytes  ${toHex(atr.historicalBytes) || '(none)'}${atr.historicalBytes.length ? `  "${printable(atr.historicalBytes)}"` : ''}`,
  );
  const tck = atr.tck === null ? 'absent (T=0 only)' : `${toHex(Uint8Array.of(atr.tck))} ${atr.tckValid ? 'valid' : 'INVALID'}`;
  lines.push(`  TCK               ${tck}`);
  return lines.join('\n');
}

function decode(arg: string): Atr {
  try {
    return parseAtr(fromHex(arg.replace(/[:\s]/g, '')));
  } catch (error) {
    if (error instanceof HexError) throw new Iso7816Error('ATR_NOT_HEX', `not hex: ${error.message}`);
    throw error;
  }
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json');
  if (unknown.length > 0) {
    console.error(`unknown option: ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const atrs = args.filter((a) => a !== '--json');
  if (atrs.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let exitCode = 0;
  for (const arg of atrs) {
    try {
      const atr = decode(arg);
      console.log(json ? JSON.stringify(atrToJson(atr)) : formatAtr(atr));
    } catch (error) {
      if (!(error instanceof Iso7816Error)) throw error;
      console.error(`malformed ATR ${JSON.stringify(arg)}: ${error.message} [${error.code}]`);
      exitCode = 2;
    }
  }
  return exitCode;
}
