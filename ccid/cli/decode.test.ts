/** The decoder and its command line: names, fields, masking, the session context, and exit code 2 for bad input. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './decode.ts';
import { decodeTrace } from '../fuelcard/decode.ts';

const directory = mkdtempSync(join(tmpdir(), 'fuelcard-decode-'));
function traceFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

async function runCaptured(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const LOAD = `# a load
> 805000010B0100002710000000000001 10
< 00000000000001001234567 8F3D0C3749000

> 805200000B20240102030405ABABF9AC04
< F7B5493D9000
`;

describe('decodeTrace', () => {
  it('names INITIALIZE FOR LOAD and CREDIT FOR LOAD and decodes money, counters and MACs', () => {
    const [init, credit] = decodeTrace(LOAD);
    expect(init).toMatchObject({
      command: 'INITIALIZE_FOR_LOAD',
      sw: '9000',
      fields: {
        purse: 'ED',
        keyIndex: 1,
        amountFen: 10000,
        terminalId: '000000000001',
        balanceFen: 0,
        onlineTtc: 0,
        random: '12345678',
        mac1: 'F3D0C374',
      },
    });
    expect(credit).toMatchObject({
      command: 'CREDIT_FOR_LOAD',
      fields: { date: '2024-01-02', time: '03:04:05', mac2: 'ABABF9AC', tac: 'F7B5493D' },
    });
  });

  it('decodes a READ BINARY of the file last selected by id', () => {
    const ef1b = '01' + '00'.repeat(31);
    const [, read] = decodeTrace(
      `> 00A40000020016\n< 9000\n> 00B0000020\n< 6F00\n> 00A4000002001B\n< 9000\n> 00B0000020\n< ${ef1b}9000\n`,
    ).slice(2);
    expect(read).toMatchObject({ command: 'READ_BINARY', fields: { file: 'EF1B', usesDefaultPin: false, pinMode: 1 } });
  });

  it('masks PIN digits in VERIFY and CHANGE PIN and answers tries left', () => {
    const [verify, change] = decodeTrace('> 0020000003123456\n< 63C2\n> 805E010007123456FF654321\n< 9000\n');
    expect(verify).toMatchObject({ command: 'VERIFY', sw: '63C2', fields: { pin: '******', triesLeft: 2 } });
    expect(JSON.stringify(change)).not.toMatch(/123456|654321/);
  });

  it('names the masked PIN commands of a recorded trace and decodes a command left without an answer', () => {
    const [verify, change, balance] = decodeTrace('> 0020000003**\n< 63C1\n> 805E010007**\n< 9000\n> 805C000104\n');
    expect(verify).toMatchObject({ command: 'VERIFY', sw: '63C1', fields: { data: 'masked', triesLeft: 1 } });
    expect(change).toMatchObject({ command: 'CHANGE_PIN', sw: '9000' });
    expect(balance).toMatchObject({ command: 'GET_BALANCE', sw: null, meaning: 'no response' });
  });

  it('decodes the data of a GET RESPONSE as the answer of the command before it', () => {
    const [, response] = decodeTrace('> 805C000104\n< 6104\n> 00C0000004\n< 000003E89000\n');
    expect(response).toMatchObject({ command: 'GET_RESPONSE', fields: { for: 'GET_BALANCE', balanceFen: 1000 } });
  });

  it('reports a field that does not decode instead of failing the trace', () => {
    const [read] = decodeTrace('> 00B201C417\n< ' + 'AB'.repeat(23) + '9000\n');
    expect(read!.fields).toHaveProperty('decodeError');
  });

  it('refuses a line that is not hex, with its line number', () => {
    expect(() => decodeTrace('> 00A40400\n\n< zz\n')).toThrow(/line 3/);
    expect(() => decodeTrace('hello\n')).toThrow(expect.objectContaining({ code: 'TRACE_INVALID' }));
    expect(() => decodeTrace('< 9000\n')).toThrow(/line 1: response without a command/);
    expect(() => decodeTrace('> 00A40\n')).toThrow(/line 1/);
  });
});

describe('run', () => {
  it('prints one JSON object per exchange with --json', async () => {
    const { code, out } = await runCaptured([traceFile('load.apdu', LOAD), '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(2);
    const first = JSON.parse(out[0]!);
    expect(Object.keys(first)).toEqual(['command', 'sw', 'fields']);
    expect(first).toMatchObject({ command: 'INITIALIZE_FOR_LOAD', sw: '9000' });
  });

  it('accepts the decode subcommand name and prints text with the status meaning', async () => {
    const { code, out } = await runCaptured(['decode', traceFile('balance.apdu', '> 805C000104\n< 9401\n')]);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/GET_BALANCE[\s\S]*9401 insufficient funds/);
  });

  it('exits 2 with the line number on a bad line', async () => {
    const { code, err } = await runCaptured([traceFile('bad.apdu', '> 805C000104\n< 9000\nnot hex\n')]);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/line 3/);
  });

  it('exits 2 without a file, with two files, with an unknown flag and with a missing file', async () => {
    expect((await runCaptured([])).code).toBe(2);
    expect((await runCaptured(['a', 'b'])).code).toBe(2);
    expect((await runCaptured([traceFile('ok.apdu', ''), '--yaml'])).code).toBe(2);
    expect((await runCaptured([join(directory, 'missing.apdu')])).code).toBe(2);
  });
});
