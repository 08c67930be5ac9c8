/**
 * Card side of T=0 at TPDU level, for the virtual reader: wraps any `SimulatedCard` (which speaks
 * whole APDUs) and answers command TPDUs the way a T=0 card does (ISO 7816-3 §10, §12.2). A
 * 5-byte TPDU is case 1 or 2 (P3 = Le, 00 = 256; a TPDU cannot tell case 1 from Le 256, so the
 * wrapped card sees Le 256 and a card with nothing to return answers SW only); a longer one is case 3 or 4 (P3 = Lc) and, when
 * the card has response data, the answer is 61xx and the data is served by GET RESPONSE in chunks
 * of at most 256 bytes. With `wrongLe: '6Cxx'` a case-2 TPDU whose P3 is not the available length
 * is answered 6Cxx, as strict cards do. Deterministic; faults are plain options.
 */
import { concatBytes } from '../../bytes.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { transmitOrWrongLength } from './t1-card.ts';

export interface T0CardOptions {
  /** Case 2 with P3 ≠ available length: 'lenient' returns what is there, '6Cxx' asks for the exact length. */
  wrongLe?: 'lenient' | '6Cxx';
  /** Largest chunk announced in 61xx and served per GET RESPONSE (1..256, default 256). */
  getResponseChunkMax?: number;
}

/** ISO 7816-4 §5.6 status words this engine produces itself. */
const SW_T0 = {
  CONDITIONS_OF_USE_NOT_SATISFIED: 0x6985, // GET RESPONSE with nothing pending
  WRONG_LENGTH: 0x6700,
} as const;

const INS_GET_RESPONSE = 0xc0;

function sw(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

export class T0Card {
  private readonly card: SimulatedCard;
  private readonly wrongLe: 'lenient' | '6Cxx';
  private readonly chunkMax: number;
  /** Response data waiting for GET RESPONSE and the SW that ends it. */
  private pending: { data: Uint8Array; sw: Uint8Array } | null = null;

  constructor(card: SimulatedCard, options: T0CardOptions = {}) {
    this.card = card;
    this.wrongLe = options.wrongLe ?? 'lenient';
    this.chunkMax = Math.max(1, Math.min(256, options.getResponseChunkMax ?? 256));
  }

  powerOn(): Uint8Array {
    this.pending = null;
    return this.card.powerOn();
  }

  powerOff(): void {
    this.pending = null;
    this.card.powerOff();
  }

  /** One command TPDU (CLA INS P1 P2 P3 [data]) in, response data + SW1 SW2 out. */
  transmit(tpdu: Uint8Array): Uint8Array {
    if (tpdu.length < 5) return sw(SW_T0.WRONG_LENGTH);
    const p3 = tpdu[4]!;
    if (tpdu[1] === INS_GET_RESPONSE && tpdu.length === 5) {
      return this.pending === null ? sw(SW_T0.CONDITIONS_OF_USE_NOT_SATISFIED) : this.serve(p3);
    }
    this.pending = null;
    if (tpdu.length === 5) return this.outgoing(tpdu, p3);
    if (tpdu.length !== 5 + p3 || p3 === 0) return sw(SW_T0.WRONG_LENGTH);
    return this.incoming(tpdu);
  }

  /** Case 1 or 2: the card sends data. */
  private outgoing(tpdu: Uint8Array, p3: number): Uint8Array {
    const le = p3 === 0 ? 256 : p3;
    const answer = transmitOrWrongLength(this.card, concatBytes(tpdu.subarray(0, 4), Uint8Array.of(p3)));
    const data = answer.subarray(0, Math.max(0, answer.length - 2));
    const status = answer.subarray(Math.max(0, answer.length - 2));
    if (data.length === 0) return Uint8Array.from(status);
    if (data.length < le && this.wrongLe === '6Cxx') return Uint8Array.of(0x6c, data.length);
    if (data.length <= le) return Uint8Array.from(answer);
    // More than Ne available: give Ne bytes and announce the rest with 61xx.
    this.pending = { data: data.slice(le), sw: Uint8Array.from(status) };
    return concatBytes(data.subarray(0, le), this.announce());
  }

  /** Case 3 or 4: the card receives data; response data waits for GET RESPONSE. */
  private incoming(tpdu: Uint8Array): Uint8Array {
    const answer = transmitOrWrongLength(this.card, tpdu);
    if (answer.length <= 2) return Uint8Array.from(answer);
    this.pending = { data: answer.slice(0, -2), sw: answer.slice(-2) };
    return this.announce();
  }

  private announce(): Uint8Array {
    const available = Math.min(this.pending?.data.length ?? 0, this.chunkMax);
    return Uint8Array.of(0x61, available & 0xff);
  }

  private serve(p3: number): Uint8Array {
    const pending = this.pending!;
    const le = p3 === 0 ? 256 : p3;
    const available = Math.min(pending.data.length, this.chunkMax);
    if (le > available) {
      if (this.wrongLe === '6Cxx' || le > pending.data.length) return Uint8Array.of(0x6c, available & 0xff);
    }
    const chunk = pending.data.slice(0, le);
    const rest = pending.data.slice(le);
    if (rest.length === 0) {
      this.pending = null;
      return concatBytes(chunk, pending.sw);
    }
    this.pending = { data: rest, sw: pending.sw };
    return concatBytes(chunk, this.announce());
  }
}
