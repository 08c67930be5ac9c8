/**
 * The message catalogue (docs/architecture.md decision 9): Chinese first, English second, flat
 * keys, typed, so a missing or misspelt key is a type error, and a test checks both catalogues
 * have the same keys. A message's `{name}` is replaced by the value of that name (numbers in the
 * locale's digits grouping); the catalogues use no ICU plurals or selects, so this module does the
 * lookup itself instead of shipping an ICU parser (svelte-i18n and intl-messageformat, about 14 KB
 * gzip of the kiosk's start bundle).
 *
 * An app that is a chunk of its own brings its own catalogues with it (the outlet tablet's
 * `staff.*` messages: staff.zh-CN.json, staff.en.json, added by src/staff/i18n.ts; the centre's
 * `centre.*` ones by src/centre/i18n.ts; the kiosk receipt's by src/kiosk/receipt-i18n.ts), so the kiosk's start bundle carries none of them; their
 * keys are typed here all the same.
 */
import { derived, get, writable, type Readable } from 'svelte/store';
import zhCN from './zh-CN.json';
import en from './en.json';
import type staffZhCN from './staff.zh-CN.json';
import type centreZhCN from './centre.zh-CN.json';
import type receiptZhCN from './receipt.zh-CN.json';

export type MessageKey = keyof typeof zhCN | keyof typeof staffZhCN | keyof typeof centreZhCN | keyof typeof receiptZhCN;
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Every message loaded so far: the shared and kiosk ones at once, an app chunk's when it loads (addCatalogues). */
export const catalogues: Record<Locale, Partial<Record<MessageKey, string>>> = { 'zh-CN': { ...zhCN }, en: { ...en } };

const current = writable<Locale>(DEFAULT_LOCALE);
/** Counts added catalogues, so `$t` is worked out again when one arrives. */
const added = writable(0);

/** An app chunk's own messages, in both languages, added to the catalogues. */
export function addCatalogues(extra: Record<Locale, Partial<Record<MessageKey, string>>>): void {
  for (const lang of LOCALES) Object.assign(catalogues[lang], extra[lang]);
  added.update((n) => n + 1);
}

/** The catalogues are bundled: the first paint (and the offline shell) has text at once. */
export function startI18n(initial: Locale = DEFAULT_LOCALE): void {
  setLocale(initial);
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The message for `key` in `lang` (the default catalogue's when missing there), its `{name}`s filled in. */
export function translate(lang: Locale, key: MessageKey, values?: Record<string, string | number>): string {
  const message = catalogues[lang][key] ?? catalogues[DEFAULT_LOCALE][key] ?? key;
  if (values === undefined) return message;
  return message.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numberFormat(lang).format(value) : value;
  });
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();

/**
 * One formatter per locale, made when a number is first formatted: the first Intl.NumberFormat
 * loads the locale's data (tens of milliseconds on a slow kiosk), so a message with only strings
 * in it (the start screen's reader name, the demo strip's PIN) makes none (docs/operations.md
 * "Performance").
 */
function numberFormat(lang: Locale): Intl.NumberFormat {
  let format = numberFormats.get(lang);
  if (format === undefined) {
    format = new Intl.NumberFormat(lang);
    numberFormats.set(lang, format);
  }
  return format;
}

/** `$t('kiosk.start.title')` in components. */
export const t: Readable<Translate> = derived(
  [current, added],
  ([lang]) =>
    (key: MessageKey, values?: Record<string, string | number>) =>
      translate(lang, key, values),
);

export const locale: Readable<Locale> = current;

export function setLocale(next: Locale): void {
  current.set(next);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

export function toggleLocale(): void {
  setLocale(get(locale) === 'zh-CN' ? 'en' : 'zh-CN');
}
