/**
 * The one error class of the USB/CCID layer. Every failure the world causes (card pulled, reader
 * unplugged, browser refusal, a reader that answers garbage) becomes a `CcidError` with a `code`
 * the layers above switch on; the message is written for the operator standing at the kiosk and
 * says what to do. Broken invariants in our own code stay plain assertions (`assert` below).
 */

export type CcidErrorCode =
  // Browser and operating-system refusals
  | 'WEBUSB_UNAVAILABLE'
  | 'NO_READER_SELECTED'
  | 'PROTECTED_INTERFACE_CLASS'
  | 'PERMISSION_DENIED'
  | 'DEVICE_CLAIMED_BY_OS'
  | 'READER_DISCONNECTED'
  | 'NOT_A_CCID_READER'
  | 'UNSUPPORTED_READER'
  // Transport
  | 'TRANSFER_FAILED'
  | 'TRANSFER_STALLED'
  | 'TIMEOUT'
  | 'FRAME_INVALID'
  | 'DESCRIPTOR_INVALID'
  | 'OUT_OF_STEP'
  | 'TIME_EXTENSION_LIMIT'
  | 'MESSAGE_TOO_LONG'
  | 'QUEUE_FULL'
  | 'READER_CLOSED'
  // Card and slot
  | 'NO_CARD'
  | 'CARD_REMOVED'
  | 'CARD_MUTE'
  | 'CARD_INACTIVE'
  | 'SESSION_CLOSED'
  | 'BAD_ATR'
  | 'PROTOCOL_NOT_SUPPORTED'
  | 'PPS_FAILED'
  | 'VOLTAGE_NOT_SUPPORTED'
  // bError of a failed command
  | 'CMD_ABORTED'
  | 'XFR_PARITY_ERROR'
  | 'XFR_OVERRUN'
  | 'HW_ERROR'
  | 'PROCEDURE_BYTE_CONFLICT'
  | 'DEACTIVATED_PROTOCOL'
  | 'BUSY_WITH_AUTO_SEQUENCE'
  | 'PIN_TIMEOUT'
  | 'PIN_CANCELLED'
  | 'CMD_SLOT_BUSY'
  | 'CMD_NOT_SUPPORTED'
  | 'BAD_LENGTH'
  | 'BAD_SLOT'
  | 'BAD_PARAMETER'
  | 'COMMAND_FAILED';

export type CcidErrorDetail = {
  /** bStatus and bError of the RDR_to_PC reply that failed, when there was one. */
  bStatus?: number;
  bError?: number;
  /** The DOMException (or Node usb error) name behind a browser refusal. */
  domName?: string;
};

export class CcidError extends Error {
  readonly code: CcidErrorCode;
  readonly detail: CcidErrorDetail;

  constructor(code: CcidErrorCode, message: string, options: { detail?: CcidErrorDetail; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CcidError';
    this.code = code;
    this.detail = options.detail ?? {};
  }
}

export function isCcidError(error: unknown, code?: CcidErrorCode): error is CcidError {
  return error instanceof CcidError && (code === undefined || error.code === code);
}

/** A broken invariant in our own code: not a world failure, stops the operation. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Where in the WebUSB call sequence a DOMException was raised: the same name means different things. */
export type UsbStep = 'request' | 'open' | 'configure' | 'claim' | 'transfer' | 'control' | 'close';

const MESSAGES = {
  protectedClass:
    'This browser does not let ordinary web pages use smart-card readers (USB class 0x0B). ' +
    'Run the kiosk as the installed Isolated Web App, or use a reader whose USB interface is vendor class 0xFF.',
  permission:
    'The browser did not give this page access to the card reader. Choose the reader again when the browser asks, ' +
    'or ask the administrator to allow it for this site.',
  claimedByOs:
    'Another program or driver is using the card reader. Free it from the operating system: stop pcscd (Linux), ' +
    'install the WinUSB driver for it (Windows), or stop com.apple.ifdreader (macOS), then plug the reader in again.',
  disconnected: 'The card reader was unplugged. Plug it in again and retry.',
  noSelection: 'No card reader was chosen. Plug in the reader and choose it in the list the browser shows.',
  unavailable: 'This browser cannot talk to USB card readers (WebUSB is missing). Use Chrome or Edge, or the installed kiosk app.',
  transfer: 'The card reader stopped answering properly. Unplug it, plug it in again and retry.',
} as const;

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') return error.name;
  return '';
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Maps a rejection from WebUSB (browser DOMException, or the Node `usb` package's errors that carry
 * libusb names) to a CcidError. Already-typed errors pass through unchanged.
 */
export function mapUsbError(error: unknown, step: UsbStep): CcidError {
  if (error instanceof CcidError) return error;
  const name = errorName(error);
  const text = errorText(error);
  const detail = { domName: name };
  const make = (code: CcidErrorCode, message: string) => new CcidError(code, message, { detail, cause: error });
  if (name === 'NotFoundError' || /NO_DEVICE|disconnected/i.test(text)) {
    return step === 'request' ? make('NO_READER_SELECTED', MESSAGES.noSelection) : make('READER_DISCONNECTED', MESSAGES.disconnected);
  }
  if (name === 'SecurityError') {
    return step === 'claim' || /protected class/i.test(text)
      ? make('PROTECTED_INTERFACE_CLASS', MESSAGES.protectedClass)
      : make('PERMISSION_DENIED', MESSAGES.permission);
  }
  if (/LIBUSB_ERROR_ACCESS|access denied/i.test(text)) {
    return step === 'open' ? make('DEVICE_CLAIMED_BY_OS', MESSAGES.claimedByOs) : make('PERMISSION_DENIED', MESSAGES.permission);
  }
  if (/LIBUSB_ERROR_BUSY|unable to claim/i.test(text)) return make('DEVICE_CLAIMED_BY_OS', MESSAGES.claimedByOs);
  if (name === 'NetworkError' && (step === 'claim' || step === 'open')) return make('DEVICE_CLAIMED_BY_OS', MESSAGES.claimedByOs);
  if (name === 'AbortError') return make('READER_CLOSED', 'The card reader was closed while it was working.');
  if (name === 'TimeoutError' || /LIBUSB_ERROR_TIMEOUT/.test(text)) return make('TIMEOUT', 'The card reader did not answer in time.');
  return make('TRANSFER_FAILED', MESSAGES.transfer);
}

export function webUsbUnavailable(): CcidError {
  return new CcidError('WEBUSB_UNAVAILABLE', MESSAGES.unavailable);
}
