import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from './atr.ts';

let out: string[] = [];
let err: string[] = [];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fuelcard atr command', () => {
  it('prints one JSON object per ATR with protocols, fi, di, historicalBytes and tckValid', async () => {
    const code = await run(['3B6D00005744296C808693D1271F13323D', '3BF81300008131FE15597562696B657934D4', '--json']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(2);
    const [first, second] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ protocols: [0], fi: 372, di: 1, historicalBytes: '5744296C808693D1271F13323D', tckValid: null });
    expect(second).toMatchObject({ protocols: [1], fi: 372, di: 4, historicalBytes: '597562696B657934', tckValid: true });
  });

  it('reports T=0 and T=1 offered and a bad TCK as false', async () => {
    expect(await run(['--json', '3B80800180'.slice(0, 8) + '00'])).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ protocols: [0, 1], tckValid: false });
  });

  it('prints a readable decode without --json', async () => {
    expect(await run(['3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('T=1');
    expect(text).toContain('IFSC 254');
    expect(text).toContain('"Yubikey4"');
  });

  const malformed: [string, string][] = [
    ['3A00', 'ATR_BAD_TS'],
    ['3B6D0000', 'ATR_TRUNCATED'],
    ['3B0000', 'ATR_TRAILING_BYTES'],
    [`3B0F${'00'.repeat(32)}`, 'ATR_TOO_LONG'],
    ['3B0G', 'ATR_NOT_HEX'],
    ['3B0', 'ATR_NOT_HEX'],
  ];
  for (const [hex, code] of malformed) {
    it(`exits 2 with a clear message for ${code} (${hex.slice(0, 12)})`, async () => {
      expect(await run([hex, '--json'])).toBe(2);
      expect(err.join('\n')).toContain(code);
      expect(err.join('\n')).toContain('malformed ATR');
      expect(out).toEqual([]);
    });
  }

  it('still decodes the good ATRs when one is malformed, and exits 2', async () => {
    expect(await run(['3B00', '3A00', '--json'])).toBe(2);
    expect(out).toHaveLength(1);
    expect(err).toHaveLength(1);
  });

  it('exits 2 without arguments or with an unknown option, 0 with --help', async () => {
    expect(await run([])).toBe(2);
    expect(await run(['--yaml', '3B00'])).toBe(2);
    expect(await run(['--help'])).toBe(0);
    expect(out.join('\n')).toContain('usage');
  });
});
