import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './readers.ts';

describe('fuelcard readers', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists the virtual readers as JSON lines and exits 0', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run(['--virtual', '--json'])).toBe(0);
    const virtual = lines.map((l) => JSON.parse(l) as { virtual: boolean; exchangeLevel: string }).filter((r) => r.virtual);
    expect(virtual.map((r) => r.exchangeLevel)).toEqual(['shortApdu', 'tpdu', 'extendedApdu']);
  });

  it('exits 0 and says so when no reader is found', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    expect(await run([])).toBe(0);
    expect(lines.join('\n')).toMatch(/No card readers were found|card reader/);
  });

  it('refuses an unknown argument with exit code 2', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await run(['--nope'])).toBe(2);
  });
});
