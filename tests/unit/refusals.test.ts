/**
 * Every code the server's catalogue can refuse a load with (server/contract/errors.ts ErrorCode),
 * and every code the app makes itself (src/lib/net/backend-error.ts), walked through the kiosk's
 * refusal notice (src/kiosk/refusals.ts): each one must land on a message both catalogues hold,
 * and the text the customer reads, in either language and with the notice's values filled in,
 * must not show the raw code (docs/architecture.md §5: a customer never sees a raw message or code).
 */
import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../server/contract/errors.ts';
import { CLIENT_ERROR_CODES, type ClientErrorCode } from '../../src/lib/net/backend-error.ts';
import { catalogues, LOCALES, setLocale, startI18n, t } from '../../src/lib/i18n/index.ts';
import { loadRefusalNotice, REFUSAL_KEYS } from '../../src/kiosk/refusals.ts';

const EVERY_CODE: readonly ClientErrorCode[] = [...ERROR_CODES, ...CLIENT_ERROR_CODES, 'HTTP_502', 'HTTP_404'];

describe("the kiosk's load refusals", () => {
  beforeAll(() => startI18n('en'));

  it('cover the whole catalogue of the contract', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(50);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it.each(EVERY_CODE)('%s gives a notice whose message both catalogues hold', (code) => {
    const notice = loadRefusalNotice(code);
    expect(Object.keys(catalogues.en)).toContain(notice.key);
    expect(Object.keys(catalogues['zh-CN'])).toContain(notice.key);
  });

  it.each(EVERY_CODE)('%s is never shown to the customer as it is', (code) => {
    const notice = loadRefusalNotice(code);
    for (const locale of LOCALES) {
      setLocale(locale);
      const text = get(t)(notice.key, notice.values);
      expect(text, `${locale}: ${notice.key}`).not.toBe(notice.key);
      expect(text, `${locale}: ${notice.key}`).not.toContain(code);
      expect(text, `${locale}: ${notice.key}`).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
    }
  });

  it('tell the customer what to do about the refusals they can act on, and only name codes of the contract', () => {
    expect(loadRefusalNotice('INSUFFICIENT_FUNDS').key).toBe('kiosk.load.refused_funds');
    expect(loadRefusalNotice('NETWORK')).toEqual({ key: 'kiosk.notice.load_needs_network', tone: 'warning' });
    expect(loadRefusalNotice('MAC1_INVALID').key).toBe('kiosk.load.refused_other');
    for (const code of Object.keys(REFUSAL_KEYS)) expect(EVERY_CODE).toContain(code);
  });
});
