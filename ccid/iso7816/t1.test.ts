import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { T1Card } from '../sim/reader/t1-card.ts';
import { encodeCommandApdu } from './apdu.ts';
import { Iso7816Error } from './errors.ts';
import { T1Host, crc16, decodeT1Block, describeT1Block, encodeT1Block, lrc, type BlockIo, type T1Edc } from './t1.ts';
import { EchoCard, counting } from '../sim/test-cards.ts';

function setup(options: { edc?: T1Edc; ifsc?: number; ifsd?: number; cardChunk?: number; limits?: Record<string, number> } = {}) {
  const edc = options.edc ?? 'LRC';
  const echo = new EchoCard();
  const card = new T1Card(echo, { edc, ifsc: options.ifsc ?? 32, ...(options.cardChunk ? { sendChunkMax: options.cardChunk } : {}) });
  card.powerOn();
  const log: string[] = [];
  const wtx: number[] = [];
  const io: BlockIo = async (block) => {
    log.push(`> ${describeT1Block(decodeT1Block(block, edc))}`);
    const answer = card.receive(block);
    try {
      log.push(`< ${describeT1Block(decodeT1Block(answer, edc))}`);
    } catch {
      log.push('< garbled');
    }
    return answer;
  };
  const host = new T1Host(io, {
    ifsc: options.ifsc ?? 32,
    ifsd: options.ifsd ?? 32,
    edc,
    onWtx: (m) => wtx.push(m),
    limits: options.limits,
  });
  return { host, card, echo, log, wtx };
}

function echoApdu(data: Uint8Array): Uint8Array {
  return encodeCommandApdu(
    { cla: 0x00, ins: 0xd6, p1: 0, p2: 0, data, ne: data.length > 255 ? 65_536 : 256 },
    { extended: data.length > 255 },
  );
}

describe('T=1 block codec', () => {
  it('encodes an I-block with LRC as ISO 7816-3 shows it', () => {
    const bytes = encodeT1Block({ kind: 'I', nad: 0, ns: 0, more: false, inf: fromHex('0084000008') }, 'LRC');
    expect(toHex(bytes)).toBe('0000050084000008' + toHex(Uint8Array.of(lrc(fromHex('0000050084000008')))));
  });

  it('encodes the S-blocks with their PCB values', () => {
    const s = (type: 'RESYNCH' | 'IFS' | 'ABORT' | 'WTX', response: boolean, inf: Uint8Array) =>
      toHex(encodeT1Block({ kind: 'S', nad: 0, type, response, inf }, 'LRC'));
    expect(s('RESYNCH', false, new Uint8Array(0))).toBe('00C000C0');
    expect(s('RESYNCH', true, new Uint8Array(0))).toBe('00E000E0');
    expect(s('IFS', false, Uint8Array.of(0xfe))).toBe('00C101FE3E');
    expect(s('ABORT', false, new Uint8Array(0))).toBe('00C200C2');
    expect(s('WTX', true, Uint8Array.of(2))).toBe('00E30102E0');
  });

  it('encodes R-blocks with N(R) and the error code', () => {
    expect(toHex(encodeT1Block({ kind: 'R', nad: 0, nr: 1, error: 'none' }, 'LRC'))).toBe('00900090');
    expect(toHex(encodeT1Block({ kind: 'R', nad: 0, nr: 0, error: 'edc' }, 'LRC'))).toBe('00810081');
    expect(toHex(encodeT1Block({ kind: 'R', nad: 0, nr: 1, error: 'other' }, 'LRC'))).toBe('00920092');
  });

  it('computes the CRC as libccid does (reflected CCITT, initial FFFF, check value 6F91)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x6f91);
    const block = encodeT1Block({ kind: 'I', nad: 0, ns: 1, more: true, inf: fromHex('0102') }, 'CRC');
    expect(block.length).toBe(7);
    expect(decodeT1Block(block, 'CRC')).toMatchObject({ kind: 'I', ns: 1, more: true });
  });

  it('round-trips every block kind with both EDCs', () => {
    const blocks = [
      { kind: 'I', nad: 0x12, ns: 1, more: true, inf: counting(254) },
      { kind: 'R', nad: 0, nr: 1, error: 'edc' },
      { kind: 'S', nad: 0, type: 'WTX', response: false, inf: Uint8Array.of(5) },
    ] as const;
    for (const edc of ['LRC', 'CRC'] as const) {
      for (const block of blocks) expect(decodeT1Block(encodeT1Block(block, edc), edc)).toEqual(block);
    }
  });

  it('reports a wrong EDC as T1_BAD_EDC and a wrong shape as T1_MALFORMED_BLOCK', () => {
    const good = encodeT1Block({ kind: 'I', nad: 0, ns: 0, more: false, inf: fromHex('AA') }, 'LRC');
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(() => decodeT1Block(bad, 'LRC')).toThrow(expect.objectContaining({ code: 'T1_BAD_EDC' }));
    for (const hex of ['', '0000', '00000100', '00FF00FF', '00810100FF', '00C50000', '00C10000', '0003000003']) {
      expect(() => decodeT1Block(fromHex(hex), 'LRC'), hex).toThrow(Iso7816Error);
    }
  });
});

describe('T=1 host over the T=1 card engine', () => {
  it('sends a short APDU in one I-block and gets the answer in one I-block', async () => {
    const { host, log } = setup();
    const response = await host.transceive(echoApdu(fromHex('0102')));
    expect(toHex(response)).toBe('01029000');
    expect(log).toEqual(['> I(0) 8 bytes', '< I(0) 4 bytes']);
  });

  it('toggles N(S) between APDUs on both sides', async () => {
    const { host, log } = setup();
    await host.transceive(echoApdu(fromHex('01')));
    await host.transceive(echoApdu(fromHex('02')));
    await host.transceive(echoApdu(fromHex('03')));
    expect(log.filter((l) => l.startsWith('>'))).toEqual(['> I(0) 7 bytes', '> I(1) 7 bytes', '> I(0) 7 bytes']);
    expect(log.filter((l) => l.startsWith('<'))).toEqual(['< I(0) 3 bytes', '< I(1) 3 bytes', '< I(0) 3 bytes']);
  });

  it('chains a long command in blocks of IFSC and the card acknowledges each one', async () => {
    const { host, log, echo } = setup({ ifsc: 16 });
    const data = counting(40);
    const response = await host.transceive(echoApdu(data));
    expect(toHex(response)).toBe(toHex(concatBytes(data, fromHex('9000'))));
    expect(toHex(echo.received[0]!)).toBe(toHex(echoApdu(data)));
    expect(log.slice(0, 4)).toEqual(['> I(0,M) 16 bytes', '< R(1)', '> I(1,M) 16 bytes', '< R(0)']);
  });

  it('receives a chained response and acknowledges each block with an R-block', async () => {
    const { host, log } = setup({ cardChunk: 10 });
    const data = counting(25);
    const response = await host.transceive(echoApdu(data));
    expect(toHex(response)).toBe(toHex(concatBytes(data, fromHex('9000'))));
    expect(log.slice(1)).toEqual(['< I(0,M) 10 bytes', '> R(1)', '< I(1,M) 10 bytes', '> R(0)', '< I(0) 7 bytes']);
  });

  it('chains both ways with an extended APDU of 1000 bytes', async () => {
    const { host } = setup({ ifsc: 254, ifsd: 254 });
    const data = counting(1000, 7);
    const response = await host.transceive(echoApdu(data));
    expect(toHex(response)).toBe(toHex(concatBytes(data, fromHex('9000'))));
  });

  it('announces IFSD with S(IFS request) before the first I-block and the card then sends bigger blocks', async () => {
    const { host, card, log } = setup({ ifsd: 254 });
    await host.transceive(echoApdu(counting(100)));
    expect(log.slice(0, 2)).toEqual(['> S(IFS req FE)', '< S(IFS resp FE)']);
    expect(card.ifsd).toBe(254);
    expect(host.ifsd).toBe(254);
    expect(log.filter((l) => l.startsWith('< I'))).toEqual(['< I(0) 102 bytes']);
  });

  it('negotiates IFSD on demand with negotiateIfsd(n)', async () => {
    const { host, card } = setup();
    await host.negotiateIfsd(100);
    expect(card.ifsd).toBe(100);
    await expect(host.negotiateIfsd(255)).rejects.toMatchObject({ code: 'T1_INVALID_ARGUMENT' });
  });

  it('answers WTX requests and reports each multiplier', async () => {
    const { host, card, log, wtx } = setup();
    card.faults.wtxBeforeAnswer = { count: 2, multiplier: 3 };
    const response = await host.transceive(echoApdu(fromHex('AB')));
    expect(toHex(response)).toBe('AB9000');
    expect(wtx).toEqual([3, 3]);
    expect(log).toEqual(['> I(0) 7 bytes', '< S(WTX req 03)', '> S(WTX resp 03)', '< S(WTX req 03)', '> S(WTX resp 03)', '< I(0) 3 bytes']);
  });

  it('stops a WTX storm at the cap with a typed error', async () => {
    const { host, card } = setup({ limits: { t1WtxCountMax: 5 } });
    card.faults.wtxBeforeAnswer = { count: 1_000, multiplier: 1 };
    await expect(host.transceive(echoApdu(fromHex('01')))).rejects.toMatchObject({ code: 'T1_WTX_LIMIT' });
  });

  it('recovers from a corrupted EDC by asking for the block again', async () => {
    const { host, card, log } = setup({ edc: 'CRC' });
    card.faults.corruptEdcCount = 1;
    const response = await host.transceive(echoApdu(fromHex('0102')));
    expect(toHex(response)).toBe('01029000');
    expect(log).toEqual(['> I(0) 8 bytes', '< garbled', '> R(0,edc)', '< I(0) 4 bytes']);
  });

  it('recovers from corrupted blocks in the middle of a response chain', async () => {
    const { host, card } = setup({ cardChunk: 8 });
    const data = counting(30);
    card.faults.corruptEdcCount = 0;
    const io = (host as unknown as { io: BlockIo }).io;
    let count = 0;
    (host as unknown as { io: BlockIo }).io = async (block) => {
      count += 1;
      if (count === 3) card.faults.corruptEdcCount = 2;
      return io(block);
    };
    const response = await host.transceive(echoApdu(data));
    expect(toHex(response)).toBe(toHex(concatBytes(data, fromHex('9000'))));
  });

  it('resynchronises after too many bad blocks and then completes the APDU', async () => {
    const { host, card, log, echo } = setup();
    await host.transceive(echoApdu(fromHex('01')));
    card.faults.corruptEdcCount = 4;
    const response = await host.transceive(echoApdu(fromHex('0203')));
    expect(toHex(response)).toBe('02039000');
    expect(log).toContain('> S(RESYNCH req)');
    expect(log).toContain('< S(RESYNCH resp)');
    // The card ran the command twice: the hazard resynchronisation cannot avoid.
    expect(echo.received.length).toBe(3);
    // Sequence numbers start again from 0 after RESYNCH.
    expect(log[log.length - 2]).toBe('> I(0) 8 bytes');
  });

  it('gives up with a typed error when every block stays corrupted', async () => {
    const { host, card } = setup();
    card.faults.corruptEdcCount = 10_000;
    const error = await host.transceive(echoApdu(fromHex('01'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Iso7816Error);
    expect(['T1_RESYNCH_FAILED', 'T1_RESYNCH_LIMIT']).toContain((error as Iso7816Error).code);
  });

  it('gives up with T1_RESYNCH_FAILED when the card ignores S(RESYNCH)', async () => {
    const { host, card } = setup();
    card.faults.corruptEdcCount = 4;
    card.faults.ignoreResynch = true;
    await expect(host.transceive(echoApdu(fromHex('01')))).rejects.toMatchObject({ code: 'T1_RESYNCH_FAILED' });
  });

  it('keeps working after a failed exchange once the card behaves again, starting with S(RESYNCH)', async () => {
    const { host, card, log } = setup();
    card.faults.corruptEdcCount = 10_000;
    await expect(host.transceive(echoApdu(fromHex('01')))).rejects.toBeInstanceOf(Iso7816Error);
    card.faults.corruptEdcCount = 0;
    log.length = 0;
    expect(toHex(await host.transceive(echoApdu(fromHex('07'))))).toBe('079000');
    expect(log).toEqual(['> S(RESYNCH req)', '< S(RESYNCH resp)', '> I(0) 7 bytes', '< I(0) 3 bytes']);
  });

  it('resynchronises before the next APDU after a WTX storm ended the last one', async () => {
    const { host, card, log } = setup({ limits: { t1WtxCountMax: 2 } });
    card.faults.wtxBeforeAnswer = { count: 5, multiplier: 2 };
    await expect(host.transceive(echoApdu(fromHex('01')))).rejects.toMatchObject({ code: 'T1_WTX_LIMIT' });
    card.faults.wtxBeforeAnswer = { count: 0, multiplier: 1 };
    log.length = 0;
    expect(toHex(await host.transceive(echoApdu(fromHex('02'))))).toBe('029000');
    expect(log[0]).toBe('> S(RESYNCH req)');
  });

  it('honours an S(IFS request) from the card for the following blocks', async () => {
    const sent: string[] = [];
    let cardNs: 0 | 1 = 0;
    const io: BlockIo = async (block) => {
      const decoded = decodeT1Block(block, 'LRC');
      sent.push(describeT1Block(decoded));
      if (sent.length === 1) return encodeT1Block({ kind: 'S', nad: 0, type: 'IFS', response: false, inf: Uint8Array.of(8) }, 'LRC');
      if (decoded.kind === 'I' && decoded.more) return encodeT1Block({ kind: 'R', nad: 0, nr: decoded.ns ? 0 : 1, error: 'none' }, 'LRC');
      const answer = encodeT1Block({ kind: 'I', nad: 0, ns: cardNs, more: false, inf: fromHex('9000') }, 'LRC');
      cardNs = cardNs ? 0 : 1;
      return answer;
    };
    const host = new T1Host(io, { ifsc: 32, ifsd: 32, edc: 'LRC' });
    await host.transceive(counting(20));
    expect(host.ifsc).toBe(8);
    await host.transceive(counting(20));
    expect(sent).toEqual(['I(0) 20 bytes', 'S(IFS resp 08)', 'I(1,M) 8 bytes', 'I(0,M) 8 bytes', 'I(1) 4 bytes']);
  });

  it('treats a card S(ABORT) as a typed error', async () => {
    const io: BlockIo = async () => encodeT1Block({ kind: 'S', nad: 0, type: 'ABORT', response: false, inf: new Uint8Array(0) }, 'LRC');
    const host = new T1Host(io, { ifsc: 32, ifsd: 32, edc: 'LRC' });
    await expect(host.transceive(fromHex('00A40000'))).rejects.toMatchObject({ code: 'T1_CARD_ABORTED' });
  });

  it('stops an endless chain from the card at the block cap', async () => {
    let ns: 0 | 1 = 0;
    const io: BlockIo = async () => {
      const block = encodeT1Block({ kind: 'I', nad: 0, ns, more: true, inf: counting(4) }, 'LRC');
      ns = ns ? 0 : 1;
      return block;
    };
    const host = new T1Host(io, { ifsc: 32, ifsd: 32, edc: 'LRC', limits: { t1BlockCountMax: 50 } });
    await expect(host.transceive(fromHex('00A40000'))).rejects.toMatchObject({ code: 'T1_BLOCK_LIMIT' });
  });

  it('refuses an IFSC outside 1..254 and an empty APDU', async () => {
    const io: BlockIo = async () => new Uint8Array(0);
    expect(() => new T1Host(io, { ifsc: 0, ifsd: 32, edc: 'LRC' })).toThrow(Iso7816Error);
    await expect(new T1Host(io, { ifsc: 32, ifsd: 32, edc: 'LRC' }).transceive(new Uint8Array(0))).rejects.toMatchObject({
      code: 'T1_INVALID_ARGUMENT',
    });
  });

  it('lets errors of the reader pass through unchanged', async () => {
    const failure = new Error('reader unplugged');
    const host = new T1Host(async () => Promise.reject(failure), { ifsc: 32, ifsd: 32, edc: 'LRC' });
    await expect(host.transceive(fromHex('00A40000'))).rejects.toBe(failure);
  });
});
