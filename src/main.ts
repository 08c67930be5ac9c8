/**
 * Entry point: zod's configuration and the catalogue first (so the first paint has text), then the
 * app, then the Chinese web font, then the worker. The font's style sheet (~60 KB gzip of
 * unicode-ranges, docs/operations.md) is imported lazily: it blocks neither the first paint nor
 * the start bundle, and the text it reaches swaps in (font-display: swap) from the precache.
 */
import './lib/zod-jitless.ts';
import { mount } from 'svelte';
import './app.css';
import { startI18n } from './lib/i18n/index.ts';
import { registerServiceWorker } from './lib/sw/register.ts';
import App from './App.svelte';

startI18n();
const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');
mount(App, { target });
void import('./lib/ui/noto-sans-sc.css');
registerServiceWorker();
