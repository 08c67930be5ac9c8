/**
 * Sign-in of operators, enrolment of devices, and the administrator's calls that set them up.
 * Devices sign every request with the secret enrolment gave them (device-auth.ts); operators send
 * `Authorization: Bearer <token>`.
 */
import { z } from 'zod';
import { DeviceId, EntityId, Role } from './common.ts';
import { OperationKey } from './maker.ts';

export const LoginRequest = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({
  token: z.string().min(32),
  expiresAt: z.iso.datetime(),
  role: Role,
  orgUnitId: EntityId,
  /** The operator's unit by name, for the tablet's status bar (who is signed in, where). */
  orgUnitName: z.object({ zh: z.string(), en: z.string() }),
  displayName: z.string(),
  /** A session bound to a tablet: its public id and the key its queued operations are signed with (maker.ts). */
  sessionId: z.uuid().optional(),
  operationKey: OperationKey.optional(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const LogoutRequest = z.strictObject({});
export const LogoutResponse = z.object({ signedOut: z.literal(true) });

export const EnrolRequest = z.strictObject({
  deviceId: DeviceId,
  enrolmentCode: z.string().min(8).max(64),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/** The terminal id is the 6-byte number the card puts in its MACs; the device needs it for every load. */
export const EnrolResponse = z.object({ deviceId: DeviceId, secret: z.string().min(32), terminalId: z.string().regex(/^[0-9A-F]{12}$/) });
export type EnrolResponse = z.infer<typeof EnrolResponse>;

export const IssueEnrolmentRequest = z.strictObject({ deviceId: DeviceId });
export const IssueEnrolmentResponse = z.object({ deviceId: DeviceId, enrolmentCode: z.string(), expiresAt: z.iso.datetime() });

/** The roles a person signs in with, lowest first: nobody gives a role above their own (server/admin/operators.ts). */
export const OperatorRole = z.enum(['outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator']);
export type OperatorRole = z.infer<typeof OperatorRole>;
export const OperatorPassword = z.string().min(10).max(200);

export const CreateOperatorRequest = z.strictObject({
  username: z.string().regex(/^[a-z0-9._-]{3,32}$/),
  displayName: z.string().trim().min(1).max(100),
  orgUnitId: EntityId,
  role: OperatorRole,
  /** Left out: the server makes one up and answers it once, as `password`. */
  password: OperatorPassword.optional(),
});
export type CreateOperatorRequest = z.infer<typeof CreateOperatorRequest>;
/** `password` only when the server made it up: shown once, stored nowhere but as a hash. */
export const CreateOperatorResponse = z.object({ operatorId: EntityId, password: z.string().optional() });
