/**
 * The CCID class descriptor (CCID §5.1, 54 bytes, type 0x21) and how to find it. WebUSB exposes
 * interfaces and endpoints but not class-specific descriptors, so the driver reads the raw
 * configuration descriptor with GET_DESCRIPTOR (as Smart Card Connector does) and walks it. A
 * reader counts as CCID when an interface of class 0x0B (protocol 0, bulk CCID) or vendor class
 * 0xFF carries a 54-byte class descriptor (libccid's ALLOW_PROPRIETARY_CLASS rule); the descriptor
 * may sit before or after the endpoint descriptors (O2Micro and others put it after).
 */
import { readU32le, u32le } from '../bytes.ts';
import { CcidError, mapUsbError } from './errors.ts';
import type { CcidLimits } from './limits.ts';
import type { UsbDeviceLike } from './device.ts';
import { withDeadline } from './pipe.ts';

export const CCID_CLASS_DESCRIPTOR_TYPE = 0x21;
export const CCID_CLASS_DESCRIPTOR_BYTES = 54;
export const USB_CLASS_SMART_CARD = 0x0b;
export const USB_CLASS_VENDOR_SPECIFIC = 0xff;

/** dwFeatures bits (CCID §5.1 table 5.1-1), spelled after libccid's ccid.h. */
export const CCID_FEATURE = {
  AUTO_PARAMETER_CONFIGURATION_FROM_ATR: 0x00000002,
  AUTO_ACTIVATION_ON_INSERT: 0x00000004,
  AUTO_VOLTAGE_SELECTION: 0x00000008,
  AUTO_CLOCK_CHANGE: 0x00000010,
  AUTO_BAUD_RATE_CHANGE: 0x00000020,
  AUTO_PARAMETER_NEGOTIATION: 0x00000040,
  AUTO_PPS_CURRENT: 0x00000080,
  CLOCK_STOP: 0x00000100,
  NAD_NOT_ZERO_ACCEPTED: 0x00000200,
  AUTO_IFSD_EXCHANGE: 0x00000400,
  ICCD_TOKEN: 0x00000800,
  EXCHANGE_LEVEL_MASK: 0x00070000,
  EXCHANGE_LEVEL_CHARACTER: 0x00000000,
  EXCHANGE_LEVEL_TPDU: 0x00010000,
  EXCHANGE_LEVEL_SHORT_APDU: 0x00020000,
  EXCHANGE_LEVEL_EXTENDED_APDU: 0x00040000,
  USB_WAKE_UP: 0x00100000,
} as const;

export type ExchangeLevel = 'character' | 'tpdu' | 'shortApdu' | 'extendedApdu';

export type CcidDescriptor = {
  bcdCCID: number;
  bMaxSlotIndex: number;
  bVoltageSupport: number;
  dwProtocols: number;
  dwDefaultClock: number;
  dwMaximumClock: number;
  bNumClockSupported: number;
  dwDataRate: number;
  dwMaxDataRate: number;
  bNumDataRatesSupported: number;
  dwMaxIFSD: number;
  dwSynchProtocols: number;
  dwMechanical: number;
  dwFeatures: number;
  dwMaxCCIDMessageLength: number;
  bClassGetResponse: number;
  bClassEnvelope: number;
  wLcdLayout: number;
  bPINSupport: number;
  bMaxCCIDBusySlots: number;
};

export type CcidReaderTraits = {
  exchangeLevel: ExchangeLevel;
  protocols: number[];
  /** The reader negotiates everything itself: no PPS, no SetParameters (0x40). */
  autoNegotiation: boolean;
  /** The reader sends PPS itself (0x80 or 0x40). */
  autoPps: boolean;
  /** The reader configures itself from the ATR (0x02). */
  autoParameters: boolean;
  autoVoltage: boolean;
  autoIfsd: boolean;
  nadAccepted: boolean;
};

function invalid(message: string): CcidError {
  return new CcidError('DESCRIPTOR_INVALID', `The card reader's CCID descriptor is unusable: ${message}.`);
}

function u16le(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

/** Parses the 54-byte class descriptor; extra trailing bytes are refused, a short one too. */
export function parseCcidClassDescriptor(bytes: Uint8Array): CcidDescriptor {
  if (bytes.length !== CCID_CLASS_DESCRIPTOR_BYTES) throw invalid(`${bytes.length} bytes, 54 expected`);
  if (bytes[0] !== CCID_CLASS_DESCRIPTOR_BYTES) throw invalid(`bLength ${bytes[0]}, 54 expected`);
  if (bytes[1] !== CCID_CLASS_DESCRIPTOR_TYPE) throw invalid(`bDescriptorType 0x${bytes[1]!.toString(16)}, 0x21 expected`);
  const d: CcidDescriptor = {
    bcdCCID: u16le(bytes, 2),
    bMaxSlotIndex: bytes[4]!,
    bVoltageSupport: bytes[5]!,
    dwProtocols: readU32le(bytes, 6),
    dwDefaultClock: readU32le(bytes, 10),
    dwMaximumClock: readU32le(bytes, 14),
    bNumClockSupported: bytes[18]!,
    dwDataRate: readU32le(bytes, 19),
    dwMaxDataRate: readU32le(bytes, 23),
    bNumDataRatesSupported: bytes[27]!,
    dwMaxIFSD: readU32le(bytes, 28),
    dwSynchProtocols: readU32le(bytes, 32),
    dwMechanical: readU32le(bytes, 36),
    dwFeatures: readU32le(bytes, 40),
    dwMaxCCIDMessageLength: readU32le(bytes, 44),
    bClassGetResponse: bytes[48]!,
    bClassEnvelope: bytes[49]!,
    wLcdLayout: u16le(bytes, 50),
    bPINSupport: bytes[52]!,
    bMaxCCIDBusySlots: bytes[53]!,
  };
  // A message must hold at least the header and a short command APDU header.
  if (d.dwMaxCCIDMessageLength < 10 + 5) throw invalid(`dwMaxCCIDMessageLength ${d.dwMaxCCIDMessageLength} is too small`);
  return d;
}

export function encodeCcidClassDescriptor(d: CcidDescriptor): Uint8Array {
  const out = new Uint8Array(CCID_CLASS_DESCRIPTOR_BYTES);
  out[0] = CCID_CLASS_DESCRIPTOR_BYTES;
  out[1] = CCID_CLASS_DESCRIPTOR_TYPE;
  out.set([d.bcdCCID & 0xff, d.bcdCCID >> 8, d.bMaxSlotIndex, d.bVoltageSupport], 2);
  out.set(u32le(d.dwProtocols), 6);
  out.set(u32le(d.dwDefaultClock), 10);
  out.set(u32le(d.dwMaximumClock), 14);
  out[18] = d.bNumClockSupported;
  out.set(u32le(d.dwDataRate), 19);
  out.set(u32le(d.dwMaxDataRate), 23);
  out[27] = d.bNumDataRatesSupported;
  out.set(u32le(d.dwMaxIFSD), 28);
  out.set(u32le(d.dwSynchProtocols), 32);
  out.set(u32le(d.dwMechanical), 36);
  out.set(u32le(d.dwFeatures), 40);
  out.set(u32le(d.dwMaxCCIDMessageLength), 44);
  out.set([d.bClassGetResponse, d.bClassEnvelope, d.wLcdLayout & 0xff, d.wLcdLayout >> 8, d.bPINSupport, d.bMaxCCIDBusySlots], 48);
  return out;
}

export function exchangeLevelOf(dwFeatures: number): ExchangeLevel {
  const level = dwFeatures & CCID_FEATURE.EXCHANGE_LEVEL_MASK;
  if (level & CCID_FEATURE.EXCHANGE_LEVEL_EXTENDED_APDU) return 'extendedApdu';
  if (level & CCID_FEATURE.EXCHANGE_LEVEL_SHORT_APDU) return 'shortApdu';
  if (level & CCID_FEATURE.EXCHANGE_LEVEL_TPDU) return 'tpdu';
  return 'character';
}

export function traitsOf(d: CcidDescriptor): CcidReaderTraits {
  const has = (bit: number) => (d.dwFeatures & bit) !== 0;
  const protocols = [0, 1].filter((t) => (d.dwProtocols & (1 << t)) !== 0);
  return {
    exchangeLevel: exchangeLevelOf(d.dwFeatures),
    protocols,
    autoNegotiation: has(CCID_FEATURE.AUTO_PARAMETER_NEGOTIATION),
    autoPps: has(CCID_FEATURE.AUTO_PPS_CURRENT) || has(CCID_FEATURE.AUTO_PARAMETER_NEGOTIATION),
    autoParameters: has(CCID_FEATURE.AUTO_PARAMETER_CONFIGURATION_FROM_ATR),
    autoVoltage: has(CCID_FEATURE.AUTO_VOLTAGE_SELECTION) || has(CCID_FEATURE.AUTO_ACTIVATION_ON_INSERT),
    autoIfsd: has(CCID_FEATURE.AUTO_IFSD_EXCHANGE),
    nadAccepted: has(CCID_FEATURE.NAD_NOT_ZERO_ACCEPTED),
  };
}

export type RawEndpoint = { address: number; attributes: number; maxPacketSize: number };
export type RawInterface = {
  interfaceNumber: number;
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: RawEndpoint[];
  /** The 54-byte class descriptor found with this interface, before or after its endpoints. */
  ccidDescriptor?: Uint8Array;
};

/** Walks a raw configuration descriptor (USB 2.0 §9.6.3) into interfaces with their endpoints and CCID extra. */
export function parseConfigurationDescriptor(raw: Uint8Array): RawInterface[] {
  if (raw.length < 9 || raw[1] !== 0x02) throw invalid('the configuration descriptor is missing or malformed');
  const total = Math.min(raw[2]! | (raw[3]! << 8), raw.length);
  const interfaces: RawInterface[] = [];
  let current: RawInterface | undefined;
  for (let offset = 0; offset < total;) {
    const length = raw[offset]!;
    if (length < 2 || offset + length > total)
      throw invalid(`a descriptor of ${length} bytes at offset ${offset} overruns the configuration`);
    const d = raw.subarray(offset, offset + length);
    const type = d[1]!;
    if (type === 0x04 && length >= 9) {
      current = {
        interfaceNumber: d[2]!,
        alternateSetting: d[3]!,
        interfaceClass: d[5]!,
        interfaceSubclass: d[6]!,
        interfaceProtocol: d[7]!,
        endpoints: [],
      };
      interfaces.push(current);
    } else if (type === 0x05 && length >= 7 && current) {
      current.endpoints.push({ address: d[2]!, attributes: d[3]!, maxPacketSize: (d[4]! | (d[5]! << 8)) & 0x7ff });
    } else if (type === CCID_CLASS_DESCRIPTOR_TYPE && length === CCID_CLASS_DESCRIPTOR_BYTES && current && !current.ccidDescriptor) {
      current.ccidDescriptor = d.slice();
    }
    offset += length;
  }
  return interfaces;
}

/** Builds a raw configuration descriptor; the virtual reader answers GET_DESCRIPTOR with it. */
export function encodeConfigurationDescriptor(config: { configurationValue: number; interfaces: RawInterface[] }): Uint8Array {
  const parts: number[] = [];
  for (const i of config.interfaces) {
    parts.push(
      9,
      0x04,
      i.interfaceNumber,
      i.alternateSetting,
      i.endpoints.length,
      i.interfaceClass,
      i.interfaceSubclass,
      i.interfaceProtocol,
      0,
    );
    if (i.ccidDescriptor) parts.push(...i.ccidDescriptor);
    for (const e of i.endpoints)
      parts.push(7, 0x05, e.address, e.attributes, e.maxPacketSize & 0xff, e.maxPacketSize >> 8, e.attributes === 3 ? 0x10 : 0);
  }
  const total = 9 + parts.length;
  const numInterfaces = new Set(config.interfaces.map((i) => i.interfaceNumber)).size;
  return Uint8Array.of(9, 0x02, total & 0xff, total >> 8, numInterfaces, config.configurationValue, 0, 0x80, 50, ...parts);
}

export type CcidInterface = {
  configurationValue: number;
  interfaceNumber: number;
  alternateSetting: number;
  interfaceClass: number;
  bulkInEndpoint: number;
  bulkOutEndpoint: number;
  interruptInEndpoint: number | undefined;
  bulkInPacketBytes: number;
  descriptor: CcidDescriptor;
};

const GET_DESCRIPTOR = 0x06;

/** Reads the raw configuration descriptor of the configuration at `configIndex` (device must be open). */
export async function readConfigurationDescriptor(device: UsbDeviceLike, configIndex: number, limits: CcidLimits): Promise<Uint8Array> {
  const read = async (length: number): Promise<Uint8Array> => {
    const setup = { requestType: 'standard', recipient: 'device', request: GET_DESCRIPTOR, value: 0x0200 | configIndex, index: 0 } as const;
    let result: USBInTransferResult;
    try {
      result = await withDeadline(
        device.controlTransferIn(setup, length),
        limits.controlTimeoutMs,
        'The card reader did not send its descriptors in time.',
      );
    } catch (error) {
      throw mapUsbError(error, 'control');
    }
    if (result.status !== 'ok' || !result.data) throw invalid(`GET_DESCRIPTOR ended with status ${result.status}`);
    return new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength);
  };
  const head = await read(9);
  if (head.length < 4) throw invalid('the configuration descriptor header is truncated');
  const total = head[2]! | (head[3]! << 8);
  if (total < 9 || total > limits.configDescriptorBytesMax) throw invalid(`wTotalLength ${total} is out of range`);
  return read(total);
}

/** Picks the CCID interface of the device's active configuration (the device must be open and configured). */
export async function findCcidInterface(device: UsbDeviceLike, limits: CcidLimits): Promise<CcidInterface> {
  const configuration = device.configuration;
  if (!configuration) throw new CcidError('NOT_A_CCID_READER', 'The USB device has no active configuration.');
  // device.configuration is a different object from its entry in device.configurations (crbug.com/1274922).
  const configIndex = Math.max(
    0,
    device.configurations.findIndex((c) => c.configurationValue === configuration.configurationValue),
  );
  const candidates = configuration.interfaces.filter((i) => {
    const a = i.alternates[0];
    return a !== undefined && (a.interfaceClass === USB_CLASS_SMART_CARD || a.interfaceClass === USB_CLASS_VENDOR_SPECIFIC);
  });
  if (candidates.length === 0) throw notCcid();
  const raw = parseConfigurationDescriptor(await readConfigurationDescriptor(device, configIndex, limits));
  for (const candidate of candidates) {
    const alternate = candidate.alternates[0]!;
    const rawInterface = raw.find(
      (r) => r.interfaceNumber === candidate.interfaceNumber && r.alternateSetting === alternate.alternateSetting,
    );
    if (!rawInterface?.ccidDescriptor) continue;
    if (alternate.interfaceClass === USB_CLASS_SMART_CARD && alternate.interfaceProtocol !== 0) {
      throw new CcidError(
        'UNSUPPORTED_READER',
        'This reader speaks ICCD (control transfers), which this kiosk does not support. Use a CCID reader.',
      );
    }
    const find = (direction: USBDirection, type: USBEndpointType) =>
      alternate.endpoints.find((e) => e.direction === direction && e.type === type);
    const bulkIn = find('in', 'bulk');
    const bulkOut = find('out', 'bulk');
    if (!bulkIn || !bulkOut) continue;
    return {
      configurationValue: configuration.configurationValue,
      interfaceNumber: candidate.interfaceNumber,
      alternateSetting: alternate.alternateSetting,
      interfaceClass: alternate.interfaceClass,
      bulkInEndpoint: bulkIn.endpointNumber,
      bulkOutEndpoint: bulkOut.endpointNumber,
      interruptInEndpoint: find('in', 'interrupt')?.endpointNumber,
      bulkInPacketBytes: bulkIn.packetSize,
      descriptor: parseCcidClassDescriptor(rawInterface.ccidDescriptor),
    };
  }
  throw notCcid();
}

function notCcid(): CcidError {
  return new CcidError('NOT_A_CCID_READER', 'This USB device is not a smart-card reader (no CCID interface). Choose the card reader.');
}
