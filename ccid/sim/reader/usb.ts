/**
 * The USB plumbing of the virtual reader: the configuration object tree WebUSB exposes
 * (configurations → interfaces → alternates → endpoints), the raw descriptors a GET_DESCRIPTOR
 * returns, and an endpoint queue that behaves like a WebUSB IN endpoint (a transfer waits for
 * data, takes at most `length` bytes, and is rejected when the interface is released, the device
 * closed or unplugged).
 */
import { encodeCcidClassDescriptor, encodeConfigurationDescriptor, type CcidDescriptor } from '../../usb/descriptor.ts';

export const ENDPOINT = { BULK_OUT: 1, BULK_IN: 2, INTERRUPT_IN: 3 } as const;
export const PACKET_BYTES = 64;

export type UsbShape = {
  configurationValue: number;
  interfaceNumber: number;
  interfaceClass: number;
  interfaceProtocol: number;
  interruptEndpoint: boolean;
  descriptor: CcidDescriptor;
  productName: string;
};

function endpoint(endpointNumber: number, direction: USBDirection, type: USBEndpointType): USBEndpoint {
  return { endpointNumber, direction, type, packetSize: type === 'interrupt' ? 8 : PACKET_BYTES };
}

/** The WebUSB object tree; `isClaimed` feeds USBInterface.claimed. */
export function buildConfiguration(shape: UsbShape, isClaimed: (interfaceNumber: number) => boolean): USBConfiguration {
  const endpoints = [endpoint(ENDPOINT.BULK_OUT, 'out', 'bulk'), endpoint(ENDPOINT.BULK_IN, 'in', 'bulk')];
  if (shape.interruptEndpoint) endpoints.push(endpoint(ENDPOINT.INTERRUPT_IN, 'in', 'interrupt'));
  const alternate: USBAlternateInterface = {
    alternateSetting: 0,
    interfaceClass: shape.interfaceClass,
    interfaceSubclass: 0,
    interfaceProtocol: shape.interfaceProtocol,
    interfaceName: `${shape.productName} (virtual)`,
    endpoints,
  };
  const usbInterface = {
    interfaceNumber: shape.interfaceNumber,
    alternate,
    alternates: [alternate],
    get claimed() {
      return isClaimed(shape.interfaceNumber);
    },
  } as USBInterface;
  return { configurationValue: shape.configurationValue, configurationName: 'CCID', interfaces: [usbInterface] };
}

export function rawConfigurationDescriptor(shape: UsbShape): Uint8Array {
  const endpoints = [
    { address: ENDPOINT.BULK_OUT, attributes: 2, maxPacketSize: PACKET_BYTES },
    { address: 0x80 | ENDPOINT.BULK_IN, attributes: 2, maxPacketSize: PACKET_BYTES },
  ];
  if (shape.interruptEndpoint) endpoints.push({ address: 0x80 | ENDPOINT.INTERRUPT_IN, attributes: 3, maxPacketSize: 8 });
  return encodeConfigurationDescriptor({
    configurationValue: shape.configurationValue,
    interfaces: [
      {
        interfaceNumber: shape.interfaceNumber,
        alternateSetting: 0,
        interfaceClass: shape.interfaceClass,
        interfaceSubclass: 0,
        interfaceProtocol: shape.interfaceProtocol,
        endpoints,
        ccidDescriptor: encodeCcidClassDescriptor(shape.descriptor),
      },
    ],
  });
}

export function rawDeviceDescriptor(vendorId: number, productId: number): Uint8Array {
  return Uint8Array.of(
    18,
    0x01,
    0x00,
    0x02,
    0,
    0,
    0,
    PACKET_BYTES,
    vendorId & 0xff,
    vendorId >> 8,
    productId & 0xff,
    productId >> 8,
    0x00,
    0x01,
    1,
    2,
    3,
    1,
  );
}

type Waiter = { length: number; resolve: (result: USBInTransferResult) => void; reject: (error: unknown) => void };

export function inResult(status: USBTransferStatus, bytes?: Uint8Array): USBInTransferResult {
  if (!bytes) return { status } as USBInTransferResult;
  const copy = bytes.slice();
  return { status, data: new DataView(copy.buffer, copy.byteOffset, copy.byteLength) } as USBInTransferResult;
}

/** An IN endpoint: queued messages, waiting transfers, and one-shot stall / babble faults. */
export class InEndpoint {
  private readonly messages: Uint8Array[] = [];
  private readonly waiters: Waiter[] = [];
  stallNext = false;
  babbleNext = false;

  get queuedCount(): number {
    return this.messages.length;
  }

  push(message: Uint8Array): void {
    this.messages.push(message);
    this.flush();
  }

  transfer(length: number): Promise<USBInTransferResult> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ length, resolve, reject });
      this.flush();
    });
  }

  /** Rejects every waiting transfer (release, close, unplug). */
  failAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  clear(): void {
    this.messages.length = 0;
  }

  private flush(): void {
    while (this.waiters.length > 0) {
      if (this.stallNext) {
        this.stallNext = false;
        this.waiters.shift()!.resolve(inResult('stall'));
        continue;
      }
      const head = this.messages[0];
      if (!head) return;
      const waiter = this.waiters.shift()!;
      if (this.babbleNext) {
        this.babbleNext = false;
        this.messages.shift();
        waiter.resolve(inResult('babble'));
        continue;
      }
      if (head.length <= waiter.length) {
        this.messages.shift();
        waiter.resolve(inResult('ok', head));
      } else {
        // A message longer than the transfer arrives over several transfers, as packets would.
        const size = Math.max(PACKET_BYTES, waiter.length - (waiter.length % PACKET_BYTES));
        this.messages[0] = head.subarray(size);
        waiter.resolve(inResult('ok', head.subarray(0, size)));
      }
    }
  }
}
