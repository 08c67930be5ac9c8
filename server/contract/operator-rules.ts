/**
 * The rules of operator maintenance both sides know: the server enforces them
 * (server/admin/operators.ts), the centre's screen offers only units that fit a role. A file of its
 * own, imported by no endpoint, so the kiosk's start bundle (which carries the endpoint table) does
 * not carry it.
 */
import type { OperatorRole } from './auth.ts';
import type { OrgUnitKind } from './admin.ts';

/** Lowest first: a caller gives any role up to its own, never above (OPERATOR_ROLE_ABOVE_OWN). */
export const OPERATOR_ROLE_RANK: Record<OperatorRole, number> = {
  outlet_operator: 1,
  outlet_supervisor: 2,
  center_operator: 3,
  administrator: 4,
};

/** Where each role belongs (OPERATOR_ROLE_UNIT_INVALID): outlet staff at an outlet or station, the others at a centre's level. */
export const OPERATOR_UNIT_KINDS: Record<OperatorRole, readonly OrgUnitKind[]> = {
  outlet_operator: ['outlet', 'station'],
  outlet_supervisor: ['outlet', 'station'],
  center_operator: ['center', 'province', 'city', 'county'],
  administrator: ['center', 'province', 'city', 'county'],
};
