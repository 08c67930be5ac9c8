/**
 * bStatus and bError of an RDR_to_PC reply turned into a typed CcidError (CCID §6.2.6), with the
 * message an operator can act on. The driver calls `replyError` on every reply that is not a time
 * extension; a null result means the command succeeded.
 */
import { CcidError, type CcidErrorCode } from './errors.ts';
import { CCID_ERROR, COMMAND_STATUS, ICC_STATUS, commandStatusOf, iccStatusOf, type CcidReply } from './messages.ts';

type Meaning = { code: CcidErrorCode; message: string };

const MEANING_BY_BERROR: ReadonlyMap<number, Meaning> = new Map<number, Meaning>([
  [CCID_ERROR.CMD_ABORTED, { code: 'CMD_ABORTED', message: 'The command was aborted.' }],
  [CCID_ERROR.ICC_MUTE, { code: 'CARD_MUTE', message: 'The card did not answer. Take it out, put it back and try again.' }],
  [
    CCID_ERROR.XFR_PARITY_ERROR,
    { code: 'XFR_PARITY_ERROR', message: 'The reader saw a parity error talking to the card. Clean the card contacts and try again.' },
  ],
  [CCID_ERROR.XFR_OVERRUN, { code: 'XFR_OVERRUN', message: 'The reader lost data from the card (overrun). Try again.' }],
  [CCID_ERROR.HW_ERROR, { code: 'HW_ERROR', message: 'The card reader reported a hardware error. Unplug it and plug it in again.' }],
  [
    CCID_ERROR.BAD_ATR_TS,
    { code: 'BAD_ATR', message: 'The card answered reset with an invalid first byte (TS). The card may be damaged.' },
  ],
  [CCID_ERROR.BAD_ATR_TCK, { code: 'BAD_ATR', message: 'The card answered reset with a bad checksum (TCK). The card may be damaged.' }],
  [
    CCID_ERROR.ICC_PROTOCOL_NOT_SUPPORTED,
    { code: 'PROTOCOL_NOT_SUPPORTED', message: 'The reader does not support the protocol this card asks for.' },
  ],
  [
    CCID_ERROR.ICC_CLASS_NOT_SUPPORTED,
    { code: 'VOLTAGE_NOT_SUPPORTED', message: 'The card does not work at the voltage the reader offered.' },
  ],
  [CCID_ERROR.PROCEDURE_BYTE_CONFLICT, { code: 'PROCEDURE_BYTE_CONFLICT', message: 'The card sent an unexpected T=0 procedure byte.' }],
  [CCID_ERROR.DEACTIVATED_PROTOCOL, { code: 'DEACTIVATED_PROTOCOL', message: 'The card protocol is deactivated in the reader.' }],
  [
    CCID_ERROR.BUSY_WITH_AUTO_SEQUENCE,
    { code: 'BUSY_WITH_AUTO_SEQUENCE', message: 'The reader is still activating the card on its own. Try again in a moment.' },
  ],
  [CCID_ERROR.PIN_TIMEOUT, { code: 'PIN_TIMEOUT', message: 'No PIN was entered on the reader in time.' }],
  [CCID_ERROR.PIN_CANCELLED, { code: 'PIN_CANCELLED', message: 'PIN entry was cancelled on the reader.' }],
  [CCID_ERROR.CMD_SLOT_BUSY, { code: 'CMD_SLOT_BUSY', message: 'The reader is busy with another command on this slot.' }],
  [CCID_ERROR.CMD_NOT_SUPPORTED, { code: 'CMD_NOT_SUPPORTED', message: 'The reader does not support this command.' }],
]);

/** bError 1..0x7F is the offset of the rejected field in the command (§6.2.6). */
function fieldError(offset: number): Meaning {
  if (offset >= 1 && offset <= 4) return { code: 'BAD_LENGTH', message: 'The reader rejected the message length (dwLength).' };
  if (offset === 5) return { code: 'BAD_SLOT', message: 'The reader has no such slot.' };
  return { code: 'BAD_PARAMETER', message: `The reader rejected byte ${offset} of the command.` };
}

/** The typed error a reply stands for, or null when its command succeeded (or asks for more time). */
export function replyError(reply: CcidReply): CcidError | null {
  const commandStatus = commandStatusOf(reply.status);
  if (commandStatus === COMMAND_STATUS.PROCESSED_WITHOUT_ERROR || commandStatus === COMMAND_STATUS.TIME_EXTENSION) return null;
  const detail = { bStatus: reply.status, bError: reply.error };
  if (commandStatus !== COMMAND_STATUS.FAILED) {
    return new CcidError('FRAME_INVALID', 'The card reader sent a reserved command status.', { detail });
  }
  // ICC_MUTE with no card present is a pulled card, not a silent one (libccid maps it to "no card").
  if (iccStatusOf(reply.status) === ICC_STATUS.NOT_PRESENT) {
    return new CcidError('NO_CARD', 'There is no card in the reader. Insert the card.', { detail });
  }
  const meaning =
    MEANING_BY_BERROR.get(reply.error) ??
    (reply.error >= 0x01 && reply.error <= 0x7f
      ? fieldError(reply.error)
      : { code: 'COMMAND_FAILED' as const, message: `The card reader reported error 0x${reply.error.toString(16).toUpperCase()}.` });
  return new CcidError(meaning.code, meaning.message, { detail });
}

export function isTimeExtension(reply: CcidReply): boolean {
  return commandStatusOf(reply.status) === COMMAND_STATUS.TIME_EXTENSION;
}
