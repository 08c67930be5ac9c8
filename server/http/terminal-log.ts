/**
 * Log lines for a person at a terminal: `15:04:05 WARN  message key=value`, the time in
 * Asia/Shanghai (as everything a person reads, docs/architecture.md decision 10). Used by the
 * server process when its standard output is a terminal; otherwise the log stays JSON lines for a
 * collector. The fields are pino's after the serializers ran, so nothing the JSON keeps out
 * (statement values, whole card numbers) comes back here.
 */
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown as the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);

const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function shown(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** One JSON log line as one readable line (an unparseable line is passed on as it came). */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry.time === 'number' ? clock.format(new Date(entry.time)) : '--:--:--';
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key) && key !== 'err')
    .map(([key, value]) => `${key}=${shown(value)}`);
  const head = [time, level, String(entry.msg ?? ''), ...fields].join(' ');
  return err?.stack === undefined ? `${head}\n` : `${head}\n${err.stack}\n`;
}

export function terminalStream(out: { write(text: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(formatLogLine(line)) };
}
