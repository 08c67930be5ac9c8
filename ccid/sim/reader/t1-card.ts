/**
 * Card side of the T=1 block protocol (ISO 7816-3 §11), for the virtual reader: wraps any
 * `SimulatedCard` (which speaks whole APDUs) and answers each block the host sends with the block
 * a T=1 card would send back. It reassembles chained commands (acknowledging each with R(N(R))),
 * chains its own responses in blocks of at most min(IFSD, `sendChunkMax`), answers S(IFS),
 * S(RESYNCH) and S(ABORT) requests, retransmits its last block when the host's R-block asks, and
 * can ask for waiting time (S(WTX request)) before each answer. Fault hooks live in the public
 * `faults` object so that a test can change them between blocks. Deterministic: no clock, no RNG.
 */
import { concatBytes } from '../../bytes.ts';
import { decodeT1Block, encodeT1Block, T1_INF, type T1Block, type T1Edc } from '../../iso7816/t1-block.ts';
import { Iso7816Error } from '../../iso7816/errors.ts';
import { ISO7816_LIMITS } from '../../iso7816/limits.ts';
import type { SimulatedCard } from '../simulated-card.ts';

/** ISO 7816-4 §5.6: what a card answers to a command APDU it cannot even parse. */
const SW_WRONG_LENGTH = Uint8Array.of(0x67, 0x00);

/** The wrapped card's answer; a command it refuses as malformed (a typed Iso7816Error) is answered 67 00 like a real card. */
export function transmitOrWrongLength(card: SimulatedCard, apdu: Uint8Array): Uint8Array {
  try {
    return card.transmit(apdu);
  } catch (error) {
    if (error instanceof Iso7816Error && error.code === 'APDU_MALFORMED') return Uint8Array.from(SW_WRONG_LENGTH);
    throw error;
  }
}

export interface T1CardOptions {
  edc: T1Edc;
  /** IFSC: the largest INF this card accepts (what its ATR announces). Default 32. */
  ifsc?: number;
  /** Largest INF the card puts in its own I-blocks (further capped by IFSD): small values force chained responses. */
  sendChunkMax?: number;
  /** NAD the card puts in its blocks. Default 0. */
  nad?: number;
}

export interface T1CardFaults {
  /** The next N blocks the card sends carry a corrupted EDC (retransmissions count too). */
  corruptEdcCount: number;
  /** S(WTX request) blocks sent before each answer, and the multiplier they carry. */
  wtxBeforeAnswer: { count: number; multiplier: number };
  /** The card answers S(RESYNCH request) with an R-block instead of S(RESYNCH response). */
  ignoreResynch: boolean;
}

interface OutgoingResponse {
  data: Uint8Array;
  offset: number;
  sentLength: number;
}

export class T1Card {
  readonly faults: T1CardFaults = { corruptEdcCount: 0, wtxBeforeAnswer: { count: 0, multiplier: 1 }, ignoreResynch: false };
  /** Number of APDUs handed to the wrapped card (a resynchronised command may run twice). */
  apduCount = 0;
  private readonly card: SimulatedCard;
  private readonly edc: T1Edc;
  private readonly ifsc: number;
  private readonly sendChunkMax: number;
  private readonly nad: number;
  private ns: 0 | 1 = 0;
  private nr: 0 | 1 = 0;
  private ifsdNow: number = T1_INF.IFS_DEFAULT;
  private command: Uint8Array[] = [];
  private commandBytes = 0;
  private response: OutgoingResponse | null = null;
  /** Our final I-block was sent; the host's next I-block acknowledges it (rule 2.1). */
  private lastIPending = false;
  private wtxLeft = 0;
  private lastSent: T1Block | null = null;

  constructor(card: SimulatedCard, options: T1CardOptions) {
    this.card = card;
    this.edc = options.edc;
    this.ifsc = options.ifsc ?? T1_INF.IFS_DEFAULT;
    this.sendChunkMax = Math.max(1, Math.min(T1_INF.LEN_MAX, options.sendChunkMax ?? T1_INF.LEN_MAX));
    this.nad = options.nad ?? 0;
  }

  /** IFSD the host announced (32 until S(IFS request)). */
  get ifsd(): number {
    return this.ifsdNow;
  }

  powerOn(): Uint8Array {
    this.reset();
    return this.card.powerOn();
  }

  powerOff(): void {
    this.reset();
    this.card.powerOff();
  }

  /** One block from the host in, the card's next block out. */
  receive(raw: Uint8Array): Uint8Array {
    let block: T1Block;
    try {
      block = decodeT1Block(raw, this.edc);
    } catch (error) {
      if (!(error instanceof Iso7816Error)) throw error;
      return this.emit({ kind: 'R', nad: this.nad, nr: this.nr, error: error.code === 'T1_BAD_EDC' ? 'edc' : 'other' });
    }
    switch (block.kind) {
      case 'I':
        return this.onIBlock(block);
      case 'R':
        return this.onRBlock(block);
      case 'S':
        return this.onSBlock(block);
    }
  }

  private reset(): void {
    this.ns = 0;
    this.nr = 0;
    this.ifsdNow = T1_INF.IFS_DEFAULT;
    this.command = [];
    this.commandBytes = 0;
    this.response = null;
    this.lastIPending = false;
    this.wtxLeft = 0;
    this.lastSent = null;
  }

  private other(): Uint8Array {
    return this.emit({ kind: 'R', nad: this.nad, nr: this.nr, error: 'other' });
  }

  private onIBlock(block: T1Block & { kind: 'I' }): Uint8Array {
    if (block.ns !== this.nr) return this.lastSent === null ? this.other() : this.emit(this.lastSent); // a repeat: our answer was lost
    if (block.inf.length > this.ifsc) return this.other();
    if (this.lastIPending) {
      this.ns = this.ns === 0 ? 1 : 0;
      this.lastIPending = false;
    }
    this.response = null;
    this.nr = this.nr === 0 ? 1 : 0;
    this.commandBytes += block.inf.length;
    if (this.commandBytes > ISO7816_LIMITS.t1CommandBytesMax) {
      this.command = [];
      this.commandBytes = 0;
      return this.other();
    }
    this.command.push(block.inf);
    if (block.more) return this.emit({ kind: 'R', nad: this.nad, nr: this.nr, error: 'none' });
    const apdu = concatBytes(...this.command);
    this.command = [];
    this.commandBytes = 0;
    this.apduCount += 1;
    this.response = { data: transmitOrWrongLength(this.card, apdu), offset: 0, sentLength: 0 };
    this.wtxLeft = this.faults.wtxBeforeAnswer.count;
    return this.nextOut();
  }

  private nextOut(): Uint8Array {
    if (this.wtxLeft > 0) {
      this.wtxLeft -= 1;
      return this.emit({
        kind: 'S',
        nad: this.nad,
        type: 'WTX',
        response: false,
        inf: Uint8Array.of(this.faults.wtxBeforeAnswer.multiplier & 0xff),
      });
    }
    return this.sendChunk();
  }

  private sendChunk(): Uint8Array {
    const out = this.response;
    if (out === null) return this.other();
    const length = Math.min(this.ifsdNow, this.sendChunkMax, out.data.length - out.offset);
    const more = out.offset + length < out.data.length;
    out.sentLength = length;
    const block: T1Block = { kind: 'I', nad: this.nad, ns: this.ns, more, inf: out.data.slice(out.offset, out.offset + length) };
    if (!more) {
      this.response = null;
      this.lastIPending = true;
    }
    return this.emit(block);
  }

  private onRBlock(block: T1Block & { kind: 'R' }): Uint8Array {
    const out = this.response;
    const chaining = out !== null && this.lastSent?.kind === 'I' && this.lastSent.more;
    if (chaining && block.error === 'none' && block.nr !== this.ns) {
      // Rule 2.2: the host acknowledged our chained I-block.
      this.ns = this.ns === 0 ? 1 : 0;
      out.offset += out.sentLength;
      return this.sendChunk();
    }
    // Rules 7.x: the host did not get our last block; send it again.
    return this.lastSent === null ? this.other() : this.emit(this.lastSent);
  }

  private onSBlock(block: T1Block & { kind: 'S' }): Uint8Array {
    if (block.response) {
      if (block.type === 'WTX' && this.lastSent?.kind === 'S' && this.lastSent.type === 'WTX') return this.nextOut();
      return this.other();
    }
    const value = block.inf[0] ?? 0;
    switch (block.type) {
      case 'IFS':
        if (value < T1_INF.IFS_MIN || value > T1_INF.IFS_MAX) return this.other();
        this.ifsdNow = value;
        return this.emit({ kind: 'S', nad: this.nad, type: 'IFS', response: true, inf: Uint8Array.of(value) });
      case 'RESYNCH':
        if (this.faults.ignoreResynch) return this.other();
        this.reset();
        return this.emit({ kind: 'S', nad: this.nad, type: 'RESYNCH', response: true, inf: new Uint8Array(0) });
      case 'ABORT':
        this.command = [];
        this.commandBytes = 0;
        this.response = null;
        return this.emit({ kind: 'S', nad: this.nad, type: 'ABORT', response: true, inf: new Uint8Array(0) });
      case 'WTX':
        return this.other(); // only the card may ask for waiting time
    }
  }

  private emit(block: T1Block): Uint8Array {
    this.lastSent = block;
    const bytes = encodeT1Block(block, this.edc);
    if (this.faults.corruptEdcCount > 0) {
      this.faults.corruptEdcCount -= 1;
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    }
    return bytes;
  }
}
