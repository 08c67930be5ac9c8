/**
 * Node only: real USB devices through the `usb` package's WebUSB implementation (libusb), so the
 * same driver runs in Node for the command line and hardware-in-the-loop tests. Imported lazily:
 * a machine without libusb or without permission still gets an answer, not a crash.
 */
import type { UsbDeviceLike } from './device.ts';

export type NodeUsbScan = { devices: UsbDeviceLike[]; problem: string | undefined };

export async function scanNodeUsb(): Promise<NodeUsbScan> {
  try {
    const { WebUSB } = await import('usb');
    const webusb = new WebUSB({ allowAllDevices: true });
    const devices = (await webusb.getDevices()) as unknown as UsbDeviceLike[];
    return { devices, problem: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { devices: [], problem: `USB is not available on this machine (${message}).` };
  }
}
