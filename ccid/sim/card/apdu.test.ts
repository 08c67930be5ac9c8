import { describe, expect, it } from 'vitest';
import { fromHex } from '../../bytes.ts';
import { parseCommandApdu } from './apdu.ts';

describe('command APDU parsing on the card side', () => {
  it('reads the four short cases', () => {
    expect(parseCommandApdu(fromHex('80D40200'))).toMatchObject({ ins: 0xd4, data: new Uint8Array(0), le: null });
    expect(parseCommandApdu(fromHex('805C000104'))).toMatchObject({ le: 4 });
    expect(parseCommandApdu(fromHex('00B0950000'))).toMatchObject({ le: 256 });
    expect(parseCommandApdu(fromHex('0020000002 9999'))).toMatchObject({ data: fromHex('9999'), le: null });
    expect(parseCommandApdu(fromHex('00A404000CA00000000353494E4F50454300'))).toMatchObject({ le: 256 });
  });

  it('reads extended cases and the sloppy 00B095000000', () => {
    expect(parseCommandApdu(fromHex('00B095000000'))).toMatchObject({ le: 256 });
    expect(parseCommandApdu(fromHex('00B09500000100'))).toMatchObject({ le: 256 });
    expect(parseCommandApdu(fromHex('0020000000000299990000'))).toMatchObject({ data: fromHex('9999'), le: 65536 });
    expect(parseCommandApdu(fromHex('00200000000002 9999'))).toMatchObject({ data: fromHex('9999'), le: null });
    expect(parseCommandApdu(fromHex('00B09500 000000'))).toMatchObject({ le: 65536 });
  });

  it('refuses what is not an APDU', () => {
    for (const hex of ['', '00', '00B095', '0020000003 9999', '002000000000039999']) {
      expect(parseCommandApdu(fromHex(hex))).toBeNull();
    }
  });
});
