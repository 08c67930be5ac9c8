/**
 * Grey cards (灰卡, docs/card-protocol.md §1.3, §5.2). A card pulled between GREY LOCK and DEBIT FOR
 * UNLOCK stays grey: the lock proof reads flag 01. Two ways out:
 * - online forced unlock (联机解扣, type 95): INITIALIZE FOR GREY UNLOCK gives MAC1, the host answers
 *   MAC2 for the amount owed (0 for a forced unlock), GREY UNLOCK gives MAC3;
 * - the pump's way, with the station's grey record: DEBIT FOR UNLOCK with the original values.
 * Either may leave TACUF set (flag 10): the TAC is in the lock proof, and CLEAR LOCK PROOF ends it.
 */
import { TRANS_TYPE } from '../crypto/index.ts';
import { clearLockProof, debitForUnlock, getLockProof, greyUnlock, initializeForGreyUnlock } from './card.ts';
import type { LockProof } from './messages.ts';
import type { Transmit } from './transport.ts';

export type GreyUnlockRequest = {
  transType: number;
  terminalId: string;
  balanceFen: number;
  offlineTtc: number;
  onlineTtc: number;
  keyVersion: number;
  algId: number;
  random: string;
  mac1: string;
  lockProof: LockProof | null;
};
export type GreyUnlockHost = (request: GreyUnlockRequest) => Promise<{ amountFen: number; mac2: string; date: string; time: string }>;

export type GreyUnlockResult = GreyUnlockRequest & { amountFen: number; date: string; time: string; mac3: string; tacCleared: boolean };

/** Reads the lock proof; when TACUF is set (flag 10) clears it and says so. */
export async function clearIfTacUnread(transmit: Transmit): Promise<{ proof: LockProof | null; cleared: boolean }> {
  const proof = await getLockProof(transmit);
  if (proof?.greyState !== 'TAC_UNREAD') return { proof, cleared: false };
  await clearLockProof(transmit);
  return { proof, cleared: true };
}

/** Online grey unlock, type 95. The host sees the lock proof to decide the amount owed. */
export async function onlineGreyUnlock(
  transmit: Transmit,
  f: { terminalId: string; host: GreyUnlockHost; keyIndex?: number },
): Promise<GreyUnlockResult> {
  const lockProof = await getLockProof(transmit);
  const init = await initializeForGreyUnlock(transmit, { keyIndex: f.keyIndex ?? 1, terminalId: f.terminalId });
  const request: GreyUnlockRequest = { transType: TRANS_TYPE.ONLINE_UNLOCK, terminalId: f.terminalId, ...init, lockProof };
  const auth = await f.host(request);
  const { mac3 } = await greyUnlock(transmit, auth);
  const { cleared } = await clearIfTacUnread(transmit);
  return { ...request, amountFen: auth.amountFen, date: auth.date, time: auth.time, mac3, tacCleared: cleared };
}

/** The station's grey record (docs/card-protocol.md §5.2): what the locking pump kept. */
export type GreyRecord = { amountFen: number; gmac: string; terminalId: string; terminalTtc: number; date: string; time: string };

/** Offline unlock with a grey record: DEBIT FOR UNLOCK with the lock's CTC, then clear TACUF. Returns the TAC. */
export async function unlockWithGreyRecord(transmit: Transmit, f: { record: GreyRecord; offlineTtc: number }): Promise<{ tac: string }> {
  const { tac } = await debitForUnlock(transmit, { ...f.record, offlineTtc: f.offlineTtc });
  await clearIfTacUnread(transmit);
  return { tac };
}
