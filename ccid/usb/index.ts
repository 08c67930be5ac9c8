/**
 * Public API of the CCID reader driver: open a reader over a WebUSB-shaped device, listen to its
 * card and disconnect events, connect to the card and exchange APDUs through a `CardSession`.
 */
export { CcidReader, type ReaderEvents, type ReaderInfo, type ReaderOptions } from './reader.ts';
export type { CardSession } from './session-types.ts';
export { traced } from './traced.ts';
export { CcidError, isCcidError, mapUsbError, webUsbUnavailable, type CcidErrorCode, type UsbStep } from './errors.ts';
export { CCID_LIMITS, type CcidLimits } from './limits.ts';
export type { UsbDeviceLike, UsbLike } from './device.ts';
export {
  CCID_FEATURE,
  exchangeLevelOf,
  findCcidInterface,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
  traitsOf,
  type CcidDescriptor,
  type CcidReaderTraits,
  type ExchangeLevel,
} from './descriptor.ts';
export { READER_QUIRKS, quirksFor, vidPidKey, type ReaderQuirk } from './quirks.ts';
export * from './messages.ts';
export { replyError } from './status.ts';
export { decodeParameters, encodeParameters, type ProtocolParameters } from './parameters.ts';
export { listReaders, type ReaderListing } from './list.ts';
