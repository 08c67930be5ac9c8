/**
 * The slot of the virtual reader: holds a `SimulatedCard`, powers it, and answers each CCID
 * command the way a real reader at the configured exchange level does. TPDU level goes through
 * the card-side engines (t0-card.ts for T=0, t1-card.ts for T=1, one block per XfrBlock); APDU
 * levels hand whole APDUs to the card, with wLevelParameter / bChainParameter chaining at the
 * extended level. Synchronous and deterministic; timing and faults are the device's business
 * (reader.ts).
 */
import { concatBytes } from '../../bytes.ts';
import { parseAtr, type Atr } from '../../iso7816/atr.ts';
import type { ExchangeLevel, CcidDescriptor } from '../../usb/descriptor.ts';
import {
  CCID_ERROR,
  CHAIN,
  COMMAND_STATUS,
  HEADER_BYTES,
  ICC_STATUS,
  makeStatus,
  type CcidCommandFrame,
  type CcidReply,
} from '../../usb/messages.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { T0Card, type T0CardOptions } from './t0-card.ts';
import { T1Card, type T1CardOptions } from './t1-card.ts';

export type SlotOptions = {
  descriptor: CcidDescriptor;
  exchangeLevel: ExchangeLevel;
  t0?: T0CardOptions;
  t1?: Partial<Omit<T1CardOptions, 'edc' | 'ifsc'>>;
  /** SetParameters is refused with bError 7 ("parameter not changeable"), as some readers do. */
  rejectSetParameters?: boolean;
  /** bPowerSelect values (1 = 5 V, 2 = 3 V, 3 = 1.8 V) the card refuses with ICC_CLASS_NOT_SUPPORTED. */
  refusedVoltages?: number[];
  /** The card answers a PPS request with something other than its echo (a refusal). */
  refusePps?: boolean;
};

const EMPTY = new Uint8Array(0);
const DEFAULT_T0_PARAMETERS = Uint8Array.of(0x11, 0x00, 0x00, 0x0a, 0x00);
const DEFAULT_T1_PARAMETERS = Uint8Array.of(0x11, 0x10, 0x00, 0x4d, 0x00, 0x20, 0x00);

export class VirtualSlot {
  card: SimulatedCard | undefined;
  powered = false;
  protocol: 0 | 1 = 0;
  /** The T=1 card engine of the current power cycle (TPDU level, T=1), for tests to set faults on. */
  t1Card: T1Card | undefined;
  private t0Card: T0Card | undefined;
  private atr: Atr | undefined;
  private parameters: Uint8Array = DEFAULT_T0_PARAMETERS;
  private firstExchange = true;
  private commandChunks: Uint8Array[] | undefined;
  private pendingResponse: Uint8Array | undefined;

  constructor(private readonly options: SlotOptions) {}

  iccStatus(): number {
    if (!this.card) return ICC_STATUS.NOT_PRESENT;
    return this.powered ? ICC_STATUS.PRESENT_ACTIVE : ICC_STATUS.PRESENT_INACTIVE;
  }

  status(commandStatus: number = COMMAND_STATUS.PROCESSED_WITHOUT_ERROR): number {
    return makeStatus(this.iccStatus(), commandStatus);
  }

  insert(card: SimulatedCard): void {
    this.card = card;
    this.powered = false;
  }

  remove(): void {
    if (this.card && this.powered) this.card.powerOff();
    this.card = undefined;
    this.resetPowerState();
  }

  /** Answers one command. `failed` builds a reply of the right kind with bmCommandStatus = 1. */
  handle(command: CcidCommandFrame): CcidReply {
    const head = { slot: command.slot, seq: command.seq };
    switch (command.type) {
      case 'IccPowerOn':
        return this.powerOn(head, command.powerSelect);
      case 'IccPowerOff':
        if (this.card && this.powered) this.card.powerOff();
        this.resetPowerState();
        return { slot: head.slot, seq: head.seq, type: 'SlotStatus', status: this.status(), error: 0, clockStatus: this.powered ? 0 : 1 };
      case 'GetSlotStatus':
      case 'IccClock':
      case 'T0APDU':
      case 'Abort':
        return { slot: head.slot, seq: head.seq, type: 'SlotStatus', status: this.status(), error: 0, clockStatus: this.powered ? 0 : 1 };
      case 'XfrBlock':
        return this.xfrBlock(head, command.levelParameter, command.data);
      case 'GetParameters':
      case 'ResetParameters':
        if (command.type === 'ResetParameters') this.parameters = this.protocol === 0 ? DEFAULT_T0_PARAMETERS : DEFAULT_T1_PARAMETERS;
        return {
          slot: head.slot,
          seq: head.seq,
          type: 'Parameters',
          status: this.status(),
          error: 0,
          protocolNum: this.protocol,
          data: this.parameters,
        };
      case 'SetParameters':
        return this.setParameters(head, command.protocolNum, command.data);
      case 'Escape':
        return {
          slot: head.slot,
          seq: head.seq,
          type: 'Escape',
          status: this.status(COMMAND_STATUS.FAILED),
          error: CCID_ERROR.CMD_NOT_SUPPORTED,
          data: EMPTY,
        };
      case 'SetDataRateAndClockFrequency':
        return {
          slot: head.slot,
          seq: head.seq,
          type: 'DataRateAndClockFrequency',
          status: this.status(),
          error: 0,
          clockFrequencyKhz: command.clockFrequencyKhz,
          dataRateBps: command.dataRateBps,
        };
      case 'Secure':
        return this.failedDataBlock(head, CCID_ERROR.CMD_NOT_SUPPORTED);
      case 'Mechanical':
        return {
          slot: head.slot,
          seq: head.seq,
          type: 'SlotStatus',
          status: this.status(COMMAND_STATUS.FAILED),
          error: CCID_ERROR.CMD_NOT_SUPPORTED,
          clockStatus: 0,
        };
    }
  }

  failedDataBlock(head: { slot: number; seq: number }, error: number): CcidReply {
    return {
      slot: head.slot,
      seq: head.seq,
      type: 'DataBlock',
      status: this.status(COMMAND_STATUS.FAILED),
      error,
      chainParameter: 0,
      data: EMPTY,
    };
  }

  private resetPowerState(): void {
    this.powered = false;
    this.t0Card = undefined;
    this.t1Card = undefined;
    this.atr = undefined;
    this.commandChunks = undefined;
    this.pendingResponse = undefined;
  }

  private powerOn(head: { slot: number; seq: number }, powerSelect: number): CcidReply {
    if (!this.card) return this.failedDataBlock(head, CCID_ERROR.ICC_MUTE);
    if (this.powered) this.card.powerOff();
    this.resetPowerState();
    if (this.options.refusedVoltages?.includes(powerSelect)) return this.failedDataBlock(head, CCID_ERROR.ICC_CLASS_NOT_SUPPORTED);
    const level = this.options.exchangeLevel;
    const atrBytes = this.card.powerOn();
    this.powered = true;
    this.firstExchange = true;
    try {
      this.atr = parseAtr(atrBytes);
    } catch {
      return {
        slot: head.slot,
        seq: head.seq,
        type: 'DataBlock',
        status: this.status(COMMAND_STATUS.FAILED),
        error: CCID_ERROR.BAD_ATR_TS,
        chainParameter: 0,
        data: atrBytes,
      };
    }
    this.selectProtocol(this.atr.defaultProtocol === 1 ? 1 : 0);
    if (level === 'tpdu') this.buildEngines();
    return { slot: head.slot, seq: head.seq, type: 'DataBlock', status: this.status(), error: 0, chainParameter: 0, data: atrBytes };
  }

  private selectProtocol(protocol: 0 | 1): void {
    this.protocol = protocol;
    this.parameters = protocol === 0 ? DEFAULT_T0_PARAMETERS : DEFAULT_T1_PARAMETERS;
  }

  private buildEngines(): void {
    if (!this.card || !this.atr) return;
    this.t0Card = new T0Card(this.card, this.options.t0);
    const t1 = this.atr.t1 ?? { ifsc: 32, edc: 'LRC' as const };
    this.t1Card = new T1Card(this.card, { ...this.options.t1, edc: t1.edc, ifsc: Math.min(Math.max(t1.ifsc, 1), 254) });
  }

  private setParameters(head: { slot: number; seq: number }, protocolNum: number, data: Uint8Array): CcidReply {
    const expected = protocolNum === 0 ? 5 : protocolNum === 1 ? 7 : -1;
    const fail = (error: number): CcidReply => ({
      slot: head.slot,
      seq: head.seq,
      type: 'Parameters',
      status: this.status(COMMAND_STATUS.FAILED),
      error,
      protocolNum: this.protocol,
      data: this.parameters,
    });
    if (expected < 0) return fail(7);
    if (data.length !== expected) return fail(1);
    if (this.options.rejectSetParameters) return fail(7);
    if (protocolNum !== this.protocol) this.selectProtocol(protocolNum as 0 | 1);
    this.parameters = data.slice();
    return {
      slot: head.slot,
      seq: head.seq,
      type: 'Parameters',
      status: this.status(),
      error: 0,
      protocolNum: this.protocol,
      data: this.parameters,
    };
  }

  private xfrBlock(head: { slot: number; seq: number }, levelParameter: number, data: Uint8Array): CcidReply {
    if (!this.card) return this.failedDataBlock(head, CCID_ERROR.ICC_MUTE);
    if (!this.powered) return this.failedDataBlock(head, CCID_ERROR.ICC_MUTE);
    const first = this.firstExchange;
    this.firstExchange = false;
    if (this.options.exchangeLevel === 'tpdu') {
      // PPS travels as raw bytes in the first XfrBlock after power-on: echo it
      // (docs/card-protocol.md §8.1).
      if (first && data[0] === 0xff && data.length >= 3 && data.length <= 6) return this.pps(head, data);
      const answer = this.protocol === 1 ? this.t1Card!.receive(data) : this.t0Card!.transmit(data);
      return this.dataBlock(head, answer, CHAIN.BEGINS_AND_ENDS);
    }
    return this.apduLevel(head, levelParameter, data);
  }

  private pps(head: { slot: number; seq: number }, request: Uint8Array): CcidReply {
    if (this.options.refusePps) return this.dataBlock(head, Uint8Array.of(0xff, 0x01, 0xfe), CHAIN.BEGINS_AND_ENDS); // another protocol: a refusal
    const protocol = request[1]! & 0x0f;
    if (protocol === 0 || protocol === 1) this.selectProtocol(protocol);
    return this.dataBlock(head, request.slice(), CHAIN.BEGINS_AND_ENDS);
  }

  private dataBlock(head: { slot: number; seq: number }, data: Uint8Array, chainParameter: number): CcidReply {
    return { slot: head.slot, seq: head.seq, type: 'DataBlock', status: this.status(), error: 0, chainParameter, data };
  }

  /** Short and extended APDU levels (CCID §6.1.4): chunks in, chunks out when too long. */
  private apduLevel(head: { slot: number; seq: number }, level: number, data: Uint8Array): CcidReply {
    const extended = this.options.exchangeLevel === 'extendedApdu';
    if (level === CHAIN.EMPTY_NEXT && extended) return this.nextResponseChunk(head);
    if (level === CHAIN.BEGINS_CONTINUES && extended) {
      this.commandChunks = [data.slice()];
      return this.dataBlock(head, EMPTY, CHAIN.EMPTY_NEXT);
    }
    if (level === CHAIN.CONTINUES_MORE && extended && this.commandChunks) {
      this.commandChunks.push(data.slice());
      return this.dataBlock(head, EMPTY, CHAIN.EMPTY_NEXT);
    }
    let apdu = data;
    if (level === CHAIN.CONTINUES_ENDS && extended && this.commandChunks) {
      apdu = concatBytes(...this.commandChunks, data);
      this.commandChunks = undefined;
    } else if (level !== CHAIN.BEGINS_AND_ENDS) {
      return this.failedDataBlock(head, 8); // bError 8: wLevelParameter (byte 8) is wrong here
    }
    const response = this.card!.transmit(apdu);
    const chunkMax = this.options.descriptor.dwMaxCCIDMessageLength - HEADER_BYTES;
    if (!extended || response.length <= chunkMax) return this.dataBlock(head, response, CHAIN.BEGINS_AND_ENDS);
    this.pendingResponse = response.subarray(chunkMax);
    return this.dataBlock(head, response.slice(0, chunkMax), CHAIN.BEGINS_CONTINUES);
  }

  private nextResponseChunk(head: { slot: number; seq: number }): CcidReply {
    const rest = this.pendingResponse;
    if (!rest) return this.failedDataBlock(head, 8);
    const chunkMax = this.options.descriptor.dwMaxCCIDMessageLength - HEADER_BYTES;
    if (rest.length <= chunkMax) {
      this.pendingResponse = undefined;
      return this.dataBlock(head, rest.slice(), CHAIN.CONTINUES_ENDS);
    }
    this.pendingResponse = rest.subarray(chunkMax);
    return this.dataBlock(head, rest.slice(0, chunkMax), CHAIN.CONTINUES_MORE);
  }
}
