/**
 * The management centre's messages (`centre.*`), loaded with the centre's chunk rather than with the
 * kiosk's start bundle (src/lib/i18n/index.ts addCatalogues). Imported first by the centre's app.
 */
import { addCatalogues } from '../lib/i18n/index.ts';
import zhCN from '../lib/i18n/centre.zh-CN.json';
import en from '../lib/i18n/centre.en.json';

addCatalogues({ 'zh-CN': zhCN, en });
