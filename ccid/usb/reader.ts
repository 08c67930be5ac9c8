/**
 * The CCID reader driver over any WebUSB-shaped device: opens and claims the CCID interface,
 * numbers every message (bSeq) and drops replies that belong to someone else, follows time
 * extensions up to a cap, aborts a command that overran its deadline, turns interrupt-in slot
 * changes into card events, and runs one exchange at a time. Above it, a card is a `CardSession`
 * (session.ts) built at the exchange level the descriptor announces.
 */
import { toHex } from '../bytes.ts';
import { parseAtr } from '../iso7816/atr.ts';
import { checkPpsResponse, PPS, type PpsResult } from '../iso7816/pps.ts';
import { findCcidInterface, traitsOf, type CcidDescriptor, type CcidInterface, type CcidReaderTraits } from './descriptor.ts';
import type { UsbDeviceLike } from './device.ts';
import { CcidError, isCcidError, mapUsbError } from './errors.ts';
import { TypedEmitter } from './events.ts';
import { resolveLimits, type CcidLimits } from './limits.ts';
import {
  CCID_REQUEST,
  decodeInterrupt,
  decodeReply,
  encodeCommand,
  encodeCommandAt,
  iccStatusOf,
  ICC_STATUS,
  POWER_SELECT,
  type CcidCommand,
  type CcidInterrupt,
  type CcidReply,
} from './messages.ts';
import { encodeParameters } from './parameters.ts';
import { BulkPipe, Interrupter, withDeadline } from './pipe.ts';
import { ExchangeQueue } from './queue.ts';
import { quirksFor, vidPidKey, type ReaderQuirk } from './quirks.ts';
import { openSession } from './session.ts';
import type { CardSession, SessionChannel } from './session-types.ts';
import { isTimeExtension, replyError } from './status.ts';
import { planNegotiation, parametersFor, type NegotiationPlan } from './negotiate.ts';

export type ReaderOptions = {
  limits?: Partial<CcidLimits>;
  /** Slot to use on multi-slot readers; 0 by default. */
  slot?: number;
  /** Protocol to choose when the card offers both. */
  preferredProtocol?: 0 | 1;
  /** Called with errors thrown by event listeners and background loops (for the log). */
  onBackgroundError?: (error: unknown) => void;
};

export type ReaderEvents = {
  cardInserted: { slot: number };
  cardRemoved: { slot: number };
  disconnected: { error: CcidError };
  hardwareError: { slot: number; hardwareErrorCode: number };
};

export type ReaderInfo = {
  vendorId: number;
  productId: number;
  vidPid: string;
  productName: string | undefined;
  manufacturerName: string | undefined;
  serialNumber: string | undefined;
  interfaceClass: number;
  descriptor: CcidDescriptor;
  traits: CcidReaderTraits;
  quirk: ReaderQuirk | undefined;
};

type CommandOptions = { timeoutMultiplier?: number; interrupter?: Interrupter };

const PRESENT_ACTIVE_OR_INACTIVE = new Set<number>([ICC_STATUS.PRESENT_ACTIVE, ICC_STATUS.PRESENT_INACTIVE]);

export class CcidReader {
  readonly info: ReaderInfo;
  readonly limits: CcidLimits;
  private readonly events: TypedEmitter<ReaderEvents>;
  private readonly queue: ExchangeQueue;
  private readonly pipe: BulkPipe;
  private readonly slot: number;
  private seq = 0;
  private state: 'open' | 'closed' | 'disconnected' = 'open';
  private presence: boolean | undefined;
  /** Bumped on every card removal; a session belongs to one generation. */
  private generation = 0;
  /** Bumped on every power-on; a session belongs to one epoch. */
  private powerEpoch = 0;
  private active: Interrupter | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly device: UsbDeviceLike,
    private readonly ccid: CcidInterface,
    private readonly options: ReaderOptions,
  ) {
    this.limits = resolveLimits(options.limits);
    this.slot = options.slot ?? 0;
    const quirk = quirksFor(device.vendorId, device.productId);
    const descriptor = quirk?.fix.maxMessageBytes
      ? { ...ccid.descriptor, dwMaxCCIDMessageLength: quirk.fix.maxMessageBytes }
      : ccid.descriptor;
    this.info = {
      vendorId: device.vendorId,
      productId: device.productId,
      vidPid: vidPidKey(device.vendorId, device.productId),
      productName: device.productName ?? undefined,
      manufacturerName: device.manufacturerName ?? undefined,
      serialNumber: device.serialNumber ?? undefined,
      interfaceClass: ccid.interfaceClass,
      descriptor,
      traits: traitsOf(descriptor),
      quirk,
    };
    this.events = new TypedEmitter(options.onBackgroundError);
    this.queue = new ExchangeQueue(this.limits.exchangeQueueLengthMax);
    const packet = Math.max(ccid.bulkInPacketBytes, 8);
    const messageBytes = Math.min(
      Math.max(descriptor.dwMaxCCIDMessageLength, quirk?.fix.bulkInTransferBytesMin ?? 0),
      this.limits.messageBytesMax,
    );
    this.pipe = new BulkPipe(device, {
      bulkInEndpoint: ccid.bulkInEndpoint,
      bulkOutEndpoint: ccid.bulkOutEndpoint,
      readTransferBytes: Math.ceil(messageBytes / packet) * packet,
      messageBytesMax: this.limits.messageBytesMax,
      transferCountMax: this.limits.bulkInTransferCountMax,
    });
  }

  /** Opens, configures and claims the device's CCID interface; refusals become typed errors. */
  static async open(device: UsbDeviceLike, options: ReaderOptions = {}): Promise<CcidReader> {
    const limits = resolveLimits(options.limits);
    try {
      // claimInterface and open have been seen never to resolve on some Windows firmware.
      if (!device.opened)
        await withDeadline(device.open(), limits.controlTimeoutMs, 'The card reader did not open in time. Unplug it and plug it in again.');
    } catch (error) {
      throw mapUsbError(error, 'open');
    }
    let ccid: CcidInterface;
    try {
      ccid = await CcidReader.configureAndClaim(device, limits);
    } catch (error) {
      // Leave the device closed, so the next attempt (or another program) starts clean.
      await device.close().catch(() => {});
      throw error;
    }
    const reader = new CcidReader(device, ccid, options);
    if (reader.info.traits.exchangeLevel === 'character') {
      await reader.close();
      throw new CcidError(
        'UNSUPPORTED_READER',
        'This reader only offers character-level exchange, which the kiosk does not support. Use another reader.',
      );
    }
    reader.startSlotWatch();
    return reader;
  }

  private static async configureAndClaim(device: UsbDeviceLike, limits: CcidLimits): Promise<CcidInterface> {
    try {
      const first = device.configurations[0];
      if (!device.configuration && first)
        await withDeadline(
          device.selectConfiguration(first.configurationValue),
          limits.controlTimeoutMs,
          'The card reader did not accept its configuration in time.',
        );
    } catch (error) {
      throw mapUsbError(error, 'configure');
    }
    const ccid = await findCcidInterface(device, limits);
    try {
      await withDeadline(
        device.claimInterface(ccid.interfaceNumber),
        limits.controlTimeoutMs,
        'The card reader could not be claimed in time. Another program may hold it.',
      );
    } catch (error) {
      throw mapUsbError(error, 'claim');
    }
    return ccid;
  }

  /**
   * Follows `navigator.usb` (or the Node `usb` WebUSB) `disconnect` events for this reader's device;
   * returns the function that stops following.
   */
  watchDisconnect(usb: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>): () => void {
    const listener = (event: Event) => {
      if ((event as Event & { device?: unknown }).device === this.device) this.handleDisconnect();
    };
    usb.addEventListener('disconnect', listener);
    return () => usb.removeEventListener('disconnect', listener);
  }

  on<K extends keyof ReaderEvents>(type: K, listener: (payload: ReaderEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  /** Last known card presence (from interrupts and replies); undefined before anything was seen. */
  get cardPresent(): boolean | undefined {
    return this.presence;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Asks the reader whether a card is present (GetSlotStatus). */
  async slotStatus(): Promise<{ iccStatus: number; clockStatus: number }> {
    return this.queue.run(async () => {
      const reply = await this.checked({ type: 'GetSlotStatus' });
      return { iccStatus: iccStatusOf(reply.status), clockStatus: reply.type === 'SlotStatus' ? reply.clockStatus : 0 };
    });
  }

  /** Powers the card on, negotiates the protocol and returns a session for APDUs. */
  async connect(): Promise<CardSession> {
    return this.queue.run(async () => {
      const status = await this.checked({ type: 'GetSlotStatus' });
      if (!PRESENT_ACTIVE_OR_INACTIVE.has(iccStatusOf(status.status))) {
        throw new CcidError('NO_CARD', 'There is no card in the reader. Insert the card.');
      }
      const atrBytes = await this.powerOn();
      const { atr, plan } = await this.negotiate(atrBytes);
      // Taken after the ATR: a removal notified before this point concerns an earlier card.
      const generation = this.generation;
      // A new power-on ends every older session on this reader.
      const epoch = ++this.powerEpoch;
      return openSession({
        channel: this.channelFor(generation, epoch),
        atr,
        plan,
        traits: this.info.traits,
        descriptor: this.info.descriptor,
      });
    });
  }

  /** Releases the interface and closes the device; pending work ends with READER_CLOSED. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.pollTimer);
    this.active?.interrupt(new CcidError('READER_CLOSED', 'The card reader was closed.'));
    if (!wasOpen) return;
    await withDeadline(this.device.releaseInterface(this.ccid.interfaceNumber), this.limits.controlTimeoutMs, 'release').catch(() => {});
    await withDeadline(this.device.close(), this.limits.controlTimeoutMs, 'close').catch(() => {});
  }

  /** Tells the reader its device went away (navigator.usb `disconnect`, or a NotFoundError seen elsewhere). */
  handleDisconnect(): void {
    this.markDisconnected(new CcidError('READER_DISCONNECTED', 'The card reader was unplugged. Plug it in again and retry.'));
  }

  /** The device this reader drives (to match navigator.usb `disconnect` events). */
  get usbDevice(): UsbDeviceLike {
    return this.device;
  }

  // ---- one command, its reply -------------------------------------------------------------

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    return seq;
  }

  private ensureOpen(): void {
    if (this.state === 'disconnected')
      throw new CcidError('READER_DISCONNECTED', 'The card reader was unplugged. Plug it in again and retry.');
    if (this.state === 'closed') throw new CcidError('READER_CLOSED', 'The card reader was closed.');
  }

  /** Sends one command and returns its reply (time extensions followed, stale replies dropped). Not queued. */
  private async command(command: CcidCommand, options: CommandOptions = {}): Promise<CcidReply> {
    this.ensureOpen();
    const seq = this.nextSeq();
    const message = encodeCommandAt(command, { slot: this.slot, seq });
    if (message.length > this.info.descriptor.dwMaxCCIDMessageLength || message.length > this.limits.messageBytesMax) {
      throw new CcidError(
        'MESSAGE_TOO_LONG',
        `A ${message.length}-byte message does not fit this reader (at most ${this.info.descriptor.dwMaxCCIDMessageLength}).`,
      );
    }
    // Only session exchanges are cut short by a removal; power-on and status commands get 42 FE instead.
    const interrupter = options.interrupter;
    this.active = interrupter;
    try {
      await this.pipe.write(message, Date.now() + this.limits.controlTimeoutMs);
      return await this.awaitReply(seq, (options.timeoutMultiplier ?? 1) * this.limits.readTimeoutMs, interrupter);
    } catch (error) {
      const typed = mapUsbError(error, 'transfer');
      if (typed.code === 'READER_DISCONNECTED') this.markDisconnected(typed);
      else if (typed.code === 'TIMEOUT' || typed.code === 'TIME_EXTENSION_LIMIT') await this.abortBestEffort();
      throw typed;
    } finally {
      if (interrupter && this.active === interrupter) this.active = undefined;
    }
  }

  private async awaitReply(seq: number, timeoutMs: number, interrupter: Interrupter | undefined): Promise<CcidReply> {
    const startedMs = Date.now();
    let deadlineMs = startedMs + timeoutMs;
    let staleCount = 0;
    let extensionCount = 0;
    for (;;) {
      const bytes = await this.pipe.readMessage(deadlineMs, interrupter);
      if (bytes[6] !== seq || bytes[5] !== this.slot) {
        // A late answer to an earlier, timed-out command (or another program's): drop it.
        if (++staleCount > this.limits.staleFrameCountMax) {
          throw new CcidError('OUT_OF_STEP', 'The card reader keeps answering old commands. Unplug it, plug it in again and retry.');
        }
        continue;
      }
      const reply = decodeReply(bytes, this.limits.messageBytesMax);
      if (!isTimeExtension(reply)) {
        this.notePresence(iccStatusOf(reply.status) !== ICC_STATUS.NOT_PRESENT);
        return reply;
      }
      const multiplier = Math.min(Math.max(reply.error, 1), this.limits.timeExtensionMultiplierMax);
      deadlineMs = Date.now() + timeoutMs * multiplier;
      if (++extensionCount > this.limits.timeExtensionCountMax || deadlineMs - startedMs > this.limits.timeExtensionTotalMsMax) {
        throw new CcidError('TIME_EXTENSION_LIMIT', 'The card kept asking for more time and never answered. Take it out and try again.');
      }
    }
  }

  /** A command whose failure status becomes a thrown CcidError; busy slots are retried a few times. */
  private async checked(command: CcidCommand, options: CommandOptions = {}): Promise<CcidReply> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.command(command, options);
      const error = replyError(reply);
      if (!error) return reply;
      const busy = error.code === 'CMD_SLOT_BUSY' || error.code === 'BUSY_WITH_AUTO_SEQUENCE';
      if (!busy || attempt >= this.limits.slotBusyRetryCountMax) throw error;
      await new Promise((resolve) => setTimeout(resolve, this.limits.slotBusyRetryDelayMs));
    }
  }

  /** Class ABORT request then PC_to_RDR_Abort with the same bSeq (CCID §5.3.1); failures are ignored. */
  private async abortBestEffort(): Promise<void> {
    if (this.state !== 'open') return;
    const seq = this.nextSeq();
    try {
      if (!this.info.quirk?.fix.noAbortRequest) {
        const setup = {
          requestType: 'class',
          recipient: 'interface',
          request: CCID_REQUEST.ABORT,
          value: (seq << 8) | this.slot,
          index: this.ccid.interfaceNumber,
        } as const;
        await Promise.race([
          this.device.controlTransferOut(setup),
          new Promise((resolve) => setTimeout(resolve, this.limits.abortTimeoutMs)),
        ]);
      }
      await this.pipe.write(encodeCommand({ type: 'Abort', slot: this.slot, seq }), Date.now() + this.limits.abortTimeoutMs);
      const deadlineMs = Date.now() + this.limits.abortTimeoutMs;
      for (let i = 0; i <= this.limits.abortDrainFrameCountMax; i++) {
        const bytes = await this.pipe.readMessage(deadlineMs);
        if (bytes[6] === seq) return;
      }
    } catch {
      // The reader may stall ABORT (QEMU does) or stay silent; the next command drains by bSeq.
    }
  }

  // ---- power and parameters ----------------------------------------------------------------

  private voltages(): number[] {
    const { traits, descriptor } = this.info;
    if (traits.autoVoltage) return [POWER_SELECT.AUTOMATIC];
    const supported = [
      { select: POWER_SELECT.V5_0, bit: 0x01 },
      { select: POWER_SELECT.V3_0, bit: 0x02 },
      { select: POWER_SELECT.V1_8, bit: 0x04 },
    ].filter((v) => (descriptor.bVoltageSupport & v.bit) !== 0);
    return supported.length === 0 ? [POWER_SELECT.AUTOMATIC] : supported.map((v) => v.select);
  }

  /** IccPowerOn, walking the voltage classes the reader offers (libccid `CmdPowerOn`). */
  private async powerOn(): Promise<Uint8Array> {
    const voltages = this.voltages();
    for (let i = 0; ; i++) {
      try {
        const reply = await this.checked({ type: 'IccPowerOn', powerSelect: voltages[i]! });
        if (reply.type !== 'DataBlock') throw new CcidError('FRAME_INVALID', 'The card reader answered power-on with the wrong message.');
        return reply.data;
      } catch (error) {
        const retry =
          isCcidError(error) && (error.code === 'VOLTAGE_NOT_SUPPORTED' || error.code === 'CARD_MUTE') && i + 1 < voltages.length;
        if (!retry) throw error;
        await this.checked({ type: 'IccPowerOff' });
      }
    }
  }

  private async negotiate(atrBytes: Uint8Array): Promise<{ atr: ReturnType<typeof parseAtr>; plan: NegotiationPlan }> {
    let atr: ReturnType<typeof parseAtr>;
    try {
      atr = parseAtr(atrBytes);
    } catch (error) {
      throw new CcidError('BAD_ATR', `The card answered reset with an unreadable ATR (${toHex(atrBytes)}). The card may be damaged.`, {
        cause: error,
      });
    }
    const input = {
      atr,
      descriptor: this.info.descriptor,
      traits: this.info.traits,
      preferredProtocol: this.options.preferredProtocol,
      protocolsOnly: this.info.quirk?.fix.protocolsOnly,
    };
    let plan = planNegotiation(input);
    const accepted = plan.pps ? await this.sendPps(plan.pps) : null;
    if (accepted) {
      // The card may leave PPS1 out of its echo: Fi/Di then stay at the defaults.
      plan = { ...plan, fiDi: accepted.pps1, parameters: plan.parameters && parametersFor(atr, plan.protocol, accepted.pps1) };
    } else if (plan.pps) {
      // The card refused: reset it and run with the defaults (ISO 7816-3 §9.3).
      await this.checked({ type: 'IccPowerOff' });
      atr = parseAtr(await this.powerOn());
      const protocol = atr.defaultProtocol === 1 ? 1 : 0;
      plan = { protocol, fiDi: PPS.PPS1_DEFAULT, pps: null, parameters: plan.parameters && parametersFor(atr, protocol, PPS.PPS1_DEFAULT) };
    }
    if (plan.parameters) await this.setParameters(plan);
    return { atr, plan };
  }

  /** Sends PPS in an XfrBlock; the parameters in force when the card agreed, null when it refused. */
  private async sendPps(request: Uint8Array): Promise<PpsResult | null> {
    const reply = await this.command({ type: 'XfrBlock', bwi: 0, levelParameter: 0, data: request });
    if (replyError(reply) || reply.type !== 'DataBlock') return null;
    try {
      return checkPpsResponse(request, reply.data);
    } catch {
      return null;
    }
  }

  private async setParameters(plan: NegotiationPlan): Promise<void> {
    if (!plan.parameters) return;
    const reply = await this.command({ type: 'SetParameters', protocolNum: plan.protocol, data: encodeParameters(plan.parameters) });
    const error = replyError(reply);
    // bError 1..0x7F on SetParameters: "parameter not changeable"; libccid carries on, so do we.
    if (error && error.code !== 'BAD_PARAMETER' && error.code !== 'BAD_LENGTH' && error.code !== 'CMD_NOT_SUPPORTED') throw error;
  }

  // ---- the channel a session uses ----------------------------------------------------------

  private channelFor(generation: number, epoch: number): SessionChannel {
    const live = () => {
      this.ensureOpen();
      if (this.generation !== generation) throw cardRemoved();
      if (this.powerEpoch !== epoch)
        throw new CcidError('SESSION_CLOSED', 'This card session was replaced by a newer connection to the card.');
    };
    const asRemoval = (error: unknown): never => {
      if (isCcidError(error, 'NO_CARD') || (isCcidError(error, 'CARD_MUTE') && this.generation !== generation)) throw cardRemoved(error);
      throw error;
    };
    return {
      limits: this.limits,
      run: (work) =>
        this.queue.run(async () => {
          live();
          return work();
        }),
      xfrBlock: async (data, options = {}) => {
        live();
        const interrupter = new Interrupter();
        const reply = await this.checked(
          { type: 'XfrBlock', bwi: options.bwi ?? 0, levelParameter: options.levelParameter ?? 0, data },
          { interrupter, timeoutMultiplier: options.timeoutMultiplier ?? 1 },
        ).catch(asRemoval);
        if (reply.type !== 'DataBlock')
          throw new CcidError('FRAME_INVALID', 'The card reader answered a card command with the wrong message.');
        return reply;
      },
      powerOff: () =>
        this.queue.run(async () => {
          if (this.state !== 'open' || this.generation !== generation || this.powerEpoch !== epoch) return;
          await this.checked({ type: 'IccPowerOff' }).catch(() => {});
        }),
    };
  }

  // ---- slot changes ------------------------------------------------------------------------

  private notePresence(present: boolean, changed = false): void {
    const was = this.presence;
    this.presence = present;
    if (was === true && (!present || changed)) {
      this.generation++;
      this.active?.interrupt(cardRemoved());
      this.events.emit('cardRemoved', { slot: this.slot });
    }
    if (present && (was !== true || changed)) this.events.emit('cardInserted', { slot: this.slot });
  }

  private onInterrupt(message: CcidInterrupt): void {
    if (message.type === 'HardwareError') {
      if (message.slot === this.slot)
        this.events.emit('hardwareError', { slot: message.slot, hardwareErrorCode: message.hardwareErrorCode });
      return;
    }
    const slot = message.slots[this.slot];
    if (slot && (slot.changed || slot.present !== this.presence)) this.notePresence(slot.present, slot.changed);
  }

  private startSlotWatch(): void {
    const endpoint = this.ccid.interruptInEndpoint;
    if (endpoint === undefined || this.info.quirk?.fix.pollSlotStatus) this.schedulePoll();
    else void this.interruptLoop(endpoint);
  }

  private async interruptLoop(endpoint: number): Promise<void> {
    let errorCount = 0;
    while (this.state === 'open') {
      try {
        const result = await this.device.transferIn(endpoint, this.limits.interruptTransferBytes);
        if (result.status !== 'ok' || !result.data) {
          if (result.status === 'stall') await this.device.clearHalt('in', endpoint).catch(() => {});
          if (++errorCount > this.limits.interruptErrorCountMax) return this.schedulePoll();
          continue;
        }
        errorCount = 0;
        const bytes = new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength);
        this.onInterrupt(decodeInterrupt(bytes, this.info.descriptor.bMaxSlotIndex + 1));
      } catch (error) {
        if (this.state !== 'open') return;
        const typed = mapUsbError(error, 'transfer');
        if (typed.code === 'READER_DISCONNECTED') return this.markDisconnected(typed);
        // A malformed notification is dropped; a failing endpoint falls back to polling.
        if (typed.code !== 'FRAME_INVALID' && ++errorCount > this.limits.interruptErrorCountMax) return this.schedulePoll();
      }
    }
  }

  private schedulePoll(): void {
    if (this.state !== 'open') return;
    this.pollTimer = setTimeout(() => {
      if (this.queue.length > 0) return this.schedulePoll();
      this.slotStatus()
        .catch((error: unknown) => this.options.onBackgroundError?.(error))
        .finally(() => this.schedulePoll());
    }, this.limits.slotPollIntervalMs);
  }

  private markDisconnected(error: CcidError): void {
    if (this.state !== 'open') return;
    this.state = 'disconnected';
    clearTimeout(this.pollTimer);
    this.generation++;
    this.active?.interrupt(error);
    this.events.emit('disconnected', { error });
  }
}

function cardRemoved(cause?: unknown): CcidError {
  return new CcidError(
    'CARD_REMOVED',
    'The card was taken out during the operation. Insert it again and retry.',
    cause === undefined ? {} : { cause },
  );
}
