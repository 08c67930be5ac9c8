import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCatalogues, catalogues } from './index.ts';
import staffZhCN from './staff.zh-CN.json';
import staffEn from './staff.en.json';
import centreZhCN from './centre.zh-CN.json';
import centreEn from './centre.en.json';
import receiptZhCN from './receipt.zh-CN.json';
import receiptEn from './receipt.en.json';

// The tablet's, the centre's and the kiosk receipt's own messages, as their chunks add them (src/staff/i18n.ts, src/centre/i18n.ts, src/kiosk/receipt-i18n.ts).
addCatalogues({ 'zh-CN': staffZhCN, en: staffEn });
addCatalogues({ 'zh-CN': centreZhCN, en: centreEn });
addCatalogues({ 'zh-CN': receiptZhCN, en: receiptEn });

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the message catalogue', () => {
  it('has the same keys in Chinese and English', () => {
    expect(Object.keys(catalogues.en).sort()).toEqual(Object.keys(catalogues['zh-CN']).sort());
  });

  it('has no empty message in either language', () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const [key, text] of Object.entries(catalogue)) expect(text.trim(), key).not.toBe('');
    }
  });

  it('writes Chinese as customers read it: 账户 (not 帐户) and full-width brackets', () => {
    for (const [key, text] of Object.entries(catalogues['zh-CN'])) {
      expect(text, key).not.toContain('帐户');
      expect(text, key).not.toMatch(/[()]/);
    }
  });

  it('uses flat dotted keys in lower case', () => {
    for (const key of Object.keys(catalogues['zh-CN'])) expect(key).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/);
  });

  it('contains every key the app uses with $t', () => {
    const used = new Set<string>();
    for (const file of sourceFiles('src')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\$t\(\s*'([^']+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(0);
    for (const key of used) expect(Object.keys(catalogues['zh-CN']), key).toContain(key);
  });
});
