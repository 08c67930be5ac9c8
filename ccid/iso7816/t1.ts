/**
 * Host side of the T=1 block protocol (ISO 7816-3 §11) at TPDU level: `T1Host` turns one command
 * APDU into I-blocks no longer than IFSC (chaining with the M bit), collects the card's chained
 * answer (acknowledging each block with an R-block), answers the card's S-block requests (WTX, IFS)
 * and recovers from transmission errors by the rules of §11.6.3: a bad block is answered with an
 * R-block (or the last R-block is repeated), a block the card asks again for is retransmitted, up
 * to `t1RetryCountMax`; then S(RESYNCH) and the whole APDU again, up to `t1ResynchCountMax`; then
 * a typed error. `io` sends one block and resolves with the card's next block; the CCID driver
 * (ccid/usb) supplies it, the virtual reader answers it with ccid/sim/reader/t1-card.ts.
 * The codec lives in t1-block.ts and is re-exported here.
 */
import { concatBytes } from '../bytes.ts';
import { Iso7816Error } from './errors.ts';
import { withLimits, type Iso7816Limits } from './limits.ts';
import { T1_INF, decodeT1Block, encodeT1Block, type T1Block, type T1Edc } from './t1-block.ts';

export * from './t1-block.ts';

/** Sends one T=1 block to the card and resolves with the card's next block. */
export type BlockIo = (block: Uint8Array) => Promise<Uint8Array>;

export interface T1HostOptions {
  /** Card's maximum INF (first TA for T=1 in the ATR, default 32). */
  ifsc: number;
  /** Host's maximum INF, announced with S(IFS request) before the first I-block unless it is 32. */
  ifsd: number;
  edc: T1Edc;
  /** NAD byte; 00 unless the reader supports NAD (dwFeatures 0x200). */
  nad?: number;
  /** False when the reader negotiates IFSD itself (CCID dwFeatures 0x400). Default true. */
  announceIfsd?: boolean;
  /** Called when the card asks for more time (S(WTX request) with multiplier m): extend the next read's deadline by m. */
  onWtx?: (multiplier: number) => void;
  limits?: Partial<Iso7816Limits>;
}

type Received = { ok: true; block: T1Block } | { ok: false; code: 'T1_BAD_EDC' | 'T1_MALFORMED_BLOCK' };

/** Mutable state of one APDU exchange (one attempt between resynchronisations). */
interface Exchange {
  apdu: Uint8Array;
  offset: number;
  /** INF length of the I-block in flight. */
  sentLength: number;
  sending: boolean;
  toSend: T1Block;
  lastIBlock: T1Block;
  received: Uint8Array[];
  receivedBytes: number;
  retries: number;
}

type Step = { done: true; response: Uint8Array } | { done: false; resynch: boolean };

const CONTINUE: Step = { done: false, resynch: false };
const RESYNCH: Step = { done: false, resynch: true };

export class T1Host {
  private readonly io: BlockIo;
  private readonly edc: T1Edc;
  private readonly nad: number;
  private readonly ifscInitial: number;
  private readonly ifsdWanted: number;
  private readonly announceIfsd: boolean;
  private readonly onWtx: ((multiplier: number) => void) | undefined;
  private readonly limits: Iso7816Limits;
  private ns: 0 | 1 = 0;
  private nr: 0 | 1 = 0;
  private ifscNow: number;
  private ifsdNow: number = T1_INF.IFS_DEFAULT;
  private ifsdPending: boolean;
  private wtxCount = 0;
  /** Set when an exchange ended in an error: the card's sequence state is unknown until RESYNCH. */
  private desynchronized = false;

  constructor(io: BlockIo, options: T1HostOptions) {
    checkIfs(options.ifsc, 'IFSC');
    checkIfs(options.ifsd, 'IFSD');
    this.io = io;
    this.edc = options.edc;
    this.nad = options.nad ?? 0;
    this.ifscInitial = options.ifsc;
    this.ifscNow = options.ifsc;
    this.ifsdWanted = options.ifsd;
    this.announceIfsd = options.announceIfsd ?? true;
    this.ifsdPending = this.announceIfsd && options.ifsd !== T1_INF.IFS_DEFAULT;
    if (!this.announceIfsd) this.ifsdNow = options.ifsd;
    this.onWtx = options.onWtx;
    this.limits = withLimits(options.limits);
  }

  /** Current IFSC (changes when the card sends S(IFS request)). */
  get ifsc(): number {
    return this.ifscNow;
  }

  /** IFSD the card has acknowledged (32 until negotiated). */
  get ifsd(): number {
    return this.ifsdNow;
  }

  /** Sends S(IFS request, n) and waits for the matching response (ISO 7816-3 §11.4.2, rule 3). */
  async negotiateIfsd(n: number): Promise<void> {
    checkIfs(n, 'IFSD');
    const request: T1Block = { kind: 'S', nad: this.nad, type: 'IFS', response: false, inf: Uint8Array.of(n) };
    for (let attempt = 0; attempt <= this.limits.t1RetryCountMax; attempt++) {
      const got = await this.send(request);
      if (got.ok && got.block.kind === 'S' && got.block.type === 'IFS' && got.block.response && got.block.inf[0] === n) {
        this.ifsdNow = n;
        this.ifsdPending = false;
        return;
      }
      // Rule 7.3: a wrong or garbled answer to an S-request: send the request again.
    }
    this.ifsdPending = false;
    throw new Iso7816Error(
      'T1_IFS_NOT_ACKNOWLEDGED',
      `card did not acknowledge S(IFS request ${n}) after ${this.limits.t1RetryCountMax + 1} tries`,
    );
  }

  /** Sends S(RESYNCH request) until answered (rule 6); resets N(S), N(R), IFSC and IFSD. */
  async resynchronize(): Promise<void> {
    const request: T1Block = { kind: 'S', nad: this.nad, type: 'RESYNCH', response: false, inf: new Uint8Array(0) };
    for (let attempt = 0; attempt <= this.limits.t1RetryCountMax; attempt++) {
      const got = await this.send(request);
      if (got.ok && got.block.kind === 'S' && got.block.type === 'RESYNCH' && got.block.response) {
        this.ns = 0;
        this.nr = 0;
        this.ifscNow = this.ifscInitial;
        this.ifsdNow = this.announceIfsd ? T1_INF.IFS_DEFAULT : this.ifsdWanted;
        this.ifsdPending = this.announceIfsd && this.ifsdWanted !== T1_INF.IFS_DEFAULT;
        this.desynchronized = false;
        return;
      }
    }
    throw new Iso7816Error('T1_RESYNCH_FAILED', `card did not answer S(RESYNCH request) after ${this.limits.t1RetryCountMax + 1} tries`);
  }

  /**
   * Sends one command APDU and returns the response APDU. Throws Iso7816Error T1_RESYNCH_LIMIT,
   * T1_RESYNCH_FAILED, T1_WTX_LIMIT, T1_BLOCK_LIMIT, T1_RESPONSE_TOO_LONG, T1_CARD_ABORTED,
   * T1_IFS_NOT_ACKNOWLEDGED; errors of `io` (reader, USB) pass through unchanged. After any
   * error the next call starts with S(RESYNCH), so one bad exchange does not poison the next.
   */
  async transceive(apdu: Uint8Array): Promise<Uint8Array> {
    if (apdu.length === 0 || apdu.length > this.limits.t1CommandBytesMax) {
      throw new Iso7816Error('T1_INVALID_ARGUMENT', `APDU of ${apdu.length} bytes cannot be sent`);
    }
    this.wtxCount = 0;
    try {
      if (this.desynchronized) await this.resynchronize();
      const response = await this.exchangeWithResynch(apdu);
      this.desynchronized = false;
      return response;
    } catch (error) {
      this.desynchronized = true;
      throw error;
    }
  }

  private async exchangeWithResynch(apdu: Uint8Array): Promise<Uint8Array> {
    for (let resynchs = 0; ; resynchs++) {
      if (this.ifsdPending) await this.negotiateIfsd(this.ifsdWanted);
      const response = await this.runExchange(apdu);
      if (response !== null) return response;
      if (resynchs >= this.limits.t1ResynchCountMax) {
        throw new Iso7816Error('T1_RESYNCH_LIMIT', `T=1 exchange failed after ${resynchs} resynchronisations`);
      }
      // Hazard: the card may already have executed the command before the failure; ISO 7816-3 leaves no way to know.
      await this.resynchronize();
    }
  }

  private async send(block: T1Block): Promise<Received> {
    const raw = await this.io(encodeT1Block(block, this.edc));
    try {
      return { ok: true, block: decodeT1Block(raw, this.edc) };
    } catch (error) {
      if (error instanceof Iso7816Error && (error.code === 'T1_BAD_EDC' || error.code === 'T1_MALFORMED_BLOCK')) {
        return { ok: false, code: error.code };
      }
      throw error;
    }
  }

  private nextIBlock(x: Exchange): T1Block {
    const length = Math.min(this.ifscNow, x.apdu.length - x.offset);
    const more = x.offset + length < x.apdu.length;
    x.sentLength = length;
    const block: T1Block = { kind: 'I', nad: this.nad, ns: this.ns, more, inf: x.apdu.subarray(x.offset, x.offset + length) };
    x.lastIBlock = block;
    return block;
  }

  /** One attempt at the APDU; null means "resynchronise and start again". */
  private async runExchange(apdu: Uint8Array): Promise<Uint8Array | null> {
    const x: Exchange = {
      apdu,
      offset: 0,
      sentLength: 0,
      sending: true,
      received: [],
      receivedBytes: 0,
      retries: 0,
      toSend: { kind: 'R', nad: 0, nr: 0, error: 'none' },
      lastIBlock: { kind: 'R', nad: 0, nr: 0, error: 'none' },
    };
    x.toSend = this.nextIBlock(x);
    for (let blocks = 0; blocks < this.limits.t1BlockCountMax; blocks++) {
      const got = await this.send(x.toSend);
      const step = got.ok ? this.onBlock(x, got.block) : this.onBadBlock(x, got.code === 'T1_BAD_EDC' ? 'edc' : 'other');
      if (step.done) return step.response;
      if (step.resynch) return null;
    }
    throw new Iso7816Error('T1_BLOCK_LIMIT', `T=1 exchange exceeded ${this.limits.t1BlockCountMax} blocks`);
  }

  /** Rules 7.1/7.2: answer a bad block with R(error), or repeat our last R-block; after the cap, resynchronise. */
  private onBadBlock(x: Exchange, error: 'edc' | 'other'): Step {
    x.retries += 1;
    if (x.retries > this.limits.t1RetryCountMax) return RESYNCH;
    if (x.toSend.kind !== 'R') x.toSend = { kind: 'R', nad: this.nad, nr: this.nr, error };
    return CONTINUE;
  }

  private onBlock(x: Exchange, block: T1Block): Step {
    switch (block.kind) {
      case 'S':
        return this.onSBlock(x, block);
      case 'R':
        return this.onRBlock(x, block);
      case 'I':
        return this.onIBlock(x, block);
    }
  }

  private onSBlock(x: Exchange, block: T1Block & { kind: 'S' }): Step {
    if (block.response) return this.onBadBlock(x, 'other'); // no S-request of ours is pending here
    const value = block.inf[0] ?? 0;
    switch (block.type) {
      case 'WTX':
        this.wtxCount += 1;
        if (this.wtxCount > this.limits.t1WtxCountMax) {
          throw new Iso7816Error('T1_WTX_LIMIT', `card asked for more time ${this.wtxCount} times in one exchange`);
        }
        this.onWtx?.(value);
        x.toSend = { kind: 'S', nad: this.nad, type: 'WTX', response: true, inf: Uint8Array.of(value) };
        return CONTINUE;
      case 'IFS':
        if (value < T1_INF.IFS_MIN || value > T1_INF.IFS_MAX) return this.onBadBlock(x, 'other');
        this.ifscNow = value;
        x.toSend = { kind: 'S', nad: this.nad, type: 'IFS', response: true, inf: Uint8Array.of(value) };
        return CONTINUE;
      case 'ABORT':
        // libccid treats a card ABORT as fatal; we answer nothing and stop the exchange.
        throw new Iso7816Error('T1_CARD_ABORTED', 'card sent S(ABORT request)');
      case 'RESYNCH':
        return RESYNCH; // only the interface device may ask for resynchronisation (rule 6)
    }
  }

  private onRBlock(x: Exchange, block: T1Block & { kind: 'R' }): Step {
    if (!x.sending) {
      // The card did not get our R-block: repeat it (rule 7.2).
      return this.onBadBlock(x, 'other');
    }
    const chained = x.lastIBlock.kind === 'I' && x.lastIBlock.more;
    if (block.nr !== this.ns && block.error === 'none' && chained) {
      // Rule 2.2: acknowledgement of a chained I-block; send the next one.
      this.ns = this.ns === 0 ? 1 : 0;
      x.offset += x.sentLength;
      x.retries = 0;
      x.toSend = this.nextIBlock(x);
      return CONTINUE;
    }
    // Rules 6.x/7.x: the card asks for the I-block again (or acknowledged a block we did not chain).
    x.retries += 1;
    if (x.retries > this.limits.t1RetryCountMax) return RESYNCH;
    x.toSend = x.lastIBlock;
    return CONTINUE;
  }

  private onIBlock(x: Exchange, block: T1Block & { kind: 'I' }): Step {
    if (x.sending) {
      if (x.lastIBlock.kind === 'I' && x.lastIBlock.more) return this.onBadBlock(x, 'other'); // answer before our chain ended
      // Rule 2.1: the card's I-block acknowledges our last I-block.
      this.ns = this.ns === 0 ? 1 : 0;
      x.sending = false;
    }
    if (block.ns !== this.nr) return this.onBadBlock(x, 'other');
    this.nr = this.nr === 0 ? 1 : 0;
    x.retries = 0;
    x.receivedBytes += block.inf.length;
    if (x.receivedBytes > this.limits.t1ResponseBytesMax) {
      throw new Iso7816Error('T1_RESPONSE_TOO_LONG', `T=1 response exceeds ${this.limits.t1ResponseBytesMax} bytes`);
    }
    x.received.push(block.inf);
    if (!block.more) return { done: true, response: concatBytes(...x.received) };
    // Rule 5: acknowledge a chained I-block with R(N(R) = next expected N(S)).
    x.toSend = { kind: 'R', nad: this.nad, nr: this.nr, error: 'none' };
    return CONTINUE;
  }
}

function checkIfs(value: number, name: string): void {
  if (!Number.isInteger(value) || value < T1_INF.IFS_MIN || value > T1_INF.IFS_MAX) {
    throw new Iso7816Error('T1_INVALID_ARGUMENT', `${name} must be ${T1_INF.IFS_MIN}..${T1_INF.IFS_MAX}, got ${value}`);
  }
}
