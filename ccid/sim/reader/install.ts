/**
 * Installs a fake `navigator.usb` backed by virtual readers, so the real WebUSB code path (device
 * chooser aside) runs in the demo mode and in Playwright end-to-end tests. Call
 * `installVirtualUsb(...)` from the demo bootstrap, or from a Playwright init script that loads
 * the bundled app code; a test then drives the readers through `window.__fuelcardVirtualUsb`
 * (insert / remove / switch card by name, unplug and replug a reader, inject faults).
 * Runs in the browser and in Node (no DOM beyond EventTarget and Event).
 */
import type { SimulatedCard } from '../simulated-card.ts';
import type { FaultRule } from './faults.ts';
import { VirtualReader, type VirtualReaderOptions } from './reader.ts';

export const VIRTUAL_USB_GLOBAL = '__fuelcardVirtualUsb';

export type CardFactory = () => SimulatedCard;

export type VirtualUsbOptions = {
  /** One entry per reader plugged in at start. */
  readers?: Omit<VirtualReaderOptions, 'card'>[];
  /** Named cards the control API can insert (a page test cannot pass objects, only names). */
  cards?: Record<string, CardFactory>;
  /** Card (by name) inserted in the first reader at start. */
  initialCard?: string;
  /** Whether requestDevice() picks the first matching reader (true) or refuses as if cancelled. */
  chooserPicks?: boolean;
  /** Object to install `usb` on; globalThis.navigator by default. */
  navigator?: object;
  /** Publish the control API on globalThis under VIRTUAL_USB_GLOBAL (default true). */
  exposeGlobal?: boolean;
};

/** Matches one WebUSB request filter (vendor, product, class) against a virtual reader. */
function matches(device: VirtualReader, filter: USBDeviceFilter): boolean {
  if (filter.vendorId !== undefined && filter.vendorId !== device.vendorId) return false;
  if (filter.productId !== undefined && filter.productId !== device.productId) return false;
  if (filter.serialNumber !== undefined && filter.serialNumber !== device.serialNumber) return false;
  if (filter.classCode !== undefined) {
    const classes = device.configurations.flatMap((c) => c.interfaces.flatMap((i) => i.alternates.map((a) => a.interfaceClass)));
    if (!classes.includes(filter.classCode)) return false;
  }
  return true;
}

function connectionEvent(type: 'connect' | 'disconnect', device: VirtualReader): Event {
  return Object.assign(new Event(type), { device });
}

/** The fake `navigator.usb`: getDevices, requestDevice, connect and disconnect events. */
export class VirtualUsb extends EventTarget {
  onconnect: ((event: Event) => void) | null = null;
  ondisconnect: ((event: Event) => void) | null = null;
  readonly plugged: VirtualReader[] = [];
  private readonly granted = new Set<VirtualReader>();

  constructor(private readonly chooserPicks: boolean) {
    super();
  }

  async getDevices(): Promise<USBDevice[]> {
    return this.plugged.filter((d) => this.granted.has(d)) as unknown as USBDevice[];
  }

  async requestDevice(options: USBDeviceRequestOptions = { filters: [] }): Promise<USBDevice> {
    const filters = options.filters ?? [];
    const device = this.plugged.find((d) => filters.length === 0 || filters.some((f) => matches(d, f)));
    if (!device || !this.chooserPicks) throw new DOMException('No device selected.', 'NotFoundError');
    this.granted.add(device);
    return device as unknown as USBDevice;
  }

  plug(device: VirtualReader, granted = true): void {
    this.plugged.push(device);
    if (granted) this.granted.add(device);
    const event = connectionEvent('connect', device);
    this.onconnect?.(event);
    this.dispatchEvent(event);
  }

  unplug(device: VirtualReader): void {
    const index = this.plugged.indexOf(device);
    if (index < 0) return;
    this.plugged.splice(index, 1);
    this.granted.delete(device);
    device.unplug();
    const event = connectionEvent('disconnect', device);
    this.ondisconnect?.(event);
    this.dispatchEvent(event);
  }
}

export type VirtualUsbControl = {
  usb: VirtualUsb;
  readers(): VirtualReader[];
  cardNames(): string[];
  /** Inserts a named card (or a card object) in reader `index`, pulling any card there. */
  insertCard(card: string | SimulatedCard, index?: number): void;
  removeCard(index?: number): void;
  /** Pulls the current card and inserts another: the kiosk sees removed then inserted. */
  switchCard(card: string | SimulatedCard, index?: number): void;
  /** Plugs a new reader in (fires `connect`). */
  plugReader(options?: Omit<VirtualReaderOptions, 'card'>): VirtualReader;
  /** Unplugs reader `index` (fires `disconnect`; its transfers fail with NotFoundError). */
  unplugReader(index?: number): void;
  /** Unplugs reader `index` and plugs a fresh one with the same options, as a cable re-seat does. */
  replugReader(index?: number): VirtualReader;
  addFault(rule: FaultRule, index?: number): void;
};

export function installVirtualUsb(options: VirtualUsbOptions = {}): VirtualUsbControl {
  const usb = new VirtualUsb(options.chooserPicks ?? true);
  const cards = options.cards ?? {};
  const optionsOf = new Map<VirtualReader, Omit<VirtualReaderOptions, 'card'>>();
  const resolveCard = (card: string | SimulatedCard): SimulatedCard => {
    if (typeof card !== 'string') return card;
    const factory = cards[card];
    if (!factory) throw new Error(`no virtual card named "${card}" (known: ${Object.keys(cards).join(', ') || 'none'})`);
    return factory();
  };
  const reader = (index = 0): VirtualReader => {
    const found = usb.plugged[index];
    if (!found) throw new Error(`no virtual reader at index ${index}`);
    return found;
  };
  const plugReader = (readerOptions: Omit<VirtualReaderOptions, 'card'> = {}): VirtualReader => {
    const device = new VirtualReader({ ...readerOptions, serialNumber: readerOptions.serialNumber ?? `VIRTUAL-${usb.plugged.length + 1}` });
    optionsOf.set(device, readerOptions);
    usb.plug(device);
    return device;
  };
  const control: VirtualUsbControl = {
    usb,
    readers: () => [...usb.plugged],
    cardNames: () => Object.keys(cards),
    insertCard: (card, index) => reader(index).insertCard(resolveCard(card)),
    removeCard: (index) => reader(index).removeCard(),
    switchCard: (card, index) => {
      const device = reader(index);
      device.removeCard();
      device.insertCard(resolveCard(card));
    },
    plugReader,
    unplugReader: (index) => usb.unplug(reader(index)),
    replugReader: (index) => {
      const old = reader(index);
      usb.unplug(old);
      return plugReader(optionsOf.get(old));
    },
    addFault: (rule, index) => reader(index).addFault(rule),
  };
  for (const readerOptions of options.readers ?? [{}]) plugReader(readerOptions);
  if (options.initialCard !== undefined && usb.plugged[0]) control.insertCard(options.initialCard, 0);
  const target = options.navigator ?? (globalThis as { navigator?: object }).navigator;
  if (target) Object.defineProperty(target, 'usb', { value: usb, configurable: true, enumerable: true });
  if (options.exposeGlobal ?? true)
    Object.defineProperty(globalThis, VIRTUAL_USB_GLOBAL, { value: control, configurable: true, writable: true });
  return control;
}
