/**
 * Reading a card, in the order a Sinopec dispenser does it (docs/card-protocol.md §1.1, S2
 * ICCardInProc.c): SELECT LOYALTY (optional), SELECT SINOPEC, READ BINARY EF15/16/1B/1C, VERIFY PIN
 * (the default PIN 9999 when EF1B says so, else the PIN given, else none), EF18 records newest
 * first, GET LOCK PROOF, GET BALANCE. Without a PIN the card may refuse records and balance (6982):
 * those come back null.
 */
import { FUEL_CARD_ERROR, FuelCardError } from './errors.ts';
import { asnDetails, decodeEf15, decodeEf16, decodeEf1b, decodeEf1c, type Ef15, type Ef16, type Ef1b, type Ef1c } from './files.ts';
import { decodeTransactionRecord, type GreyState, type LockProof, type TransactionRecord } from './messages.ts';
import { getBalance, getLockProof, readBinary, readRecord, selectByName, verifyPin } from './card.ts';
import { AID, DEFAULT_PIN, FILE_BYTES, LOG_RECORDS_MAX, PURSE, SFI } from './spec.ts';
import type { Transmit } from './transport.ts';

export type LoyaltyState = 'PRESENT' | 'BLOCKED' | 'ABSENT';

export type CardReading = {
  loyalty: LoyaltyState | null;
  ef15: Ef15;
  card: ReturnType<typeof asnDetails>;
  ef16: Ef16;
  ef1b: Ef1b;
  ef1c: Ef1c;
  pinVerified: boolean;
  /** Newest first; null when the card wants a PIN first. */
  records: TransactionRecord[] | null;
  lockProof: LockProof | null;
  greyState: GreyState;
  balanceFen: number | null;
};

export type ReadOptions = { pin?: string; recordsMax?: number; selectLoyalty?: boolean };

async function selectLoyalty(transmit: Transmit): Promise<LoyaltyState> {
  try {
    await selectByName(transmit, AID.LOYALTY);
    return 'PRESENT';
  } catch (error) {
    if (!(error instanceof FuelCardError)) throw error;
    if (error.code === FUEL_CARD_ERROR.FILE_NOT_FOUND) return 'ABSENT';
    if (error.code === FUEL_CARD_ERROR.APP_BLOCKED || error.code === FUEL_CARD_ERROR.APP_LOCKED_PERMANENTLY) return 'BLOCKED';
    throw error;
  }
}

/** Runs `step`, turning 6982 (PIN needed) into null. */
async function unlessPinNeeded<T>(step: () => Promise<T>): Promise<T | null> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof FuelCardError && error.code === FUEL_CARD_ERROR.SECURITY_NOT_SATISFIED) return null;
    throw error;
  }
}

/** EF18 records newest first, stopping at 6A83 or `recordsMax`. */
export async function readTransactionLog(transmit: Transmit, recordsMax = LOG_RECORDS_MAX): Promise<TransactionRecord[]> {
  const records: TransactionRecord[] = [];
  for (let record = 1; record <= recordsMax; record++) {
    try {
      records.push(decodeTransactionRecord(await readRecord(transmit, { sfi: SFI.EF18, record, length: FILE_BYTES.EF18_RECORD })));
    } catch (error) {
      if (error instanceof FuelCardError && error.code === FUEL_CARD_ERROR.RECORD_NOT_FOUND) break;
      throw error;
    }
  }
  return records;
}

/** Verifies the PIN the card needs: 9999 when EF1B[0] = 00, else `pin` when given. Returns whether one was verified. */
export async function verifyCardPin(transmit: Transmit, ef1b: Ef1b, pin: string | undefined): Promise<boolean> {
  const effective = ef1b.usesDefaultPin ? DEFAULT_PIN : pin;
  if (effective === undefined) return false;
  await verifyPin(transmit, effective);
  return true;
}

export async function readCard(transmit: Transmit, options: ReadOptions = {}): Promise<CardReading> {
  const loyalty = options.selectLoyalty === true ? await selectLoyalty(transmit) : null;
  await selectByName(transmit, AID.SINOPEC);
  const ef15 = decodeEf15(await readBinary(transmit, { sfi: SFI.EF15, length: FILE_BYTES.EF15 }));
  const ef16 = decodeEf16(await readBinary(transmit, { sfi: SFI.EF16, length: FILE_BYTES.EF16 }));
  const ef1b = decodeEf1b(await readBinary(transmit, { sfi: SFI.EF1B, length: FILE_BYTES.EF1B }));
  const ef1c = decodeEf1c(await readBinary(transmit, { sfi: SFI.EF1C, length: FILE_BYTES.EF1C }));
  const pinVerified = await verifyCardPin(transmit, ef1b, options.pin);
  const records = await unlessPinNeeded(() => readTransactionLog(transmit, options.recordsMax));
  const lockProof = await getLockProof(transmit);
  const balanceFen = await unlessPinNeeded(() => getBalance(transmit, PURSE.ED));
  return {
    loyalty,
    ef15,
    card: asnDetails(ef15.asn),
    ef16,
    ef1b,
    ef1c,
    pinVerified,
    records,
    lockProof,
    greyState: lockProof?.greyState ?? 'NORMAL',
    balanceFen,
  };
}
