/**
 * GBK text on the card: the holder name in EF16 and the vehicle plate in EF1C
 * (docs/card-protocol.md §3.2, §3.4). Decoding uses TextDecoder('gbk'), which browsers and Node
 * with full ICU provide; encoding (for personalisation) inverts that decoder once, lazily. Where
 * the runtime lacks GBK, a small table of common surname, given-name and plate characters keeps
 * names readable and writable. Fixed-width fields are padded: trailing 00, 20 and FF bytes are
 * padding (none of them can be a GBK trail byte, 40..FE, so stripping them never cuts a character).
 */
import { invalidInput } from './errors.ts';

/** Character followed by its 4-hex-digit GBK code; generated from TextDecoder('gbk'). */
const FALLBACK_TABLE =
  '王CDF5李C0EE张D5C5刘C1F5陈B3C2杨D1EE黄BBC6赵D5D4吴CEE2周D6DC徐D0EC孙CBEF马C2ED朱D6EC胡BAFA郭B9F9何BACE高B8DF林C1D6罗C2DE郑D6A3梁C1BA谢D0BB宋CBCE唐CCC6许D0ED韩BAAB冯B7EB邓B5CB曹B2DC彭C5ED曾D4F8肖D0A4田CCEF董B6AD袁D4AC潘C5CB于D3DA蒋BDAF蔡B2CC余D3E0杜B6C5叶D2B6程B3CC苏CBD5魏CEBA吕C2C0丁B6A1任C8CE沈C9F2姚D2A6卢C2AC姜BDAA崔B4DE钟D6D3谭CCB7陆C2BD汪CDF4范B7B6金BDF0石CAAF廖C1CE贾BCD6夏CFC4韦CEA4付B8B6方B7BD白B0D7邹D7DE孟C3CF熊D0DC秦C7D8邱C7F1江BDAD尹D2FC薛D1A6闫E3C6段B6CE雷C0D7侯BAEE龙C1FA史CAB7陶CCD5黎C0E8贺BAD8顾B9CB毛C3AB郝BAC2龚B9A8邵C9DB万CDF2钱C7AE严D1CF覃F1FB武CEE4戴B4F7莫C4AA孔BFD7向CFF2汤CCC0欧C5B7阳D1F4司CBBE上C9CF官B9D9诸D6EE葛B8F0' +
  '伟CEB0芳B7BC娜C4C8秀D0E3英D3A2敏C3F4静BEB2丽C0F6强C7BF磊C0DA军BEFC洋D1F3勇D3C2艳D1DE杰BDDC娟BEEA涛CCCE明C3F7超B3AC兰C0BC霞CFBC平C6BD刚B8D5桂B9F0华BBAA建BDA8国B9FA文CEC4红BAEC玉D3F1梅C3B7志D6BE云D4C6飞B7C9鹏C5F4辉BBD4海BAA3波B2A8宇D3EE浩BAC6然C8BB子D7D3轩D0F9涵BAAD晨B3BF博B2A9思CBBC雨D3EA欣D0C0怡E2F9佳BCD1琪E7F7嘉BCCE俊BFA1凯BFAD亮C1C1斌B1F3峰B7E5东B6AB新D0C2春B4BA生C9FA荣C8D9成B3C9德B5C2福B8A3祥CFE9宏BAEA永D3C0安B0B2庆C7EC民C3F1宁C4FE小D0A1大B4F3中D6D0天CCEC一D2BB二B6FE三C8FD四CBC4五CEE5六C1F9七C6DF八B0CB九BEC5十CAAE人C8CB公B9AB车B3B5' +
  '京BEA9沪BBA6津BDF2渝D3E5冀BCBD豫D4A5辽C1C9黑BADA湘CFE6皖CDEE鲁C2B3浙D5E3赣B8D3鄂B6F5甘B8CA晋BDFA蒙C3C9陕C9C2吉BCAA闽C3F6贵B9F3粤D4C1青C7E0藏B2D8川B4A8琼C7ED使CAB9领C1EC警BEAF学D1A7挂B9D2试CAD4港B8DB澳B0C4';

const PADDING_BYTES = new Set([0x00, 0x20, 0xff]);

let nativeDecoder: TextDecoder | null | undefined;
let encodeTable: Map<string, number> | undefined;
let fallbackDecodeTable: Map<number, string> | undefined;

function gbkDecoder(): TextDecoder | null {
  if (nativeDecoder === undefined) {
    try {
      nativeDecoder = new TextDecoder('gbk');
    } catch {
      nativeDecoder = null; // a runtime without GBK (Node built with small ICU)
    }
  }
  return nativeDecoder;
}

function fallbackEntries(): [string, number][] {
  const entries: [string, number][] = [];
  const chars = [...FALLBACK_TABLE];
  for (let i = 0; i + 4 < chars.length; i += 5) entries.push([chars[i]!, parseInt(chars.slice(i + 1, i + 5).join(''), 16)]);
  return entries;
}

/** Whether GBK comes from the runtime (complete) or from the fallback table (common characters only). */
export function gbkSource(): 'native' | 'fallback' {
  return gbkDecoder() === null ? 'fallback' : 'native';
}

/** Decodes GBK without its padding; bytes that are not GBK become U+FFFD. Never throws. */
export function decodeGbk(bytes: Uint8Array, options: { forceFallback?: boolean } = {}): string {
  let end = bytes.length;
  while (end > 0 && PADDING_BYTES.has(bytes[end - 1]!)) end--;
  const text = bytes.subarray(0, end);
  const decoder = options.forceFallback === true ? null : gbkDecoder();
  if (decoder !== null) return decoder.decode(text);
  fallbackDecodeTable ??= new Map(fallbackEntries().map(([c, code]) => [code, c]));
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const byte = text[i]!;
    if (byte < 0x80) out += String.fromCharCode(byte);
    else if (i + 1 < text.length) out += fallbackDecodeTable.get((byte << 8) | text[++i]!) ?? '\uFFFD';
    else out += '\uFFFD';
  }
  return out;
}

function buildEncodeTable(forceFallback: boolean): Map<string, number> {
  const decoder = forceFallback ? null : gbkDecoder();
  if (decoder === null) return new Map(fallbackEntries());
  const table = new Map<string, number>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const char = decoder.decode(Uint8Array.of(lead, trail));
      if (char.length === 1 && char !== '\uFFFD' && !table.has(char)) table.set(char, (lead << 8) | trail);
    }
  }
  return table;
}

/** Encodes text as GBK into a field of `lengthBytes`, padded with `padByte` (00 by default). */
export function encodeGbk(text: string, lengthBytes: number, options: { padByte?: number; forceFallback?: boolean } = {}): Uint8Array {
  const table = options.forceFallback === true ? buildEncodeTable(true) : (encodeTable ??= buildEncodeTable(false));
  const out = new Uint8Array(lengthBytes).fill(options.padByte ?? 0x00);
  let at = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const gbk = code < 0x80 ? code : table.get(char);
    if (gbk === undefined) throw invalidInput(`character ${char} has no GBK code here`);
    const width = gbk < 0x100 ? 1 : 2;
    if (at + width > lengthBytes) throw invalidInput(`text does not fit in ${lengthBytes} bytes: ${text}`);
    if (width === 2) out[at++] = gbk >> 8;
    out[at++] = gbk & 0xff;
  }
  return out;
}
