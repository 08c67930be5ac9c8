import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../bytes.ts';
import { T0Card } from '../sim/reader/t0-card.ts';
import { encodeCommandApdu } from './apdu.ts';
import { Iso7816Error } from './errors.ts';
import { t0Transceive, type TpduIo } from './t0.ts';
import { EchoCard, FixedCard, counting } from '../sim/test-cards.ts';

function wire(card: T0Card): { io: TpduIo; sent: string[] } {
  const sent: string[] = [];
  const io: TpduIo = async (tpdu) => {
    sent.push(toHex(tpdu));
    return card.transmit(tpdu);
  };
  return { io, sent };
}

function apdu(data: Uint8Array, ne: number): Uint8Array {
  return encodeCommandApdu({ cla: 0x00, ins: 0xb0, p1: 0x00, p2: 0x00, data, ne });
}

describe('T=0 host over the T=0 card engine', () => {
  it('sends a case 1 command with P3 = 00', async () => {
    const card = new FixedCard(fromHex('9000'));
    const { io, sent } = wire(new T0Card(card));
    const response = await t0Transceive(fromHex('00A40000'), io);
    // A TPDU cannot tell case 1 from case 2 with Le 256; the card engine passes Le 256 on.
    expect(toHex(card.received[0]!)).toBe('00A4000000');
    expect(toHex(response)).toBe('9000');
    expect(sent).toEqual(['00A4000000']);
  });

  it('sends a case 2 command with P3 = Le and gets the data back', async () => {
    const { io, sent } = wire(new T0Card(new EchoCard()));
    const response = await t0Transceive(apdu(new Uint8Array(0), 4), io);
    expect(toHex(response)).toBe('000102039000');
    expect(sent).toEqual(['00B0000004']);
  });

  it('re-sends a case 2 command with the length from 6Cxx and keeps the first Ne bytes', async () => {
    const card = new T0Card(new FixedCard(concatBytes(counting(3), fromHex('9000'))), { wrongLe: '6Cxx' });
    const { io, sent } = wire(card);
    const response = await t0Transceive(apdu(new Uint8Array(0), 8), io);
    expect(sent).toEqual(['00B0000008', '00B0000003']);
    expect(toHex(response)).toBe('0001029000');
  });

  it('maps Le 256 to P3 00 in case 2', async () => {
    const { io, sent } = wire(new T0Card(new EchoCard()));
    const response = await t0Transceive(apdu(new Uint8Array(0), 256), io);
    expect(sent).toEqual(['00B0000000']);
    expect(response.length).toBe(258);
  });

  it('sends a case 3 command with P3 = Lc', async () => {
    const card = new T0Card(new FixedCard(fromHex('9000')));
    const { io, sent } = wire(card);
    const response = await t0Transceive(apdu(fromHex('0102'), 0), io);
    expect(sent).toEqual(['00B00000020102']);
    expect(toHex(response)).toBe('9000');
  });

  it('runs a case 4 command as case 3 and fetches the data with GET RESPONSE after 61xx', async () => {
    const { io, sent } = wire(new T0Card(new EchoCard()));
    const response = await t0Transceive(apdu(fromHex('A1A2A3'), 256), io);
    expect(sent).toEqual(['00B0000003A1A2A3', '00C0000003']);
    expect(toHex(response)).toBe('A1A2A39000');
  });

  it('follows a chain of 61xx answers and concatenates the data', async () => {
    const card = new T0Card(new EchoCard(), { getResponseChunkMax: 10 });
    const { io, sent } = wire(card);
    const data = counting(25);
    const response = await t0Transceive(apdu(data, 256), io);
    expect(sent.slice(1)).toEqual(['00C000000A', '00C000000A', '00C0000005']);
    expect(toHex(response)).toBe(toHex(concatBytes(data, fromHex('9000'))));
  });

  it('serves an answer longer than 256 bytes through 61xx in case 2', async () => {
    const card = new T0Card(new FixedCard(concatBytes(counting(300), fromHex('9000'))));
    const { io, sent } = wire(card);
    const response = await t0Transceive(apdu(new Uint8Array(0), 300), io);
    expect(sent).toEqual(['00B0000000', '00C000002C']);
    expect(response.length).toBe(302);
  });

  it('passes error status words up unchanged', async () => {
    const card = new T0Card(new FixedCard(fromHex('6A82')));
    const { io } = wire(card);
    expect(toHex(await t0Transceive(apdu(fromHex('3F00'), 0), io))).toBe('6A82');
  });

  it('stops a card that answers 61xx for ever with a typed error at the cap', async () => {
    const io: TpduIo = async () => fromHex('AA6101');
    const error = await t0Transceive(apdu(fromHex('01'), 256), io, { t0GetResponseCountMax: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Iso7816Error);
    expect((error as Iso7816Error).code).toBe('T0_GET_RESPONSE_LIMIT');
  });

  it('refuses a one-byte answer from the reader with a typed error', async () => {
    const io: TpduIo = async () => fromHex('90');
    await expect(t0Transceive(fromHex('00A40000'), io)).rejects.toMatchObject({ code: 'T0_BAD_RESPONSE' });
  });

  it('refuses command data longer than 255 bytes', async () => {
    const io: TpduIo = async () => fromHex('9000');
    await expect(t0Transceive(apdu(counting(300), 0), io)).rejects.toMatchObject({ code: 'T0_EXTENDED_NOT_SUPPORTED' });
  });

  it('refuses a malformed command APDU', async () => {
    const io: TpduIo = async () => fromHex('9000');
    await expect(t0Transceive(fromHex('00A404'), io)).rejects.toMatchObject({ code: 'APDU_MALFORMED' });
  });

  it('uses the configured CLA for GET RESPONSE', async () => {
    const { io, sent } = wire(new T0Card(new EchoCard()));
    await t0Transceive(apdu(fromHex('01'), 1), io, { getResponseCla: 0x80 });
    expect(sent[1]).toBe('80C0000001');
  });

  it('answers GET RESPONSE without pending data with 6985 on the card side', () => {
    const card = new T0Card(new EchoCard());
    expect(toHex(card.transmit(fromHex('00C0000010')))).toBe('6985');
  });
});
