/**
 * GET /api/v1/info (public): what the app needs to know about the server before it is enrolled.
 * In demo mode only, the demo kiosk's enrolment code is given out, so the demo starts by itself;
 * demo data uses TEST keys and no real money (server/demo/seed.ts).
 */
import { z } from 'zod';
import { DeviceId } from './common.ts';

export const ServerInfo = z.object({
  demo: z.boolean(),
  contractVersion: z.number().int().min(0),
  demoDevice: z.object({ deviceId: DeviceId, enrolmentCode: z.string() }).nullable(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;
