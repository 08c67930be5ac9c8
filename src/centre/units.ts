/** What the centre's screens show of units and stock, from the stock query's answer (server/contract/stock.ts). */
import type { StockCardType, StockUnit, StockView } from '../../server/contract/stock.ts';
import type { Locale, MessageKey } from '../lib/i18n/index.ts';

export const CARD_TYPES: readonly StockCardType[] = ['user', 'manage', 'employee', 'test', 'maintenance'];

export function cardTypeKey(type: StockCardType): MessageKey {
  return `centre.card_type.${type}`;
}

export function unitName(unit: Pick<StockUnit, 'nameZh' | 'nameEn'>, locale: Locale): string {
  return locale === 'zh-CN' ? unit.nameZh : unit.nameEn;
}

/**
 * Units the caller may give cards to: one level below the unit it acts for (for an administrator,
 * below any unit shown that gives: province, city, county).
 */
export function receivingUnits(view: StockView): StockUnit[] {
  const giving = new Set(view.units.filter((u) => u.kind !== 'outlet').map((u) => u.unitId));
  return view.units.filter((u) =>
    u.parentId === null ? false : view.actingUnitId === null ? giving.has(u.parentId) : u.parentId === view.actingUnitId,
  );
}

export function unitById(view: StockView, id: string | null): StockUnit | undefined {
  return view.units.find((u) => u.unitId === id);
}

/** A card number as typed: the 20 digits of the ASN (docs/card-protocol.md §5.1). */
export const CARD_NO_PATTERN = '[0-9]{20}';
