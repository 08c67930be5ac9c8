/**
 * The subset of WebUSB's USBDevice the driver uses. The browser's USBDevice, the Node `usb`
 * package's WebUSBDevice and the virtual reader (ccid/sim/reader/reader.ts) all satisfy it, so the same
 * driver code runs on all three.
 */
export type UsbDeviceLike = Pick<
  USBDevice,
  | 'vendorId'
  | 'productId'
  | 'productName'
  | 'manufacturerName'
  | 'serialNumber'
  | 'opened'
  | 'configuration'
  | 'configurations'
  | 'open'
  | 'close'
  | 'selectConfiguration'
  | 'claimInterface'
  | 'releaseInterface'
  | 'transferIn'
  | 'transferOut'
  | 'controlTransferIn'
  | 'controlTransferOut'
  | 'clearHalt'
  | 'reset'
>;

/** The part of `navigator.usb` the driver and the virtual reader installer use. */
export type UsbLike = Pick<USB, 'getDevices' | 'requestDevice' | 'addEventListener' | 'removeEventListener'>;
