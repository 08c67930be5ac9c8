/**
 * The wire contract is versioned (docs/sync.md §10, after Replicache/Zero): this test fails when
 * any schema in server/contract changes shape without CONTRACT_VERSION being bumped. The recorded
 * fingerprint lives in server/contract/fingerprint.json; after bumping the version, refresh it
 * with `UPDATE_CONTRACT_FINGERPRINT=1 npx vitest run tests/unit/contract.test.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contract from '../../server/contract/index.ts';

const FINGERPRINT_FILE = new URL('../../server/contract/fingerprint.json', import.meta.url);

function currentFingerprint(): string {
  const shapes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(contract).sort(([a], [b]) => a.localeCompare(b))) {
    if (value instanceof z.ZodType) shapes[name] = z.toJSONSchema(value, { unrepresentable: 'any', io: 'input' });
  }
  return createHash('sha256').update(JSON.stringify(shapes)).digest('hex');
}

describe('the wire contract', () => {
  it('changes shape only together with a new CONTRACT_VERSION', () => {
    const fingerprint = currentFingerprint();
    const recorded = JSON.parse(readFileSync(FINGERPRINT_FILE, 'utf8')) as { version: number; fingerprint: string };
    const changed = recorded.fingerprint !== fingerprint;
    if (changed && contract.CONTRACT_VERSION <= recorded.version) {
      expect.fail(`a contract schema changed: bump CONTRACT_VERSION above ${recorded.version}, then refresh the fingerprint`);
    }
    if (process.env.UPDATE_CONTRACT_FINGERPRINT === '1' && (changed || recorded.version !== contract.CONTRACT_VERSION)) {
      writeFileSync(FINGERPRINT_FILE, `${JSON.stringify({ version: contract.CONTRACT_VERSION, fingerprint }, null, 2)}\n`);
      return;
    }
    expect({ version: recorded.version, fingerprint: recorded.fingerprint }, 'refresh the recorded fingerprint').toEqual({
      version: contract.CONTRACT_VERSION,
      fingerprint,
    });
  });

  it('exports at least one schema', () => {
    expect(Object.values(contract).some((v) => v instanceof z.ZodType)).toBe(true);
  });
});
