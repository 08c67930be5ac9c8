/**
 * Times the card and the server stamp on a transaction (the MAC2's date YYYYMMDD and time hhmmss)
 * are China Standard Time (Asia/Shanghai, UTC+8, no daylight saving), the time every station and
 * outlet keeps: as an ISO 8601 instant with its +08:00 offset, for receipts and logs.
 */
const CARD_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const CARD_TIME = /^(\d{2})(\d{2})(\d{2})$/;

export function cardTimeIso(date: string, time: string): string {
  const d = CARD_DATE.exec(date);
  const t = CARD_TIME.exec(time);
  if (!d || !t) throw new Error(`assertion failed: a card date and time are YYYYMMDD and hhmmss, not ${date} ${time}`);
  return `${d[1]}-${d[2]}-${d[3]}T${t[1]}:${t[2]}:${t[3]}+08:00`;
}
