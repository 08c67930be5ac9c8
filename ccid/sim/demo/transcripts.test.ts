/**
 * The recorded transcripts in tests/transcripts: each matches a fresh recording of its session
 * against the simulated card (UPDATE_TRANSCRIPTS=1 rewrites them), decodes with every command named
 * as docs/card-protocol.md names it, and replays against a fresh card in the same state, answer for
 * answer.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/decode.ts';
import { decodeTrace } from '../../fuelcard/decode.ts';
import { parseTranscript, replayTranscript } from '../../iso7816/trace.ts';
import { recordSessions, SESSIONS, startSession } from './sessions.ts';

const DIRECTORY = fileURLToPath(new URL('../../../tests/transcripts/', import.meta.url));
const nameOf = (file: string): string => file.replace(/\.apdu$/, '');
const read = (file: string): string => readFileSync(`${DIRECTORY}${file}`, 'utf8');

/**
 * The commands each session must show, in order of first use (the and
 * docs/card-protocol.md's names).
 */
const EXPECTED_COMMANDS: Record<string, string[]> = {
  read: ['SELECT', 'READ_BINARY', 'VERIFY', 'READ_RECORD', 'GET_LOCK_PROOF', 'GET_BALANCE'],
  load: ['SELECT', 'VERIFY', 'INITIALIZE_FOR_LOAD', 'CREDIT_FOR_LOAD'],
  unload: ['SELECT', 'VERIFY', 'INITIALIZE_FOR_UNLOAD', 'DEBIT_FOR_UNLOAD'],
  'load-recovery': ['SELECT', 'VERIFY', 'INITIALIZE_FOR_LOAD', 'CREDIT_FOR_LOAD', 'GET_TRANSACTION_PROVE'],
  'pin-change': ['SELECT', 'CHANGE_PIN', 'VERIFY'],
  'pin-unblock': ['SELECT', 'VERIFY', 'GET_CHALLENGE', 'PIN_UNBLOCK', 'RELOAD_PIN'],
  'grey-unlock': ['SELECT', 'VERIFY', 'GET_LOCK_PROOF', 'INITIALIZE_FOR_GREY_UNLOCK', 'GREY_UNLOCK'],
  personalise: [
    'SELECT',
    'WRITE_KEY',
    'GET_CHALLENGE',
    'UPDATE_BINARY',
    'END_PERSONALISATION',
    'READ_BINARY',
    'VERIFY',
    'READ_RECORD',
    'GET_LOCK_PROOF',
    'GET_BALANCE',
  ],
};

const firstUses = (names: string[]): string[] => [...new Set(names)];

describe('recorded transcripts', async () => {
  const fresh = await recordSessions();
  if (process.env.UPDATE_TRANSCRIPTS === '1') {
    for (const [name, text] of Object.entries(fresh)) writeFileSync(`${DIRECTORY}${name}.apdu`, text);
  }
  const FILES = readdirSync(DIRECTORY)
    .filter((f) => f.endsWith('.apdu'))
    .sort();

  it('has one transcript on disk for every session and a session for every transcript', () => {
    expect(FILES.map(nameOf).sort()).toEqual(Object.keys(SESSIONS).sort());
  });

  it.each(Object.keys(SESSIONS))('the %s transcript on disk matches a fresh recording against the simulated card', (name) => {
    expect(read(`${name}.apdu`)).toBe(fresh[name]);
  });

  it.each(FILES)('%s decodes with every command named, answered and its fields decoded', (file) => {
    const exchanges = decodeTrace(read(file));
    for (const e of exchanges) {
      expect(e.command, `${file} line ${e.line}`).not.toMatch(/UNKNOWN|MALFORMED/);
      expect(e.sw, `${file} line ${e.line}`).toMatch(/^[0-9A-F]{4}$/);
      expect(e.fields, `${file} line ${e.line}`).not.toHaveProperty('decodeError');
    }
    expect(firstUses(exchanges.map((e) => e.command))).toEqual(EXPECTED_COMMANDS[nameOf(file)]);
  });

  it.each(FILES)('%s prints one JSON object per exchange through `fuelcard decode --json`', async (file) => {
    const out: string[] = [];
    const code = await run(['decode', `${DIRECTORY}${file}`, '--json'], { out: (line) => out.push(line), err: () => undefined });
    expect(code).toBe(0);
    expect(out).toHaveLength(parseTranscript(read(file)).length);
    for (const line of out) expect(Object.keys(JSON.parse(line) as object)).toEqual(['command', 'sw', 'fields']);
  });

  it.each(FILES)('%s replays against a fresh simulated card in the same state, byte for byte', async (file) => {
    const { transmit } = startSession(nameOf(file));
    const count = await replayTranscript(read(file), transmit);
    expect(count).toBe(parseTranscript(read(file)).length);
  });

  it('notices a replay whose card answers differently', async () => {
    const { transmit } = startSession('load');
    const changed = read('load.apdu').replace(/^< (.*)9000$/m, (_line, data: string) => `< ${data}6A82`);
    await expect(replayTranscript(changed, transmit)).rejects.toMatchObject({ code: 'TRANSCRIPT_MISMATCH' });
  });
});
