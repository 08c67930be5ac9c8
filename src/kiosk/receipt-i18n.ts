/**
 * The kiosk receipt's messages (`kiosk.receipt.*`), loaded with the receipt screen's chunk rather
 * than with the kiosk's start bundle (src/lib/i18n/index.ts addCatalogues). Imported first by
 * ReceiptScreen.svelte.
 */
import { addCatalogues } from '../lib/i18n/index.ts';
import zhCN from '../lib/i18n/receipt.zh-CN.json';
import en from '../lib/i18n/receipt.en.json';

addCatalogues({ 'zh-CN': zhCN, en });
