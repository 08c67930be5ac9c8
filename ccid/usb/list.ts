/**
 * Lists the card readers among USB devices, for the command line and the staff settings page.
 * A device counts when an interface is class 0x0B, or vendor class 0xFF with a CCID class
 * descriptor (which needs the device opened to read). With `inspect`, each candidate is opened
 * just long enough to read its class descriptor; a refusal is reported in words, not thrown.
 */
import { findCcidInterface, USB_CLASS_SMART_CARD, USB_CLASS_VENDOR_SPECIFIC, exchangeLevelOf, type ExchangeLevel } from './descriptor.ts';
import type { UsbDeviceLike } from './device.ts';
import { mapUsbError } from './errors.ts';
import { resolveLimits } from './limits.ts';
import { quirksFor, vidPidKey } from './quirks.ts';

export type ReaderListing = {
  vidPid: string;
  productName: string | undefined;
  manufacturerName: string | undefined;
  serialNumber: string | undefined;
  interfaceClass: number;
  model: string | undefined;
  exchangeLevel: ExchangeLevel | undefined;
  protocols: number[] | undefined;
  dwFeatures: number | undefined;
  /** Why the descriptor could not be read (permission, OS driver ...), in operator words. */
  problem: string | undefined;
};

function candidateClass(device: UsbDeviceLike): number | undefined {
  for (const configuration of device.configurations) {
    for (const usbInterface of configuration.interfaces) {
      for (const alternate of usbInterface.alternates) {
        if (alternate.interfaceClass === USB_CLASS_SMART_CARD) return USB_CLASS_SMART_CARD;
      }
    }
  }
  const vendor = device.configurations.some((c) =>
    c.interfaces.some((i) => i.alternates.some((a) => a.interfaceClass === USB_CLASS_VENDOR_SPECIFIC)),
  );
  return vendor ? USB_CLASS_VENDOR_SPECIFIC : undefined;
}

async function inspect(
  device: UsbDeviceLike,
): Promise<Pick<ReaderListing, 'exchangeLevel' | 'protocols' | 'dwFeatures' | 'problem'> & { ccid: boolean }> {
  const wasOpen = device.opened;
  try {
    if (!wasOpen) await device.open();
    if (!device.configuration && device.configurations[0]) await device.selectConfiguration(device.configurations[0].configurationValue);
    const ccid = await findCcidInterface(device, resolveLimits(undefined));
    const d = ccid.descriptor;
    return {
      ccid: true,
      exchangeLevel: exchangeLevelOf(d.dwFeatures),
      protocols: [0, 1].filter((t) => d.dwProtocols & (1 << t)),
      dwFeatures: d.dwFeatures,
      problem: undefined,
    };
  } catch (error) {
    const typed = mapUsbError(error, 'open');
    return {
      ccid: typed.code !== 'NOT_A_CCID_READER',
      exchangeLevel: undefined,
      protocols: undefined,
      dwFeatures: undefined,
      problem: typed.message,
    };
  } finally {
    if (!wasOpen) await device.close().catch(() => {});
  }
}

export async function listReaders(devices: readonly UsbDeviceLike[], options: { inspect?: boolean } = {}): Promise<ReaderListing[]> {
  const out: ReaderListing[] = [];
  for (const device of devices) {
    const interfaceClass = candidateClass(device);
    if (interfaceClass === undefined) continue;
    const details = options.inspect ? await inspect(device) : undefined;
    // A vendor-class device is a reader only if its descriptor says so.
    if (interfaceClass === USB_CLASS_VENDOR_SPECIFIC && !details?.ccid) continue;
    out.push({
      vidPid: vidPidKey(device.vendorId, device.productId),
      productName: device.productName ?? undefined,
      manufacturerName: device.manufacturerName ?? undefined,
      serialNumber: device.serialNumber ?? undefined,
      interfaceClass,
      model: quirksFor(device.vendorId, device.productId)?.model,
      exchangeLevel: details?.exchangeLevel,
      protocols: details?.protocols,
      dwFeatures: details?.dwFeatures,
      problem: details?.problem,
    });
  }
  return out;
}
