/** A message for the person at the screen: a catalogue key, its values, and how it is announced. */
import type { MessageKey } from '../i18n/index.ts';

export type Notice = { key: MessageKey; values?: Record<string, string | number>; tone: 'info' | 'success' | 'warning' | 'error' };
