import { describe, expect, it } from 'vitest';
import { SW, describeSw, isSuccess } from './sw.ts';

describe('status-word catalogue', () => {
  it('names the ISO words with the spec wording', () => {
    expect(SW.SECURITY_STATUS_NOT_SATISFIED).toBe(0x6982);
    expect(describeSw(0x6a82)).toMatchObject({
      hex: '6A82',
      category: 'error',
      en: 'File or application not found',
      zh: '未找到文件或应用',
    });
    expect(describeSw(0x9000).category).toBe('success');
  });

  it('describes the PBOC fuel-card words', () => {
    expect(describeSw(SW.INSUFFICIENT_BALANCE).zh).toBe('余额不足');
    expect(describeSw(0x9302).en).toBe('MAC invalid');
    expect(describeSw(0x9406).en).toMatch(/transaction counter/);
    expect(describeSw(0x9408).zh).toBe('钱包已灰锁');
    expect(describeSw(0x6983).en).toMatch(/PIN blocked/);
  });

  it('reads tries left from 63Cx, and 63C0 as blocked', () => {
    expect(describeSw(0x63c2)).toMatchObject({ triesLeft: 2, category: 'warning', zh: 'PIN 错误，还可尝试 2 次' });
    expect(describeSw(0x63c0)).toMatchObject({ triesLeft: 0, category: 'error' });
  });

  it('reads the lengths of 61xx and 6Cxx', () => {
    expect(describeSw(0x6110)).toMatchObject({ length: 16, category: 'success' });
    expect(describeSw(0x6100).length).toBe(256);
    expect(describeSw(0x6c1e)).toMatchObject({ length: 30, category: 'error' });
    expect(isSuccess(0x6110)).toBe(true);
    expect(isSuccess(0x6a82)).toBe(false);
  });

  it('gives a generic text for unknown and out-of-range words instead of throwing', () => {
    expect(describeSw(0x1234).en).toBe('Unknown status 1234');
    expect(describeSw(0x6299).category).toBe('warning');
    expect(describeSw(-5).hex).toBe('0000');
  });

  it('has an English and a Chinese text for every named word', () => {
    for (const value of Object.values(SW)) {
      const d = describeSw(value);
      expect(d.en, d.hex).not.toMatch(/^Unknown/);
      expect(d.zh.length, d.hex).toBeGreaterThan(0);
    }
  });
});
