/**
 * The shape of the organisation: which kind of unit may sit under which, and where devices go.
 * The database only knows that a province is the one kind without a parent; the rest is here, so
 * that the API and the command line refuse the same trees. docs/domain.md §2: management centres
 * at the province, city and county levels; card-issuing outlets and stations below a city or
 * county.
 */
import type { OrgUnitKind } from '../contract/index.ts';

/** Kinds a unit may have as its parent; null = no parent (the root). */
export const PARENT_KINDS: Readonly<Record<OrgUnitKind, readonly (OrgUnitKind | null)[]>> = {
  province: [null],
  city: ['province'],
  county: ['city'],
  center: ['province', 'city', 'county'],
  outlet: ['city', 'county'],
  // A station may belong to an outlet that looks after it, or directly to its city or county.
  station: ['city', 'county', 'outlet'],
};

/** Kiosks stand in stations and outlets; tablets are carried by outlet (and station) staff. */
export const DEVICE_UNIT_KINDS: readonly OrgUnitKind[] = ['outlet', 'station'];

export function parentAllowed(kind: OrgUnitKind, parentKind: OrgUnitKind | null): boolean {
  return PARENT_KINDS[kind].includes(parentKind);
}

export function deviceUnitAllowed(unitKind: OrgUnitKind): boolean {
  return DEVICE_UNIT_KINDS.includes(unitKind);
}
