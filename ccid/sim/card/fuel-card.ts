/**
 * A simulated Sinopec-style fuel user card (加油IC卡): the card-side of every user-card command
 * of docs/card-protocol.md §1.1–1.3 over the `SimulatedCard` shape, with the card-side
 * cryptography of ccid/crypto. Deterministic: its randoms come from a seeded generator kept in
 * its state. Its persistent state serialises to JSON (`serialize` / `FuelCard.restore`), and a
 * power loss can be injected at any command (`failNext`), with the atomicity of a real card OS:
 * every command commits its persistent changes at once or not at all.
 *
 * Build one with `issueFuelCard` (issue.ts) or take a demo card (ccid/sim/demo/cards.ts).
 */
import { fromHex } from '../../bytes.ts';
import { DEFAULT_SCHEMES } from '../../crypto/index.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { blockCommand, updateBinary, writeKey } from './admin.ts';
import { parseCommandApdu, type CommandApdu } from './apdu.ts';
import { freshSession, type CardContext, type CardSession, type CommandHandler, type FuelCardBehaviour } from './context.ts';
import { greyLock, initializeGrey, lockProof, unlock } from './grey.ts';
import { changeOrReloadPin, pinUnblock, verify } from './pin.ts';
import { creditForLoad, debit, getTransactionProve, initialize } from './purse.ts';
import { getBalance, getChallenge, readBinary, readRecord, select } from './read.ts';
import { cloneState, stateFromJson, stateToJson, type FuelCardState, type SerializedFuelCard } from './state.ts';
import { SW, encodeResponse, swOnly, type CardResponse } from './sw.ts';

/** T=0 ATR: TS 3B, T0 68 (TB1 TC1, 8 historical bytes), TB1 00, TC1 00, historical 00 73 C8 40 10 00 90 00. */
export const FUEL_CARD_ATR = fromHex('3B680000 0073C84010009000');

type Route = { cla: number; ins: number; handler: CommandHandler; whenBlocked?: boolean };

/** Every command the card knows; `whenBlocked` marks those a blocked application still answers. */
const ROUTES: readonly Route[] = [
  { cla: 0x00, ins: 0xa4, handler: select, whenBlocked: true },
  { cla: 0x00, ins: 0xb0, handler: readBinary, whenBlocked: true },
  { cla: 0x00, ins: 0xb2, handler: readRecord, whenBlocked: true },
  { cla: 0x00, ins: 0x84, handler: getChallenge, whenBlocked: true },
  { cla: 0x00, ins: 0x20, handler: verify },
  { cla: 0x00, ins: 0xd6, handler: updateBinary },
  { cla: 0x04, ins: 0xd6, handler: updateBinary },
  { cla: 0x80, ins: 0x5c, handler: getBalance },
  { cla: 0x80, ins: 0x50, handler: initialize },
  { cla: 0x80, ins: 0x52, handler: creditForLoad },
  { cla: 0x80, ins: 0x54, handler: debit },
  { cla: 0x80, ins: 0x5a, handler: getTransactionProve },
  { cla: 0x80, ins: 0x5e, handler: changeOrReloadPin },
  { cla: 0x80, ins: 0xd4, handler: writeKey },
  { cla: 0x84, ins: 0x24, handler: pinUnblock },
  { cla: 0x84, ins: 0x1e, handler: blockCommand },
  { cla: 0x84, ins: 0x18, handler: blockCommand, whenBlocked: true },
  { cla: 0x84, ins: 0x16, handler: blockCommand },
  { cla: 0xe0, ins: 0xca, handler: lockProof, whenBlocked: true },
  { cla: 0xe0, ins: 0x7a, handler: initializeGrey },
  { cla: 0xe0, ins: 0x7c, handler: greyLock },
  { cla: 0xe0, ins: 0x7e, handler: unlock },
];
const KNOWN_CLAS = new Set(ROUTES.map((r) => r.cla));

/** Where a power loss strikes within a command: before its write, or after it and before the answer. */
export type PowerLossPoint = 'before-write' | 'after-write';

export interface PowerLossFault {
  when: PowerLossPoint;
  /** Commands to let through first (0: the next command). */
  skip?: number;
  /** Only a command with this INS counts (then `skip` counts such commands). */
  ins?: number;
}

export const SIM_CARD_ERROR = { POWER_LOST: 'CARD_POWER_LOST', NOT_POWERED: 'CARD_NOT_POWERED' } as const;
export type SimCardErrorCode = (typeof SIM_CARD_ERROR)[keyof typeof SIM_CARD_ERROR];

/** The card gave no answer: power was lost during the command, or the card was not powered. */
export class SimCardError extends Error {
  readonly code: SimCardErrorCode;
  /** For POWER_LOST: whether the command's write had happened. */
  readonly wrote: boolean;
  constructor(code: SimCardErrorCode, message: string, wrote = false) {
    super(message);
    this.name = 'SimCardError';
    this.code = code;
    this.wrote = wrote;
  }
}

/** Thrown inside a command by `commit` and caught by `transmit`. */
class PowerCut {
  constructor(readonly wrote: boolean) {}
}

export interface FuelCardOptions {
  behaviour?: Partial<FuelCardBehaviour>;
  atr?: Uint8Array;
  /** Replaces the card's seeded generator: for replaying published vectors with a known random. */
  randomSource?: (bytes: number) => Uint8Array;
}

export class FuelCard implements SimulatedCard {
  private state: FuelCardState;
  private rng: number;
  private session: CardSession = freshSession();
  private powered = false;
  private fault: (Required<Omit<PowerLossFault, 'ins'>> & { ins?: number }) | null = null;
  private readonly behaviour: FuelCardBehaviour;
  private readonly atr: Uint8Array;
  private readonly randomSource: ((bytes: number) => Uint8Array) | undefined;
  /** Commands answered since creation (power losses included); handy for fault sweeps in tests. */
  commandCount = 0;

  constructor(state: FuelCardState, rngSeed: number, options: FuelCardOptions = {}) {
    this.state = cloneState(state);
    this.rng = rngSeed >>> 0;
    this.behaviour = { schemes: DEFAULT_SCHEMES, proveOrder: 'TAC_MAC', ...options.behaviour };
    this.atr = options.atr ?? FUEL_CARD_ATR;
    this.randomSource = options.randomSource;
  }

  /** A card from `serialize()` output; throws FuelCardStateError when the object is not a valid state. */
  static restore(serialized: unknown, options: FuelCardOptions = {}): FuelCard {
    const { state, rng } = stateFromJson(serialized);
    return new FuelCard(state, rng, options);
  }

  /** The persistent state as a JSON-safe object (volatile session state is not part of it). */
  serialize(): SerializedFuelCard {
    return stateToJson(this.state, this.rng);
  }

  /** A read-only copy of the persistent state, for tests and the demo UI. */
  inspect(): FuelCardState {
    return cloneState(this.state);
  }

  get isPowered(): boolean {
    return this.powered;
  }

  powerOn(): Uint8Array {
    this.powered = true;
    this.session = freshSession();
    return this.atr.slice();
  }

  powerOff(): void {
    this.powered = false;
    this.session = freshSession();
  }

  /** Arms one power loss (replacing any armed one); see PowerLossFault. */
  failNext(fault: PowerLossFault): void {
    this.fault = { when: fault.when, skip: fault.skip ?? 0, ...(fault.ins === undefined ? {} : { ins: fault.ins }) };
  }

  /** Disarms a power loss that has not struck yet. */
  cancelFault(): void {
    this.fault = null;
  }

  transmit(commandApdu: Uint8Array): Uint8Array {
    if (!this.powered) throw new SimCardError(SIM_CARD_ERROR.NOT_POWERED, 'the card is not powered');
    this.commandCount += 1;
    const strike = this.takeFault(commandApdu);
    const apdu = parseCommandApdu(commandApdu);
    const pending = this.session.pending;
    this.session.pending = null;
    let response: CardResponse;
    try {
      response = apdu === null ? swOnly(SW.WRONG_LENGTH) : this.dispatch(this.context(strike, pending), apdu);
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
      this.powerOff();
      throw new SimCardError(SIM_CARD_ERROR.POWER_LOST, `power lost ${error.wrote ? 'after' : 'before'} the card wrote`, error.wrote);
    }
    if (strike !== null) {
      // The command wrote nothing: a loss before or after its (absent) write looks the same.
      this.powerOff();
      throw new SimCardError(SIM_CARD_ERROR.POWER_LOST, 'power lost before the card answered', false);
    }
    return encodeResponse(response);
  }

  private takeFault(commandApdu: Uint8Array): PowerLossPoint | null {
    const fault = this.fault;
    if (fault === null) return null;
    if (fault.ins !== undefined && commandApdu[1] !== fault.ins) return null;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return null;
    }
    this.fault = null;
    return fault.when;
  }

  private context(strike: PowerLossPoint | null, pending: CardSession['pending']): CardContext {
    let committed = false;
    return {
      state: this.state,
      session: this.session,
      behaviour: this.behaviour,
      pending,
      random: (bytes) => this.random(bytes),
      commit: (next) => {
        if (committed) throw new Error('a command commits at most once');
        committed = true;
        if (strike === 'before-write') throw new PowerCut(false);
        this.state = next;
        if (strike === 'after-write') throw new PowerCut(true);
      },
    };
  }

  private dispatch(ctx: CardContext, apdu: CommandApdu): CardResponse {
    const route = ROUTES.find((r) => r.cla === apdu.cla && r.ins === apdu.ins);
    if (route === undefined) {
      const insKnown = ROUTES.some((r) => r.ins === apdu.ins);
      return swOnly(KNOWN_CLAS.has(apdu.cla) && !insKnown ? SW.INS_NOT_SUPPORTED : SW.CLA_NOT_SUPPORTED);
    }
    const { appStatus } = this.state;
    if (appStatus !== 'active' && this.session.selected === 'SINOPEC' && route.whenBlocked !== true) {
      return swOnly(appStatus === 'locked' ? SW.APPLICATION_LOCKED_PERMANENTLY : SW.APPLICATION_LOCKED);
    }
    return route.handler(ctx, apdu);
  }

  /** mulberry32: small, seeded, good enough for card randoms in a simulator (not for keys). */
  private random(bytes: number): Uint8Array {
    if (this.randomSource !== undefined) return this.randomSource(bytes).slice(0, bytes);
    const out = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) {
      this.rng = (this.rng + 0x6d2b79f5) >>> 0;
      let t = this.rng;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  }
}
