import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { setLocale, t, translate } from './index.ts';

describe('translate', () => {
  it('fills in named values, strings as given and numbers in the locale', () => {
    expect(translate('en', 'kiosk.notice.recovered_completed', { amount: '¥12.00' })).toBe(
      'Your interrupted load of ¥12.00 is confirmed on the card',
    );
    expect(translate('en', 'kiosk.pin.wrong_old', { triesLeft: 2 })).toContain('2');
  });

  it('leaves a placeholder whose value is missing as it is, and a message without values untouched', () => {
    expect(translate('en', 'kiosk.notice.recovered_completed', {})).toContain('{amount}');
    expect(translate('zh-CN', 'kiosk.notice.recovered_completed')).toContain('{amount}');
  });

  it('follows the locale store', () => {
    setLocale('en');
    const english = get(t)('kiosk.notice.recovered_completed', { amount: '¥1.00' });
    setLocale('zh-CN');
    const chinese = get(t)('kiosk.notice.recovered_completed', { amount: '¥1.00' });
    expect(english).not.toBe(chinese);
    expect(chinese).toContain('¥1.00');
  });
});
