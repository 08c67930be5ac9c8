/**
 * BER-TLV (ISO 7816-4 §5.2, ISO/IEC 8825-1 §8.1) as cards use it in FCI templates (6F, 84, A5, 88,
 * 9F0C, BF0C ...): parse bytes into data objects, recursing into constructed ones (tag bit 6 set),
 * and encode them back. Tags are kept as numbers of their bytes (9F0C → 0x9F0C), at most 3 bytes;
 * lengths are definite (short form or 81/82/83/84); indefinite lengths are refused. Depth and the
 * number of objects are capped (limits.ts) so a hostile card cannot make the parse run away.
 */
import { concatBytes, toHex } from '../bytes.ts';
import { Iso7816Error } from './errors.ts';
import { withLimits, type Iso7816Limits } from './limits.ts';

/** ISO/IEC 8825-1 §8.1.2 and §8.1.3: tag and length coding. */
export const BER = {
  CONSTRUCTED: 0x20,
  TAG_NUMBER_MASK: 0x1f,
  TAG_MORE: 0x80,
  LENGTH_LONG_FORM: 0x80,
  TAG_BYTES_MAX: 3,
  LENGTH_BYTES_MAX: 4,
} as const;

export interface TlvNode {
  tag: number;
  constructed: boolean;
  /** The value bytes (for a constructed object, the encoding of its children). */
  value: Uint8Array;
  /** Children of a constructed object; absent for a primitive one. */
  children?: TlvNode[];
}

interface Cursor {
  bytes: Uint8Array;
  offset: number;
  nodes: number;
}

function malformed(message: string, offset: number): never {
  throw new Iso7816Error('TLV_MALFORMED', `BER-TLV: ${message} at byte ${offset}`);
}

function readTag(c: Cursor): { tag: number; constructed: boolean } {
  const first = c.bytes[c.offset];
  if (first === undefined) return malformed('tag expected', c.offset);
  c.offset += 1;
  let tag = first;
  if ((first & BER.TAG_NUMBER_MASK) === BER.TAG_NUMBER_MASK) {
    for (let count = 1; ; count++) {
      if (count >= BER.TAG_BYTES_MAX) malformed(`tag longer than ${BER.TAG_BYTES_MAX} bytes`, c.offset);
      const next = c.bytes[c.offset];
      if (next === undefined) malformed('tag truncated', c.offset);
      c.offset += 1;
      tag = tag * 256 + next;
      if ((next & BER.TAG_MORE) === 0) break;
    }
  }
  return { tag, constructed: (first & BER.CONSTRUCTED) !== 0 };
}

function readLength(c: Cursor): number {
  const first = c.bytes[c.offset];
  if (first === undefined) return malformed('length expected', c.offset);
  c.offset += 1;
  if ((first & BER.LENGTH_LONG_FORM) === 0) return first;
  const count = first & 0x7f;
  if (count === 0) malformed('indefinite length is not allowed', c.offset - 1);
  if (count > BER.LENGTH_BYTES_MAX) malformed(`length field of ${count} bytes`, c.offset - 1);
  let length = 0;
  for (let i = 0; i < count; i++) {
    const next = c.bytes[c.offset];
    if (next === undefined) malformed('length truncated', c.offset);
    c.offset += 1;
    length = length * 256 + next;
  }
  return length;
}

function parseLevel(bytes: Uint8Array, depth: number, limits: Iso7816Limits, counter: { nodes: number }): TlvNode[] {
  if (depth > limits.tlvDepthMax) throw new Iso7816Error('TLV_TOO_DEEP', `BER-TLV nested deeper than ${limits.tlvDepthMax}`);
  const c: Cursor = { bytes, offset: 0, nodes: 0 };
  const nodes: TlvNode[] = [];
  while (c.offset < bytes.length) {
    counter.nodes += 1;
    if (counter.nodes > limits.tlvNodeCountMax)
      throw new Iso7816Error('TLV_TOO_MANY', `more than ${limits.tlvNodeCountMax} BER-TLV objects`);
    const { tag, constructed } = readTag(c);
    const length = readLength(c);
    if (length > bytes.length - c.offset) malformed(`value of ${length} bytes overruns the data`, c.offset);
    const value = bytes.slice(c.offset, c.offset + length);
    c.offset += length;
    nodes.push(
      constructed ? { tag, constructed, value, children: parseLevel(value, depth + 1, limits, counter) } : { tag, constructed, value },
    );
  }
  return nodes;
}

/** Parses a sequence of BER-TLV objects; throws Iso7816Error TLV_MALFORMED, TLV_TOO_DEEP or TLV_TOO_MANY. */
export function parseTlv(bytes: Uint8Array, limits?: Partial<Pick<Iso7816Limits, 'tlvDepthMax' | 'tlvNodeCountMax'>>): TlvNode[] {
  return parseLevel(bytes, 1, withLimits(limits), { nodes: 0 });
}

function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new Iso7816Error('TLV_INVALID', `tag ${tag} is not 1..3 bytes`);
  const out: number[] = [];
  let rest = tag;
  do {
    out.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  const first = out[0]!;
  const multi = (first & BER.TAG_NUMBER_MASK) === BER.TAG_NUMBER_MASK;
  const wellFormed = multi
    ? out.length > 1 && out.slice(1, -1).every((b) => (b & BER.TAG_MORE) !== 0) && (out[out.length - 1]! & BER.TAG_MORE) === 0
    : out.length === 1;
  if (!wellFormed) throw new Iso7816Error('TLV_INVALID', `tag ${tag.toString(16).toUpperCase()} is not a valid BER tag`);
  return Uint8Array.from(out);
}

export function encodeLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff)
    throw new Iso7816Error('TLV_INVALID', `length ${length} out of range`);
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) out.unshift(rest & 0xff);
  return Uint8Array.from([BER.LENGTH_LONG_FORM | out.length, ...out]);
}

/** Encodes one object; a node with `children` is encoded from them (its `value` is ignored). */
export function encodeTlv(node: Pick<TlvNode, 'tag' | 'value' | 'children'>): Uint8Array {
  const value = node.children === undefined ? node.value : concatBytes(...node.children.map((child) => encodeTlv(child)));
  return concatBytes(tagBytes(node.tag), encodeLength(value.length), value);
}

/** A primitive object, for building FCI in simulated cards and tests. */
export function tlv(tag: number, value: Uint8Array): TlvNode {
  return { tag, constructed: (tagBytes(tag)[0]! & BER.CONSTRUCTED) !== 0, value };
}

/** A constructed object from its children. */
export function tlvConstructed(tag: number, children: TlvNode[]): TlvNode {
  const value = concatBytes(...children.map((child) => encodeTlv(child)));
  return { tag, constructed: true, value, children };
}

/** Finds the first object along a tag path, e.g. findTlv(nodes, 0x6f, 0xa5, 0x9f0c). */
export function findTlv(nodes: readonly TlvNode[], ...path: number[]): TlvNode | undefined {
  let level: readonly TlvNode[] = nodes;
  let found: TlvNode | undefined;
  for (const tag of path) {
    found = level.find((node) => node.tag === tag);
    if (found === undefined) return undefined;
    level = found.children ?? [];
  }
  return found;
}

/** Indented text dump for traces: "6F\n  84 A000000003…". */
export function formatTlv(nodes: readonly TlvNode[], indent = ''): string {
  return nodes
    .map((node) => {
      const head = `${indent}${node.tag.toString(16).toUpperCase().padStart(2, '0')}`;
      return node.children === undefined ? `${head} ${toHex(node.value)}` : `${head}\n${formatTlv(node.children, `${indent}  `)}`;
    })
    .join('\n');
}
