/**
 * Answer To Reset parser (ISO 7816-3 §8.1–8.3). Bytes in, a decoded `Atr` out, no I/O. It walks
 * TS, T0, the TA/TB/TC/TD interface-byte groups, the historical bytes and TCK, and derives what the
 * reader driver needs next: Fi/Di from TA1 (§8.3, tables 7 and 8), the offered protocols, the
 * specific mode of TA2, the guard time N of TC1, WI of TC2 and the T=1 parameters (IFSC, BWI/CWI,
 * EDC) from the first group announced for T=1 at i ≥ 3 (§11.4). A bad TCK is reported
 * (`tckValid: false`), not refused: readers and pcsc-lite pass such cards on and some still work.
 */
import { toHex } from '../bytes.ts';
import { Iso7816Error } from './errors.ts';

/** ISO 7816-3 §8.1: initial character TS. Readers hand over the ATR already decoded, so TS reads 3B or 3F. */
export const ATR_TS = {
  DIRECT_CONVENTION: 0x3b,
  INVERSE_CONVENTION: 0x3f,
} as const;

/** ISO 7816-3 §8.2.1: an ATR is at most 32 characters after TS. */
export const ATR_LENGTH_MAX = 33;

/** ISO 7816-3 §8.3 table 7: Fi by FI (high nibble of TA1); null is RFU. */
export const FI_TABLE: readonly (number | null)[] = [
  372,
  372,
  558,
  744,
  1116,
  1488,
  1860,
  null,
  null,
  512,
  768,
  1024,
  1536,
  2048,
  null,
  null,
];
/** ISO 7816-3 §8.3 table 8: Di by DI (low nibble of TA1); null is RFU. */
export const DI_TABLE: readonly (number | null)[] = [null, 1, 2, 4, 8, 16, 32, 64, 12, 20, null, null, null, null, null, null];

/** ISO 7816-3 §8.3 and §11.4: values that apply when the ATR is silent. */
export const ATR_DEFAULTS = {
  FI: 1, // Fi 372
  DI: 1, // Di 1
  FI_VALUE: 372,
  DI_VALUE: 1,
  N: 0, // TC1, extra guard time
  WI: 10, // TC2, T=0 waiting time integer
  IFSC: 32, // first TA for T=1
  BWI: 4, // first TB for T=1, high nibble
  CWI: 13, // first TB for T=1, low nibble
} as const;

/** One group of interface bytes: i = 1 for TA1..TD1 (announced by T0), i = 2 for TA2.. (announced by TD1), and so on. */
export interface InterfaceGroup {
  i: number;
  ta: number | null;
  tb: number | null;
  tc: number | null;
  td: number | null;
  /** Protocol that TD(i-1) announced for this group; T0 announces group 1, taken as T=0. */
  announcedBy: number;
}

export interface SpecificMode {
  protocol: number;
  /** TA2 b8 = 0: the card can change to negotiable mode after a warm reset. */
  canChangeMode: boolean;
  /** TA2 b5 = 1: Fi/Di are implicit, not those of TA1. */
  implicitParameters: boolean;
}

export interface T1Parameters {
  ifsc: number;
  bwi: number;
  cwi: number;
  edc: 'LRC' | 'CRC';
}

export interface Atr {
  bytes: Uint8Array;
  convention: 'direct' | 'inverse';
  t0: number;
  groups: InterfaceGroup[];
  historicalBytes: Uint8Array;
  /** Protocols offered, in order of appearance, without T=15; [0] when TD1 is absent. */
  protocols: number[];
  /** First offered protocol: the one used without PPS in negotiable mode. */
  defaultProtocol: number;
  tck: number | null;
  /** XOR of T0..TCK equals 0; null when no TCK is present (only T=0 offered). */
  tckValid: boolean | null;
  /** FI and DI codes from TA1 (defaults 1 and 1). */
  fiCode: number;
  diCode: number;
  /** Fi and Di values; null when the code is RFU in the tables. */
  fi: number | null;
  di: number | null;
  /** TC1: extra guard time N in etu (255 means the minimum guard time). */
  n: number;
  /** TC2: T=0 waiting time integer. */
  wi: number;
  /** TA2 present: specific mode. null means negotiable mode. */
  specificMode: SpecificMode | null;
  /** T=1 parameters when T=1 is offered, defaults filled in. */
  t1: T1Parameters | null;
  /** First TA for T=15: clock stop indicator (b8–b7) and class indicator (b6–b1). */
  clockStop: number | null;
  classIndicator: number | null;
}

function need(bytes: Uint8Array, index: number, what: string): number {
  const value = bytes[index];
  if (value === undefined) {
    throw new Iso7816Error('ATR_TRUNCATED', `ATR truncated: ${what} expected at byte ${index}, ATR has ${bytes.length} bytes`);
  }
  return value;
}

function readGroups(bytes: Uint8Array): { groups: InterfaceGroup[]; end: number } {
  const groups: InterfaceGroup[] = [];
  let y = need(bytes, 1, 'T0') >> 4;
  let announcedBy = 0;
  let offset = 2;
  // Each group needs at least one byte, so the 33-byte bound also bounds this loop.
  for (let i = 1; ; i++) {
    if (offset > ATR_LENGTH_MAX) throw new Iso7816Error('ATR_TOO_LONG', `ATR longer than ${ATR_LENGTH_MAX} bytes`);
    const take = (bit: number, name: string): number | null => {
      if ((y & bit) === 0) return null;
      const value = need(bytes, offset, `${name}${i}`);
      offset += 1;
      return value;
    };
    const ta = take(0x1, 'TA');
    const tb = take(0x2, 'TB');
    const tc = take(0x4, 'TC');
    const td = take(0x8, 'TD');
    groups.push({ i, ta, tb, tc, td, announcedBy });
    if (td === null) return { groups, end: offset };
    y = td >> 4;
    announcedBy = td & 0x0f;
  }
}

function offeredProtocols(groups: readonly InterfaceGroup[]): number[] {
  const protocols: number[] = [];
  for (const group of groups) {
    if (group.td === null) continue;
    const t = group.td & 0x0f;
    if (t !== 15 && !protocols.includes(t)) protocols.push(t);
  }
  return protocols.length === 0 ? [0] : protocols;
}

/** ISO 7816-3 §8.2.5: TCK is present when any TD indicates a protocol other than T=0 (T=15 included). */
function tckPresent(groups: readonly InterfaceGroup[]): boolean {
  return groups.some((g) => g.td !== null && (g.td & 0x0f) !== 0);
}

/** ISO 7816-3 §11.4: the first TA/TB/TC of a group i ≥ 3 announced for T=1. */
function t1Parameters(groups: readonly InterfaceGroup[], protocols: readonly number[]): T1Parameters | null {
  if (!protocols.includes(1)) return null;
  const group = groups.find((g) => g.i >= 3 && g.announcedBy === 1);
  const tb = group?.tb ?? null;
  const tc = group?.tc ?? null;
  return {
    ifsc: group?.ta ?? ATR_DEFAULTS.IFSC,
    bwi: tb === null ? ATR_DEFAULTS.BWI : tb >> 4,
    cwi: tb === null ? ATR_DEFAULTS.CWI : tb & 0x0f,
    edc: tc !== null && (tc & 0x01) === 1 ? 'CRC' : 'LRC',
  };
}

function specificMode(ta2: number | null): SpecificMode | null {
  if (ta2 === null) return null;
  return { protocol: ta2 & 0x0f, canChangeMode: (ta2 & 0x80) === 0, implicitParameters: (ta2 & 0x10) !== 0 };
}

function checkTs(ts: number): 'direct' | 'inverse' {
  if (ts === ATR_TS.DIRECT_CONVENTION) return 'direct';
  if (ts === ATR_TS.INVERSE_CONVENTION) return 'inverse';
  throw new Iso7816Error('ATR_BAD_TS', `ATR TS must be 3B (direct) or 3F (inverse), got ${toHex(Uint8Array.of(ts))}`);
}

/** Parses an ATR; throws Iso7816Error (ATR_BAD_TS, ATR_TRUNCATED, ATR_TRAILING_BYTES, ATR_TOO_LONG). */
export function parseAtr(input: Uint8Array): Atr {
  const bytes = Uint8Array.from(input);
  const convention = checkTs(need(bytes, 0, 'TS'));
  if (bytes.length > ATR_LENGTH_MAX) {
    throw new Iso7816Error('ATR_TOO_LONG', `ATR has ${bytes.length} bytes, at most ${ATR_LENGTH_MAX} are allowed`);
  }
  const t0 = need(bytes, 1, 'T0');
  const { groups, end } = readGroups(bytes);
  const historicalCount = t0 & 0x0f;
  const historicalEnd = end + historicalCount;
  if (historicalEnd > bytes.length) need(bytes, historicalEnd - 1, `historical byte ${historicalCount}`);
  const historicalBytes = bytes.slice(end, historicalEnd);
  const hasTck = tckPresent(groups);
  const totalLength = historicalEnd + (hasTck ? 1 : 0);
  if (hasTck) need(bytes, historicalEnd, 'TCK');
  if (totalLength > ATR_LENGTH_MAX) throw new Iso7816Error('ATR_TOO_LONG', `ATR longer than ${ATR_LENGTH_MAX} bytes`);
  if (bytes.length > totalLength) {
    throw new Iso7816Error('ATR_TRAILING_BYTES', `ATR has ${bytes.length - totalLength} byte(s) after its end at byte ${totalLength}`);
  }
  return decodeFields(bytes, convention, t0, groups, historicalBytes, hasTck);
}

function decodeFields(
  bytes: Uint8Array,
  convention: 'direct' | 'inverse',
  t0: number,
  groups: InterfaceGroup[],
  historicalBytes: Uint8Array,
  hasTck: boolean,
): Atr {
  const g1 = groups[0];
  const g2 = groups[1];
  const ta1 = g1?.ta ?? null;
  const fiCode = ta1 === null ? ATR_DEFAULTS.FI : ta1 >> 4;
  const diCode = ta1 === null ? ATR_DEFAULTS.DI : ta1 & 0x0f;
  const protocols = offeredProtocols(groups);
  let tck: number | null = null;
  let tckValid: boolean | null = null;
  if (hasTck) {
    tck = bytes[bytes.length - 1] ?? 0;
    let xor = 0;
    for (let i = 1; i < bytes.length; i++) xor ^= bytes[i] ?? 0;
    tckValid = xor === 0;
  }
  const t15 = groups.find((g) => g.i >= 2 && g.announcedBy === 15 && g.ta !== null);
  return {
    bytes,
    convention,
    t0,
    groups,
    historicalBytes,
    protocols,
    defaultProtocol: protocols[0] ?? 0,
    tck,
    tckValid,
    fiCode,
    diCode,
    fi: FI_TABLE[fiCode] ?? null,
    di: DI_TABLE[diCode] ?? null,
    n: g1?.tc ?? ATR_DEFAULTS.N,
    wi: g2?.tc ?? ATR_DEFAULTS.WI,
    specificMode: specificMode(g2?.ta ?? null),
    t1: t1Parameters(groups, protocols),
    clockStop: t15?.ta == null ? null : t15.ta >> 6,
    classIndicator: t15?.ta == null ? null : t15.ta & 0x3f,
  };
}

/** Interface-byte names and hex, e.g. ["TA1=13", "TD1=81"], for people reading a decoded ATR. */
export function describeInterfaceBytes(atr: Atr): string[] {
  const out: string[] = [];
  for (const g of atr.groups) {
    for (const [name, value] of [
      ['TA', g.ta],
      ['TB', g.tb],
      ['TC', g.tc],
      ['TD', g.td],
    ] as const) {
      if (value !== null) out.push(`${name}${g.i}=${toHex(Uint8Array.of(value))}`);
    }
  }
  return out;
}
