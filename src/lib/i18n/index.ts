/**
 * The message catalogue (docs/architecture.md decision 9): Chinese first, English second, flat
 * keys. svelte-i18n does the lookup, interpolation and ICU plurals; this module adds typed keys, so
 * a missing or misspelt key is a type error, and a test checks both catalogues have the same keys.
 */
import { derived, get, type Readable } from 'svelte/store';
import { addMessages, init, locale as i18nLocale, _ } from 'svelte-i18n';
import zhCN from './zh-CN.json';
import en from './en.json';

export type MessageKey = keyof typeof zhCN;
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const catalogues: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

let started = false;

/** Loads both catalogues synchronously so the first paint (and the offline shell) has text. */
export function startI18n(initial: Locale = DEFAULT_LOCALE): void {
  if (started) return;
  started = true;
  addMessages('zh-CN', zhCN);
  addMessages('en', en);
  init({ fallbackLocale: DEFAULT_LOCALE, initialLocale: initial });
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** `$t('kiosk.start.title')` in components. */
export const t: Readable<Translate> = derived(_, (format) => (key: MessageKey, values?: Record<string, string | number>) =>
  format(key, values === undefined ? undefined : { values }),
);

export const locale: Readable<Locale> = derived(i18nLocale, (value) => (value === 'en' ? 'en' : 'zh-CN'));

export function setLocale(next: Locale): void {
  i18nLocale.set(next);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

export function toggleLocale(): void {
  setLocale(get(locale) === 'zh-CN' ? 'en' : 'zh-CN');
}
