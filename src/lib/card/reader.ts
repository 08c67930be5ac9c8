/**
 * The kiosk's card reader, over navigator.usb (or the virtual one in demo mode and tests):
 * pick a reader once through the browser's chooser, reopen it by itself at every start and after
 * it is unplugged and plugged in again, and report card insertions and removals. Failures become
 * a state with a CcidError code the screens translate (docs/architecture.md decision 1), never a
 * raw error.
 */
import { writable, type Readable } from 'svelte/store';
import {
  CcidReader,
  CcidError,
  isCcidError,
  mapUsbError,
  type CardSession,
  type UsbDeviceLike,
  type UsbLike,
} from '../../../ccid/usb/index.ts';

/** WebUSB filters for the chooser: smart-card class readers and vendor-class ones. */
export const READER_FILTERS: USBDeviceFilter[] = [{ classCode: 0x0b }, { classCode: 0xff }];

export type ReaderState =
  | { kind: 'unavailable' }
  | { kind: 'none' }
  | { kind: 'opening' }
  | { kind: 'ready'; name: string; cardPresent: boolean }
  | { kind: 'failed'; code: CcidError['code'] };

export type CardEvents = { inserted(): void; removed(): void };

export class ReaderManager {
  readonly #usb: UsbLike | undefined;
  readonly #state = writable<ReaderState>({ kind: 'none' });
  readonly state: Readable<ReaderState> = this.#state;
  #reader: CcidReader | undefined;
  #unsubscribe: Array<() => void> = [];
  #listeners = new Set<Partial<CardEvents>>();
  #opening: Promise<void> | undefined;

  constructor(usb: UsbLike | undefined) {
    this.#usb = usb;
    if (!usb) {
      this.#state.set({ kind: 'unavailable' });
      return;
    }
    usb.addEventListener('connect', () => void this.start());
    usb.addEventListener('disconnect', (event) => this.#onDisconnect((event as USBConnectionEvent).device));
  }

  /** Card inserted/removed callbacks; returns the unsubscribe function. */
  onCard(listener: Partial<CardEvents>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get cardPresent(): boolean {
    return this.#reader?.cardPresent === true;
  }

  /** Reopens a reader this browser was already allowed to use; no chooser. */
  start(): Promise<void> {
    if (!this.#usb || this.#reader?.isOpen) return Promise.resolve();
    this.#opening ??= this.#openFirstGranted(this.#usb).finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  /** Shows the browser's chooser (needs a user gesture), then opens the reader chosen. */
  async choose(): Promise<void> {
    if (!this.#usb) return;
    let device: USBDevice;
    try {
      device = await this.#usb.requestDevice({ filters: READER_FILTERS });
    } catch (error) {
      this.#state.set({ kind: 'failed', code: mapUsbError(error, 'request').code });
      return;
    }
    await this.#open(device);
  }

  /** Powers the card on and returns its session; throws CcidError (NO_CARD, CARD_MUTE ...). */
  async connectCard(): Promise<CardSession> {
    if (!this.#reader?.isOpen) throw new CcidError('READER_CLOSED', 'No card reader is open.');
    return this.#reader.connect();
  }

  async #openFirstGranted(usb: UsbLike): Promise<void> {
    const devices = await usb.getDevices();
    const device = devices[0];
    if (!device) {
      this.#state.set({ kind: 'none' });
      return;
    }
    await this.#open(device);
  }

  async #open(device: UsbDeviceLike): Promise<void> {
    await this.#close();
    this.#state.set({ kind: 'opening' });
    try {
      const reader = await CcidReader.open(device);
      this.#reader = reader;
      this.#unsubscribe = [
        reader.on('cardInserted', () => this.#cardChanged(true)),
        reader.on('cardRemoved', () => this.#cardChanged(false)),
        reader.on('disconnected', (event) => this.#failed(event.error)),
      ];
      const name = reader.info.productName ?? reader.info.vidPid;
      this.#state.set({ kind: 'ready', name, cardPresent: false });
      const status = await reader.slotStatus();
      if (status.iccStatus !== 2) this.#cardChanged(true);
    } catch (error) {
      this.#failed(isCcidError(error) ? error : mapUsbError(error, 'open'));
    }
  }

  #cardChanged(present: boolean): void {
    this.#state.update((s) => (s.kind === 'ready' ? { ...s, cardPresent: present } : s));
    for (const listener of this.#listeners) (present ? listener.inserted : listener.removed)?.();
  }

  #failed(error: CcidError): void {
    const hadCard = this.cardPresent;
    void this.#close();
    this.#state.set(error.code === 'READER_DISCONNECTED' ? { kind: 'none' } : { kind: 'failed', code: error.code });
    if (hadCard) for (const listener of this.#listeners) listener.removed?.();
  }

  #onDisconnect(device: USBDevice): void {
    if (this.#reader && this.#reader.usbDevice === device) {
      this.#reader.handleDisconnect();
      this.#failed(new CcidError('READER_DISCONNECTED', 'The card reader was unplugged.'));
    }
  }

  async #close(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    const reader = this.#reader;
    this.#reader = undefined;
    await reader?.close();
  }
}
