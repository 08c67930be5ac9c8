/**
 * The virtual CCID reader: an object shaped like WebUSB's USBDevice that speaks CCID bytes the way
 * a real reader does, so the real driver (ccid/usb) runs against it unchanged, in unit tests, in
 * the demo and in Playwright through a fake navigator.usb (install.ts). It holds any
 * `SimulatedCard`; cards can be inserted and pulled at any moment, the reader can be unplugged,
 * and faults come from a deterministic script (faults.ts). Exchange level, protocol
 * behaviour, class descriptor and VID:PID come from a profile of a real reader (profiles.ts).
 */
import { exchangeLevelOf, type CcidDescriptor, type ExchangeLevel } from '../../usb/descriptor.ts';
import {
  CCID_ERROR,
  CCID_REQUEST,
  COMMAND_STATUS,
  decodeCommand,
  encodeHardwareError,
  encodeNotifySlotChange,
  encodeReply,
  type CcidCommandFrame,
  type CcidReply,
} from '../../usb/messages.ts';
import type { SimulatedCard } from '../simulated-card.ts';
import { scriptedFaults, type FaultPlan, type FaultRule, type ReaderFault } from './faults.ts';
import { READER_PROFILES, type ReaderProfile } from './profiles.ts';
import { VirtualSlot, type SlotOptions } from './slot.ts';
import {
  buildConfiguration,
  ENDPOINT,
  inResult,
  InEndpoint,
  rawConfigurationDescriptor,
  rawDeviceDescriptor,
  type UsbShape,
} from './usb.ts';

/** A browser refusal to reproduce: which call fails and with which DOMException. */
export type Refusal = { step: 'open' | 'claim'; name: string; message: string; times?: number };

export const REFUSALS = {
  /** Chromium on interface class 0x0B outside an Isolated Web App. */
  protectedClass: { step: 'claim', name: 'SecurityError', message: 'The requested interface implements a protected class.' },
  /** Linux with pcscd holding the interface, or Windows with the inbox driver. */
  claimedByOs: { step: 'claim', name: 'NetworkError', message: 'Unable to claim interface.' },
  /** Windows without WinUSB. */
  accessDenied: { step: 'open', name: 'NetworkError', message: 'Access denied.' },
  /** Permission revoked / not granted. */
  permission: { step: 'open', name: 'SecurityError', message: 'Access denied.' },
} as const satisfies Record<string, Refusal>;

export type VirtualReaderOptions = {
  profile?: ReaderProfile;
  /** Overrides of the profile's class descriptor (exchange level bits, message length ...). */
  descriptor?: Partial<CcidDescriptor>;
  serialNumber?: string;
  interruptEndpoint?: boolean;
  card?: SimulatedCard;
  faults?: FaultRule[] | FaultPlan;
  /** Time the card takes for every XfrBlock, in ms (0: answer at once). */
  cardDelayMs?: number;
  /** Pause between time-extension messages of a `timeExtensions` fault, in ms. */
  timeExtensionIntervalMs?: number;
  /** The class ABORT control request ends in a stall (QEMU does that). */
  stallAbortRequest?: boolean;
  refuse?: Refusal;
  t0?: SlotOptions['t0'];
  t1?: SlotOptions['t1'];
  rejectSetParameters?: boolean;
  refusedVoltages?: number[];
  refusePps?: boolean;
};

/** The command the reader is working on; `done` once it was answered (possibly early, by abort or removal). */
type Running = { slot: number; seq: number; done: boolean };

function domError(name: string, message: string): Error {
  return new DOMException(message, name);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class VirtualReader {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly manufacturerName: string;
  readonly serialNumber: string;
  readonly usbVersionMajor = 2;
  readonly usbVersionMinor = 0;
  readonly deviceClass = 0;
  readonly deviceSubclass = 0;
  readonly deviceProtocol = 0;
  readonly deviceVersionMajor = 1;
  readonly deviceVersionMinor = 0;
  readonly deviceVersionSubminor = 0;
  readonly configurations: USBConfiguration[];
  readonly descriptor: CcidDescriptor;
  readonly exchangeLevel: ExchangeLevel;
  readonly slot: VirtualSlot;
  /** Every command the reader received, decoded (tests assert on it). */
  readonly commands: CcidCommandFrame[] = [];
  /** bSeq values seen in class ABORT requests. */
  readonly abortRequests: number[] = [];
  opened = false;
  configuration: USBConfiguration | null;
  private readonly shape: UsbShape;
  private readonly bulkIn = new InEndpoint();
  private readonly interruptIn = new InEndpoint();
  private readonly claimed = new Set<number>();
  private readonly faults: FaultPlan & { add?: (rule: FaultRule) => void };
  private unplugged = false;
  private running: Running | undefined;
  private refusal: Refusal | undefined;
  private refusalsLeft: number;

  constructor(private readonly options: VirtualReaderOptions = {}) {
    const profile = options.profile ?? READER_PROFILES.acr3901u;
    this.vendorId = profile.vendorId;
    this.productId = profile.productId;
    this.productName = profile.productName;
    this.manufacturerName = profile.manufacturerName;
    this.serialNumber = options.serialNumber ?? 'VIRTUAL-0001';
    this.descriptor = { ...profile.descriptor, ...options.descriptor };
    this.exchangeLevel = exchangeLevelOf(this.descriptor.dwFeatures);
    this.shape = {
      configurationValue: 1,
      interfaceNumber: 0,
      interfaceClass: profile.interfaceClass,
      interfaceProtocol: 0,
      interruptEndpoint: options.interruptEndpoint ?? true,
      descriptor: this.descriptor,
      productName: profile.productName,
    };
    const configuration = buildConfiguration(this.shape, (n) => this.claimed.has(n));
    this.configurations = [configuration];
    this.configuration = configuration;
    this.slot = new VirtualSlot({
      descriptor: this.descriptor,
      exchangeLevel: this.exchangeLevel,
      ...(options.t0 ? { t0: options.t0 } : {}),
      ...(options.t1 ? { t1: options.t1 } : {}),
      ...(options.rejectSetParameters ? { rejectSetParameters: true } : {}),
      ...(options.refusedVoltages ? { refusedVoltages: options.refusedVoltages } : {}),
      ...(options.refusePps ? { refusePps: true } : {}),
    });
    if (options.card) this.slot.insert(options.card);
    this.faults = Array.isArray(options.faults) || !options.faults ? scriptedFaults(options.faults ?? []) : options.faults;
    this.refusal = options.refuse;
    this.refusalsLeft = options.refuse?.times ?? Number.POSITIVE_INFINITY;
  }

  // ---- control API for tests and the demo ---------------------------------------------------

  get isUnplugged(): boolean {
    return this.unplugged;
  }

  get cardPresent(): boolean {
    return this.slot.card !== undefined;
  }

  /** Inserts a card (pulling any card already there); the interrupt pipe reports it. */
  insertCard(card: SimulatedCard): void {
    if (this.slot.card) this.removeCard();
    this.slot.insert(card);
    this.notify(true);
  }

  /** Pulls the card, even in the middle of a command: that command fails with 42 FE. */
  removeCard(): void {
    if (!this.slot.card) return;
    this.slot.remove();
    // A real reader ends the running command at once: DataBlock 42 FE.
    this.finishEarly(CCID_ERROR.ICC_MUTE);
    this.notify(false);
  }

  /** Adds a fault rule to a scripted plan. */
  addFault(rule: FaultRule): void {
    if (!this.faults.add) throw new Error('this virtual reader runs a seeded fault plan; rules cannot be added');
    this.faults.add(rule);
  }

  /** The reader disappears: every pending and future transfer fails with NotFoundError. */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = true;
    this.opened = false;
    const error = domError('NotFoundError', 'The device was disconnected.');
    this.bulkIn.failAll(error);
    this.interruptIn.failAll(error);
  }

  /** Reports RDR_to_PC_HardwareError (overcurrent) on the interrupt pipe. */
  reportHardwareError(seq = 0): void {
    this.interruptIn.push(encodeHardwareError(0, seq, 0x01));
  }

  // ---- USBDevice -------------------------------------------------------------------------

  async open(): Promise<void> {
    this.checkPlugged();
    this.refuseAt('open');
    this.opened = true;
  }

  async close(): Promise<void> {
    this.checkPlugged();
    this.claimed.clear();
    this.opened = false;
    const error = domError('AbortError', 'The transfer was cancelled.');
    this.bulkIn.failAll(error);
    this.interruptIn.failAll(error);
  }

  async forget(): Promise<void> {
    await this.close().catch(() => {});
  }

  async selectConfiguration(configurationValue: number): Promise<void> {
    this.checkOpen();
    const found = this.configurations.find((c) => c.configurationValue === configurationValue);
    if (!found) throw domError('NotFoundError', 'The configuration value provided is not supported by the device.');
    this.configuration = found;
  }

  async claimInterface(interfaceNumber: number): Promise<void> {
    this.checkOpen();
    if (interfaceNumber !== this.shape.interfaceNumber)
      throw domError('NotFoundError', 'The interface number provided is not supported by the device in its current configuration.');
    this.refuseAt('claim');
    this.claimed.add(interfaceNumber);
  }

  async releaseInterface(interfaceNumber: number): Promise<void> {
    this.checkOpen();
    this.claimed.delete(interfaceNumber);
    const error = domError('AbortError', 'The transfer was cancelled.');
    this.bulkIn.failAll(error);
    this.interruptIn.failAll(error);
  }

  async selectAlternateInterface(_interfaceNumber: number, _alternateSetting: number): Promise<void> {
    this.checkOpen();
  }

  async reset(): Promise<void> {
    this.checkOpen();
    this.bulkIn.clear();
    this.bulkIn.failAll(domError('AbortError', 'The transfer was cancelled.'));
  }

  async clearHalt(_direction: USBDirection, _endpointNumber: number): Promise<void> {
    this.checkOpen();
  }

  async controlTransferIn(setup: USBControlTransferParameters, length: number): Promise<USBInTransferResult> {
    this.checkOpen();
    if (setup.requestType === 'standard' && setup.recipient === 'device' && setup.request === 0x06) {
      const type = setup.value >> 8;
      const raw =
        type === 0x02
          ? rawConfigurationDescriptor(this.shape)
          : type === 0x01
            ? rawDeviceDescriptor(this.vendorId, this.productId)
            : undefined;
      if (raw) return inResult('ok', raw.subarray(0, length));
    }
    // GET_CLOCK_FREQUENCIES / GET_DATA_RATES and anything else: stall, as the ACR39U does.
    return inResult('stall');
  }

  async controlTransferOut(setup: USBControlTransferParameters, data?: BufferSource): Promise<USBOutTransferResult> {
    this.checkOpen();
    const bytesWritten = data ? data.byteLength : 0;
    if (setup.requestType === 'class' && setup.recipient === 'interface' && setup.request === CCID_REQUEST.ABORT) {
      if (this.options.stallAbortRequest) return { status: 'stall', bytesWritten: 0 } as USBOutTransferResult;
      this.abortRequests.push(setup.value >> 8);
      return { status: 'ok', bytesWritten } as USBOutTransferResult;
    }
    return { status: 'stall', bytesWritten: 0 } as USBOutTransferResult;
  }

  async transferIn(endpointNumber: number, length: number): Promise<USBInTransferResult> {
    this.checkClaimed();
    if (endpointNumber === ENDPOINT.BULK_IN) return this.bulkIn.transfer(length);
    if (endpointNumber === ENDPOINT.INTERRUPT_IN && this.shape.interruptEndpoint) return this.interruptIn.transfer(length);
    throw domError('NotFoundError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
  }

  async transferOut(endpointNumber: number, data: BufferSource): Promise<USBOutTransferResult> {
    this.checkClaimed();
    if (endpointNumber !== ENDPOINT.BULK_OUT)
      throw domError('NotFoundError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
      : new Uint8Array(data).slice();
    let command: CcidCommandFrame;
    try {
      command = decodeCommand(bytes);
    } catch {
      if (bytes.length >= 10)
        this.reply({
          slot: bytes[5]!,
          seq: bytes[6]!,
          type: 'SlotStatus',
          status: this.slot.status(COMMAND_STATUS.FAILED),
          error: CCID_ERROR.CMD_NOT_SUPPORTED,
          clockStatus: 0,
        });
      return { status: 'ok', bytesWritten: bytes.length } as USBOutTransferResult;
    }
    this.commands.push(command);
    const fault = command.type === 'Abort' ? undefined : this.faults.next(command);
    if (fault?.kind === 'stallOut') return { status: 'stall', bytesWritten: 0 } as USBOutTransferResult;
    void this.process(command, fault);
    return { status: 'ok', bytesWritten: bytes.length } as USBOutTransferResult;
  }

  // ---- the reader's firmware ----------------------------------------------------------------

  private async process(command: CcidCommandFrame, fault: ReaderFault | undefined): Promise<void> {
    if (command.type === 'Abort') {
      this.finishEarly(CCID_ERROR.CMD_ABORTED);
      this.reply(this.slot.handle(command));
      return;
    }
    if (this.running) {
      this.reply({
        slot: command.slot,
        seq: command.seq,
        type: 'SlotStatus',
        status: this.slot.status(COMMAND_STATUS.FAILED),
        error: CCID_ERROR.CMD_SLOT_BUSY,
        clockStatus: 0,
      });
      return;
    }
    const running: Running = { slot: command.slot, seq: command.seq, done: false };
    this.running = running;
    try {
      await this.runCommand(command, fault, running);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  private async runCommand(command: CcidCommandFrame, fault: ReaderFault | undefined, running: Running): Promise<void> {
    const head = { slot: command.slot, seq: command.seq };
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'timeExtensions') {
      for (let i = 0; i < fault.count && !running.done && !this.unplugged; i++) {
        // Yield between messages so an abort or a removal can cut the storm short.
        await sleep(this.options.timeExtensionIntervalMs ?? 0);
        if (running.done) return;
        this.reply({
          slot: head.slot,
          seq: head.seq,
          type: 'DataBlock',
          status: this.slot.status(COMMAND_STATUS.TIME_EXTENSION),
          error: fault.multiplier ?? 1,
          chainParameter: 0,
          data: new Uint8Array(0),
        });
      }
    }
    if (command.type === 'XfrBlock' && this.options.cardDelayMs) await sleep(this.options.cardDelayMs);
    if (this.unplugged || running.done) return;
    running.done = true;
    if (fault?.kind === 'removeCard') this.removeCard();
    if (fault?.kind === 'unplug') return this.unplug();
    if (fault?.kind === 'hardwareError') {
      this.reportHardwareError(command.seq);
      return this.reply(this.slot.failedDataBlock(head, CCID_ERROR.HW_ERROR));
    }
    let answer: CcidReply;
    try {
      answer = this.slot.handle(command);
    } catch (error) {
      if (!isPowerLoss(error)) throw error;
      // The card lost power inside the command (a simulated card's injected fault): to the host
      // this is a card pulled mid-command, whatever the card managed to write before.
      this.slot.remove();
      this.reply(this.slot.failedDataBlock(head, CCID_ERROR.ICC_MUTE));
      return this.notify(false);
    }
    if (fault?.kind === 'staleReplies') {
      for (let i = 1; i <= (fault.count ?? 1); i++) this.reply({ ...answer, seq: (command.seq - i) & 0xff });
    }
    if (fault?.kind === 'stallIn') this.bulkIn.stallNext = true;
    if (fault?.kind === 'babble') this.bulkIn.babbleNext = true;
    this.reply(answer);
    if (fault?.kind === 'duplicateReply') this.reply(answer);
  }

  /** Ends the running command now with a failed DataBlock (abort, card removal). */
  private finishEarly(error: number): void {
    const running = this.running;
    if (!running || running.done) return;
    running.done = true;
    this.running = undefined;
    this.reply(this.slot.failedDataBlock({ slot: running.slot, seq: running.seq }, error));
  }

  private reply(reply: CcidReply): void {
    if (this.unplugged) return;
    this.bulkIn.push(encodeReply(reply));
  }

  private notify(present: boolean): void {
    if (this.unplugged || !this.shape.interruptEndpoint) return;
    this.interruptIn.push(encodeNotifySlotChange([{ present, changed: true }]));
  }

  private refuseAt(step: Refusal['step']): void {
    if (this.refusal?.step !== step || this.refusalsLeft <= 0) return;
    this.refusalsLeft--;
    throw domError(this.refusal.name, this.refusal.message);
  }

  private checkPlugged(): void {
    if (this.unplugged) throw domError('NotFoundError', 'The device was disconnected.');
  }

  private checkOpen(): void {
    this.checkPlugged();
    if (!this.opened) throw domError('InvalidStateError', 'The device must be opened first.');
  }

  private checkClaimed(): void {
    this.checkOpen();
    if (!this.claimed.has(this.shape.interfaceNumber))
      throw domError('InvalidStateError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
  }
}

/** A simulated card that lost power throws an error with this code (ccid/sim/card/fuel-card.ts SimCardError). */
function isPowerLoss(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'CARD_POWER_LOST';
}
