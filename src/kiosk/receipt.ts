/**
 * What a kiosk's receipt holds of the customer (docs/operations.md "Receipts"): a slip left in the
 * tray or thrown away at the pump names nobody in full. The holder's name keeps its first and last
 * character (张*三, 两字 张*, 欧**华); a name in Latin letters keeps its first letter and its word
 * lengths (Z**** W**); the card number keeps its first and last four digits, grouped by four as
 * it is printed on the card. Masked here, where the receipt is made, so the screen state never
 * holds the full name.
 */
import type { StationInfo } from '../../server/contract/station.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import type { DeviceDatabase } from '../lib/device-db/database.ts';

const MASK = '*';
/** Digits of the card number shown at each end. */
const CARD_NO_SHOWN_DIGITS = 4;
/** The device setting that holds the last station details the server gave, for receipts printed offline. */
export const STATION_SETTING_KEY = 'kiosk.station';

/** Whether a name is written in Latin letters (with spaces, dots, hyphens, apostrophes), not in characters. */
function isLatinName(name: string): boolean {
  return /^[A-Za-z][A-Za-z .'·-]*$/.test(name);
}

/** 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜; Zhang Wei → Z**** ***; "" → "" (an anonymous card). */
export function maskHolderName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return '';
  if (isLatinName(trimmed)) return trimmed[0] + trimmed.slice(1).replace(/[A-Za-z]/g, MASK);
  const chars = Array.from(trimmed);
  if (chars.length === 1) return chars[0]!;
  if (chars.length === 2) return chars[0]! + MASK;
  return chars[0]! + MASK.repeat(chars.length - 2) + chars[chars.length - 1]!;
}

/** 1000320100000000017 → "1000 **** **** ***0 017": first and last four digits, grouped by four. */
export function maskCardNo(cardNo: string): string {
  if (!/^\d+$/.test(cardNo)) throw new Error(`assertion failed: a card number is digits, not ${cardNo}`);
  const hidden = Math.max(0, cardNo.length - 2 * CARD_NO_SHOWN_DIGITS);
  const masked = cardNo.slice(0, CARD_NO_SHOWN_DIGITS) + MASK.repeat(hidden) + cardNo.slice(CARD_NO_SHOWN_DIGITS + hidden);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Where the server says which station this device is at; throws BackendError when it cannot be reached. */
export type StationPort = { station(): Promise<StationInfo> };

/**
 * The station details for a receipt: the server's, kept in the device's settings; when the server
 * cannot be reached, the last ones kept; null when there are none (the receipt leaves them out).
 */
export async function stationForReceipt(port: StationPort, db: DeviceDatabase): Promise<StationInfo | null> {
  try {
    const station = await port.station();
    await db.settings.put({ key: STATION_SETTING_KEY, value: station });
    return station;
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    const kept = (await db.settings.get(STATION_SETTING_KEY))?.value as StationInfo | undefined;
    return kept ?? null;
  }
}
