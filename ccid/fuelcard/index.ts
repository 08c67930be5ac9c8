/**
 * The fuel-card application layer (docs/card-protocol.md §1, §3, §5): typed commands over
 * any `transmit`, pure codecs of the card's files and records, card-side flows (read, PIN, load,
 * unload, grey unlock, recovery, issuance), PSAM commands for a pump harness, and the trace decoder.
 * One error class, FuelCardError, with a `code` per status word and per local failure.
 */
export { FUEL_CARD_ERROR, FuelCardError, type FuelCardErrorCode } from './errors.ts';
export { SW, describeFuelSw, errorForSw } from './sw.ts';
export {
  AID,
  DEFAULT_PIN,
  FILE_BYTES,
  HEADER,
  KEY_TYPE,
  LOG_RECORDS_MAX,
  PURSE,
  SFI,
  SINOPEC_ADF_FID,
  type KeyKind,
  type Purse,
} from './spec.ts';
export { exchange, send, type Response, type Transmit } from './transport.ts';
export { apdu } from './commands.ts';
export * as commands from './commands.ts';
export { cardDateTime, decodeBcdDate, decodeBcdTime, encodeAsn, encodeBcdDate, encodeBcdTime, encodePin } from './bcd.ts';
export { decodeGbk, encodeGbk, gbkSource } from './gbk.ts';
export { decodeLayout, encodeLayout, type Layout, type LayoutValue } from './layout.ts';
export * from './files.ts';
export * as messages from './messages.ts';
export {
  GREY_STATUS,
  decodeLockProof,
  decodeTransactionRecord,
  encodeLockProof,
  encodeTransactionRecord,
  type GreyState,
  type LockProof,
  type TransactionRecord,
} from './messages.ts';
export * from './card.ts';
export * as psam from './psam.ts';
export { readCard, readTransactionLog, verifyCardPin, type CardReading, type LoyaltyState, type ReadOptions } from './read.ts';
export {
  beginOnline,
  finishOnline,
  load,
  probeOnline,
  recoverOnline,
  unload,
  type OnlineKind,
  type HostAuthorisation,
  type InitializeAnswer,
  type OnlineHost,
  type OnlineRequest,
  type OnlineResult,
  type ProbeResult,
  type RecoveryOutcome,
} from './load.ts';
export { reloadCardPin, unblockPin, type PinReloadHost, type PinUnblockHost } from './pin.ts';
export {
  clearIfTacUnread,
  onlineGreyUnlock,
  unlockWithGreyRecord,
  type GreyRecord,
  type GreyUnlockHost,
  type GreyUnlockRequest,
  type GreyUnlockResult,
} from './unlock.ts';
export { personalise, writeFileSecure, type CardKeys, type Personalisation } from './issue.ts';
export { decodeTrace, decodeExchange, type DecodedExchange } from './decode.ts';
export { commandName, fuelCardTraceRecorder, isSecretCommand } from './trace.ts';
