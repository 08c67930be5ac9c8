/**
 * Operator maintenance 操作员维护 (server/admin/operators.ts): a centre or the administrator lists
 * the operators of its part of the organisation, changes their role and unit, disables and enables
 * them, resets their password and lifts a sign-in lockout. Operators are never deleted: the audit
 * log keeps who changed what.
 */
import { z } from 'zod';
import { EntityId } from './common.ts';
import { OperatorPassword, OperatorRole } from './auth.ts';

export const OperatorState = z.enum(['active', 'disabled']);
export type OperatorState = z.infer<typeof OperatorState>;

export const OperatorView = z.object({
  operatorId: EntityId,
  username: z.string(),
  displayName: z.string(),
  role: OperatorRole,
  orgUnitId: EntityId,
  orgUnitNameZh: z.string(),
  orgUnitNameEn: z.string(),
  state: OperatorState,
  /** The sign-in throttle holds this user name back now, from some address or from all (server/auth/throttle.ts). */
  locked: z.boolean(),
  /** The caller, marked on the screen: their own role, unit and state are not theirs to change (OPERATOR_SELF_CHANGE). */
  self: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type OperatorView = z.infer<typeof OperatorView>;

/** One page of operators, by user name; `search` matches the user name or the name (case-insensitive, part of either). */
export const OperatorListQuery = z.strictObject({
  search: z.string().trim().max(64).optional(),
  page: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/)
    .optional(),
});
export type OperatorListQuery = z.infer<typeof OperatorListQuery>;
export const OperatorList = z.object({
  operators: z.array(OperatorView),
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
  total: z.number().int().min(0),
});
export type OperatorList = z.infer<typeof OperatorList>;

export const UpdateOperatorRequest = z.strictObject({
  operatorId: EntityId,
  displayName: z.string().trim().min(1).max(100),
  role: OperatorRole,
  orgUnitId: EntityId,
});
export type UpdateOperatorRequest = z.infer<typeof UpdateOperatorRequest>;

/** Disabling ends the operator's sessions at once; enabling lets them sign in again. */
export const SetOperatorStateRequest = z.strictObject({ operatorId: EntityId, state: OperatorState });
export type SetOperatorStateRequest = z.infer<typeof SetOperatorStateRequest>;

/** A new password for someone who forgot theirs; left out, the server makes one up and answers it once. */
export const ResetOperatorPasswordRequest = z.strictObject({ operatorId: EntityId, password: OperatorPassword.optional() });
export type ResetOperatorPasswordRequest = z.infer<typeof ResetOperatorPasswordRequest>;
export const ResetOperatorPasswordResponse = z.object({ operator: OperatorView, password: z.string().optional() });
export type ResetOperatorPasswordResponse = z.infer<typeof ResetOperatorPasswordResponse>;

export const OperatorRequest = z.strictObject({ operatorId: EntityId });
export type OperatorRequest = z.infer<typeof OperatorRequest>;
