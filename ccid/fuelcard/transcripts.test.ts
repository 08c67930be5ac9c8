/**
 * The recorded transcripts in tests/transcripts: they match a fresh recording of the same sessions
 * (UPDATE_TRANSCRIPTS=1 rewrites them), and every one decodes with a name for every command.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeTrace } from './decode.ts';
import { recordSessions } from './sessions.ts';

const DIRECTORY = fileURLToPath(new URL('../../tests/transcripts/', import.meta.url));

describe('recorded transcripts', async () => {
  const fresh = await recordSessions();
  if (process.env.UPDATE_TRANSCRIPTS === '1') {
    for (const [name, text] of Object.entries(fresh)) writeFileSync(`${DIRECTORY}${name}.apdu`, text);
  }

  it.each(Object.keys(fresh))('the %s transcript on disk matches a fresh recording', (name) => {
    expect(readFileSync(`${DIRECTORY}${name}.apdu`, 'utf8')).toBe(fresh[name]);
  });

  it('every transcript on disk decodes with every command named and answered', () => {
    const files = readdirSync(DIRECTORY).filter((f) => f.endsWith('.apdu'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const exchanges = decodeTrace(readFileSync(`${DIRECTORY}${file}`, 'utf8'));
      expect(exchanges.length).toBeGreaterThan(0);
      for (const e of exchanges) {
        expect(e.command, `${file} line ${e.line}`).not.toMatch(/UNKNOWN|MALFORMED/);
        expect(e.sw).not.toBeNull();
        expect(e.fields).not.toHaveProperty('decodeError');
      }
    }
  });
});
