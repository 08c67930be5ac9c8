/**
 * The outlet tablet's messages (`staff.*`), loaded with the tablet's chunk rather than with the
 * kiosk's start bundle (src/lib/i18n/index.ts addCatalogues). Imported first by the tablet's app.
 */
import { addCatalogues } from '../lib/i18n/index.ts';
import zhCN from '../lib/i18n/staff.zh-CN.json';
import en from '../lib/i18n/staff.en.json';

addCatalogues({ 'zh-CN': zhCN, en });
