import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { parseAtr } from './atr.ts';
import { Iso7816Error } from './errors.ts';

/**
 * Real ATRs (sources: pcsc-tools smartcard_list as mirrored in public repositories, PIV
 * compatibility lists, the ATR_analysis man page) plus synthetic PBOC-style ones marked as such.
 */
const TABLE = [
  {
    name: 'Watchdata (握奇) SCSTA transport card, T=0 with TB1 TC1 and 13 historical bytes',
    hex: '3B6D00005744296C808693D1271F13323D',
    protocols: [0],
    fi: 372,
    di: 1,
    historical: '5744296C808693D1271F13323D',
    tckValid: null,
    n: 0,
  },
  {
    name: 'UK Co-operative Bank debit card, T=0 (same 3B 6D shape as PBOC cards)',
    hex: '3B6D00000031C071D665112233018390 00',
    protocols: [0],
    fi: 372,
    di: 1,
    historical: '0031C071D66511223301839000',
    tckValid: null,
    n: 0,
  },
  {
    name: 'Gemplus card with TA1 95 (Fi 512, Di 16), T=0',
    hex: '3B7D95000080318065B08302047E83009000',
    protocols: [0],
    fi: 512,
    di: 16,
    historical: '80318065B08302047E83009000',
    tckValid: null,
    n: 0,
  },
  {
    name: 'ATR_analysis example with TB1 and TD1 announcing TC2 (WI 0x18), T=0',
    hex: '3BA70040188065A208010152',
    protocols: [0],
    fi: 372,
    di: 1,
    historical: '8065A208010152',
    tckValid: null,
    n: 0,
  },
  {
    name: 'Yubikey 4, T=1 with IFSC 254, BWI 1, CWI 5',
    hex: '3BF81300008131FE15597562696B657934D4',
    protocols: [1],
    fi: 372,
    di: 4,
    historical: '597562696B657934',
    tckValid: true,
    n: 0,
  },
  {
    name: 'NXP JCOP 2.4.1, T=1 with TC1 FF (minimum guard time)',
    hex: '3BF81800FF8131FE454A434F507632343143',
    protocols: [1],
    fi: 372,
    di: 12,
    historical: '4A434F5076323431',
    tckValid: true,
    n: 255,
  },
  {
    name: 'Feitian ePass, T=1 with a T=15 group (class indicator)',
    hex: '3BDD18008191FE1FC30066465308030036 71DF00008097',
    protocols: [1],
    fi: 372,
    di: 12,
    historical: '0066465308030036 71DF000080',
    tckValid: true,
    n: 0,
  },
  {
    name: 'Athena token, T=1 with 15 historical bytes',
    hex: '3BDF18008131FE7D006B1F0C0180010001434E53103180F2',
    protocols: [1],
    fi: 372,
    di: 12,
    historical: '006B1F0C0180010001434E53103180',
    tckValid: true,
    n: 0,
  },
  {
    name: 'synthetic PBOC-style T=0 ATR (3B 69 00 00 and 9 historical bytes)',
    hex: '3B 69 00 00 86 98 07 01 00 00 00 00 01',
    protocols: [0],
    fi: 372,
    di: 1,
    historical: '869807010000000001',
    tckValid: null,
    n: 0,
  },
] as const;

describe('ATR parser on real cards', () => {
  for (const row of TABLE) {
    it(`decodes ${row.name}`, () => {
      const atr = parseAtr(fromHex(row.hex));
      expect(atr.protocols).toEqual(row.protocols);
      expect(atr.fi).toBe(row.fi);
      expect(atr.di).toBe(row.di);
      expect(toHex(atr.historicalBytes)).toBe(row.historical.replace(/\s/g, ''));
      expect(atr.tckValid).toBe(row.tckValid);
      expect(atr.n).toBe(row.n);
    });
  }

  it('reads the T=1 parameters from the first group announced for T=1 at i ≥ 3', () => {
    const atr = parseAtr(fromHex('3BF81300008131FE15597562696B657934D4'));
    expect(atr.t1).toEqual({ ifsc: 254, bwi: 1, cwi: 5, edc: 'LRC' });
    expect(atr.defaultProtocol).toBe(1);
    expect(atr.specificMode).toBeNull();
  });

  it('reads WI from TC2', () => {
    expect(parseAtr(fromHex('3BA70040188065A208010152')).wi).toBe(0x18);
    expect(parseAtr(fromHex('3B6D00005744296C808693D1271F13323D')).wi).toBe(10);
  });

  it('reads the class indicator from the first TA for T=15', () => {
    const atr = parseAtr(fromHex('3BDD18008191FE1FC30066465308030036 71DF00008097'));
    expect(atr.clockStop).toBe(3);
    expect(atr.classIndicator).toBe(3);
  });

  it('offers T=0 and T=1 when TD1 says T=0 and TD2 says T=1, with a TCK', () => {
    const body = [0x3b, 0x80, 0x80, 0x01];
    const tck = body.slice(1).reduce((a, b) => a ^ b, 0);
    const atr = parseAtr(Uint8Array.from([...body, tck]));
    expect(atr.protocols).toEqual([0, 1]);
    expect(atr.defaultProtocol).toBe(0);
    expect(atr.tckValid).toBe(true);
  });

  it('reads CRC as the T=1 EDC when the first TC for T=1 has bit 1 set', () => {
    const body = [0x3b, 0x80, 0x81, 0x41, 0x01];
    const tck = body.slice(1).reduce((a, b) => a ^ b, 0);
    expect(parseAtr(Uint8Array.from([...body, tck])).t1?.edc).toBe('CRC');
  });

  it('reports specific mode from TA2', () => {
    const body = [0x3b, 0x80, 0x11, 0x81];
    const tck = body.slice(1).reduce((a, b) => a ^ b, 0);
    const atr = parseAtr(Uint8Array.from([...body, tck]));
    expect(atr.specificMode).toEqual({ protocol: 1, canChangeMode: false, implicitParameters: false });
  });

  it('decodes inverse convention (TS 3F) with the same rules', () => {
    const atr = parseAtr(fromHex('3F6525083304209000'));
    expect(atr.convention).toBe('inverse');
    expect(atr.protocols).toEqual([0]);
  });

  it('defaults Fi 372 and Di 1 without TA1, and reports RFU codes as null', () => {
    const plain = parseAtr(fromHex('3B00'));
    expect([plain.fi, plain.di, plain.fiCode, plain.diCode]).toEqual([372, 1, 1, 1]);
    const rfu = parseAtr(fromHex('3B1070'));
    expect([rfu.fi, rfu.di]).toEqual([null, null]);
  });
});

describe('ATR parser negative space', () => {
  const refuse = (hex: string, code: string) => {
    const error = (() => {
      try {
        parseAtr(fromHex(hex));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error, hex).toBeInstanceOf(Iso7816Error);
    expect((error as Iso7816Error).code, hex).toBe(code);
  };

  it('refuses a TS other than 3B or 3F', () => {
    refuse('3A00', 'ATR_BAD_TS');
    refuse('0000', 'ATR_BAD_TS');
    refuse('03', 'ATR_BAD_TS');
  });

  it('refuses an empty ATR and one cut anywhere', () => {
    refuse('', 'ATR_TRUNCATED');
    refuse('3B', 'ATR_TRUNCATED');
    const full = '3BF81300008131FE15597562696B657934D4';
    for (let cut = 2; cut < full.length; cut += 2) refuse(full.slice(0, cut), 'ATR_TRUNCATED');
  });

  it('refuses bytes after the end', () => {
    refuse('3B6D00005744296C808693D1271F13323D00', 'ATR_TRAILING_BYTES');
    refuse('3BF81300008131FE15597562696B657934D4FF', 'ATR_TRAILING_BYTES');
  });

  it('refuses an ATR longer than 33 bytes', () => {
    refuse(`3B0F${'00'.repeat(32)}`, 'ATR_TOO_LONG');
    // A chain of TD bytes that never ends within 33 bytes.
    refuse(`3B80${'80'.repeat(31)}00`, 'ATR_TOO_LONG');
  });

  it('does not refuse a bad TCK but reports it', () => {
    const atr = parseAtr(fromHex('3BF81300008131FE15597562696B657934D5'));
    expect(atr.tckValid).toBe(false);
    expect(atr.tck).toBe(0xd5);
  });

  it('accepts the longest legal ATR of 33 bytes', () => {
    const groups = [0x11, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x0a, 0xf0, 0x00, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x00, 0x00];
    const atr = parseAtr(Uint8Array.from([0x3b, 0xff, ...groups, ...new Array<number>(15).fill(0x41)]));
    expect(atr.bytes.length).toBe(33);
    expect(atr.groups.length).toBe(5); // TD4 = 00 announces an empty group 5
    expect(atr.wi).toBe(10);
  });
});
