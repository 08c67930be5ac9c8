/**
 * Every cap and deadline of the CCID reader driver, in one place (docs/architecture.md §5: a named
 * limit on everything, the unit last; docs/card-protocol.md §8.4). WebUSB has no transfer timeout
 * and no per-transfer cancel, so every wait in ccid/usb races one of these deadlines, and every
 * loop over device input counts against one of these caps. Tests shrink the deadlines through
 * `ReaderOptions.limits`.
 */

export type CcidLimits = {
  /** Deadline for one RDR_to_PC reply after its command went out (libccid's default read timeout). */
  readTimeoutMs: number;
  /** Deadline for control transfers, open, claim and the bulk-out write of one message. */
  controlTimeoutMs: number;
  /** Deadline for the reply to PC_to_RDR_Abort after the class ABORT request. */
  abortTimeoutMs: number;
  /** Time extensions (bmCommandStatus = 2) accepted for one command before giving up. */
  timeExtensionCountMax: number;
  /** Longest total wait for one command, time extensions included (a 13-minute wait froze pcscd, CCID#155). */
  timeExtensionTotalMsMax: number;
  /** Largest multiplier honoured from one time extension's bError (or one T=1 WTX). */
  timeExtensionMultiplierMax: number;
  /** Replies with a foreign bSeq dropped within one exchange before the reader is declared out of step (libccid: 10). */
  staleFrameCountMax: number;
  /** Replies drained after an abort while looking for the abort's own answer (a reader may have queued many). */
  abortDrainFrameCountMax: number;
  /** Largest CCID message accepted in either direction, header included, whatever the descriptor says. */
  messageBytesMax: number;
  /** Bulk-in transfers used to reassemble one message before giving up. */
  bulkInTransferCountMax: number;
  /** XfrBlock messages in one extended-APDU chain, each direction. */
  apduChainBlockCountMax: number;
  /** GET RESPONSE / resend rounds at the short-APDU level for one command APDU. */
  getResponseCountMax: number;
  /** Retries of a command answered with CMD_SLOT_BUSY or BUSY_WITH_AUTO_SEQUENCE. */
  slotBusyRetryCountMax: number;
  /** Pause between those retries. */
  slotBusyRetryDelayMs: number;
  /** Largest raw configuration descriptor read by GET_DESCRIPTOR. */
  configDescriptorBytesMax: number;
  /** Bytes requested per interrupt-in transfer (NotifySlotChange is 2 bytes for one slot, HardwareError 4). */
  interruptTransferBytes: number;
  /** Consecutive interrupt-in failures tolerated before slot polling stops. */
  interruptErrorCountMax: number;
  /** GetSlotStatus polling period for readers without an interrupt endpoint. */
  slotPollIntervalMs: number;
  /** Exchanges waiting for the reader before new ones are refused (one runs at a time). */
  exchangeQueueLengthMax: number;
};

export const CCID_LIMITS: Readonly<CcidLimits> = Object.freeze({
  readTimeoutMs: 3_000,
  controlTimeoutMs: 5_000,
  abortTimeoutMs: 1_000,
  timeExtensionCountMax: 64,
  timeExtensionTotalMsMax: 120_000,
  timeExtensionMultiplierMax: 32,
  staleFrameCountMax: 10,
  abortDrainFrameCountMax: 100,
  messageBytesMax: 10 + 65_544,
  bulkInTransferCountMax: 1_100,
  apduChainBlockCountMax: 300,
  getResponseCountMax: 64,
  slotBusyRetryCountMax: 5,
  slotBusyRetryDelayMs: 50,
  configDescriptorBytesMax: 4_096,
  interruptTransferBytes: 64,
  interruptErrorCountMax: 5,
  slotPollIntervalMs: 500,
  exchangeQueueLengthMax: 64,
});

export function resolveLimits(overrides: Partial<CcidLimits> | undefined): CcidLimits {
  return { ...CCID_LIMITS, ...overrides };
}
