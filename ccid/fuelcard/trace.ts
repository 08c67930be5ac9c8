/**
 * APDU traces of fuel-card sessions: a ccid/iso7816 TraceRecorder that names every command as
 * docs/card-protocol.md does (`VERIFY`, `INITIALIZE_FOR_LOAD` ...) and masks the data of every
 * command that carries a PIN or a key, so a trace can be logged or attached to a bug report
 * (docs/architecture.md decision 7). Record a reader session with ccid/usb `traced(session,
 * fuelCardTraceRecorder())`, or any `transmit` with `recorder.wrap(transmit)`; the text format is
 * the one `decodeTrace` reads.
 */
import { TraceRecorder, isPinCommand, type TraceRecorderOptions } from '../iso7816/trace.ts';
import { commandName } from './decode.ts';
import { HEADER } from './spec.ts';

export { commandName };

/**
 * Whether a command's data is secret: VERIFY, CHANGE PIN / RELOAD PIN and PIN UNBLOCK (by INS, as
 * ccid/iso7816 `isPinCommand`), and WRITE KEY (80 D4 01 xx), which carries a card key or the PIN.
 */
export function isSecretCommand(command: Uint8Array): boolean {
  const writeKey = command[0] === HEADER.WRITE_KEY[0] && command[1] === HEADER.WRITE_KEY[1] && command[2] === 0x01;
  return isPinCommand(command) || (writeKey && command.length > 5);
}

/** A recorder with the fuel-card names and masking; options (clock, limits) pass through. */
export function fuelCardTraceRecorder(options: Omit<TraceRecorderOptions, 'namer' | 'isPinCommand'> = {}): TraceRecorder {
  return new TraceRecorder({ ...options, namer: commandName, isPinCommand: isSecretCommand });
}
