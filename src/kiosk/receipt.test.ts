import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase } from '../lib/device-db/database.ts';
import { BackendError } from '../lib/net/backend-error.ts';
import { maskCardNo, maskHolderName, stationForReceipt, STATION_SETTING_KEY } from './receipt.ts';
import { receiptPaperWidth } from './paper.ts';
import type { StationInfo } from '../../server/contract/station.ts';

const STATION: StationInfo = {
  code: '3201S01',
  nameZh: '演示加油站',
  nameEn: 'Demo Station',
  addressZh: '南京市玄武区中山东路188号',
  addressEn: '188 Zhongshan East Road, Xuanwu District, Nanjing',
  hotline: '95504',
};

describe('what a receipt shows of the customer', () => {
  it('masks a Chinese name as practice does: first and last character, one star for a two-character name', () => {
    expect(maskHolderName('张三丰')).toBe('张*丰');
    expect(maskHolderName('张三')).toBe('张*');
    expect(maskHolderName('欧阳娜娜')).toBe('欧**娜');
    expect(maskHolderName('演示物流有限公司')).toBe('演******司');
    expect(maskHolderName('张')).toBe('张');
    expect(maskHolderName('  李四  ')).toBe('李*');
  });

  it('keeps only the first letter of a name in Latin letters, and its word lengths', () => {
    expect(maskHolderName('Zhang Wei')).toBe('Z**** ***');
    expect(maskHolderName("O'Brien")).toBe("O'*****");
    expect(maskHolderName('Li')).toBe('L*');
  });

  it('prints no name for an anonymous card', () => {
    expect(maskHolderName('')).toBe('');
    expect(maskHolderName('   ')).toBe('');
  });

  it('shows the first and last four digits of the card number, grouped by four as on the card', () => {
    expect(maskCardNo('1000320100000000017')).toBe('1000 **** **** ***0 017');
    expect(maskCardNo('1234567890123456')).toBe('1234 **** **** 3456');
    expect(maskCardNo('12345678')).toBe('1234 5678');
    expect(maskCardNo('1000320100000000017').replace(/\D/g, '')).toBe('10000017');
    expect(() => maskCardNo('1000-3201')).toThrow(/assertion failed/);
  });
});

describe('the station a receipt names', () => {
  const port = (answer: () => Promise<StationInfo>) => ({ station: answer });

  it("keeps the server's answer, and prints the kept one when the server cannot be reached", async () => {
    const db = new DeviceDatabase(`receipt-${crypto.randomUUID()}`);
    expect(
      await stationForReceipt(
        port(async () => STATION),
        db,
      ),
    ).toEqual(STATION);
    expect((await db.settings.get(STATION_SETTING_KEY))?.value).toEqual(STATION);
    const offline = port(async () => {
      throw new BackendError('NETWORK', 'offline');
    });
    expect(await stationForReceipt(offline, db)).toEqual(STATION);
    await db.delete();
  });

  it('has nothing to print before it was ever told, and passes on what is not a network failure', async () => {
    const db = new DeviceDatabase(`receipt-${crypto.randomUUID()}`);
    const offline = port(async () => {
      throw new BackendError('NETWORK', 'offline');
    });
    expect(await stationForReceipt(offline, db)).toBeNull();
    await expect(
      stationForReceipt(
        port(async () => Promise.reject(new Error('bug'))),
        db,
      ),
    ).rejects.toThrow('bug');
    await db.delete();
  });
});

describe('the receipt printer’s paper', () => {
  const storage = () => {
    const kept = new Map<string, string>();
    return { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v) };
  };

  it('is 80 mm unless the kiosk was launched with ?paper=58, which it keeps for later starts', () => {
    const kept = storage();
    expect(receiptPaperWidth('', kept)).toBe(80);
    expect(receiptPaperWidth('?paper=58', kept)).toBe(58);
    expect(receiptPaperWidth('', kept)).toBe(58);
    expect(receiptPaperWidth('?paper=80', kept)).toBe(80);
    expect(receiptPaperWidth('', kept)).toBe(80);
  });

  it('ignores a width no roll printer has', () => {
    const kept = storage();
    expect(receiptPaperWidth('?paper=210', kept)).toBe(80);
    expect(receiptPaperWidth('?paper=5.8', kept)).toBe(80);
    expect(receiptPaperWidth('?paper=58', kept)).toBe(58);
    expect(receiptPaperWidth('?paper=abc', kept)).toBe(58);
    expect(receiptPaperWidth('', null)).toBe(80);
  });
});
