/**
 * GET /api/v1/info (public): what the app needs to know about the server before it is enrolled.
 * In demo mode, POST /api/v1/demo/kiosks (public, limited per address) makes a demo kiosk for the
 * browser that asks: its device id and one-time enrolment code, and the serial base its demo
 * cards are numbered from, so the browser's virtual reader holds the very cards the server made
 * for that kiosk (server/demo/kiosks.ts). POST /api/v1/demo/tablets does the same for an outlet
 * tablet (the staff app at /staff). Demo data uses TEST keys and no real money.
 */
import { z } from 'zod';
import { DeviceId } from './common.ts';
import { ContractVersion } from './version.ts';

export const ServerInfo = z.object({
  demo: z.boolean(),
  contractVersion: ContractVersion,
});
export type ServerInfo = z.infer<typeof ServerInfo>;

export const CreateDemoKioskRequest = z.strictObject({});
/** POST /api/v1/demo/tablets: the same for an outlet tablet of the demo outlet (answered as a DemoKiosk). */
export const CreateDemoTabletRequest = z.strictObject({});

export const DemoKiosk = z.object({
  deviceId: DeviceId,
  enrolmentCode: z.string().min(8),
  /** The demo cards' serials are this plus their place in the set (ccid/sim/demo-cards.ts). */
  cardSerialBase: z.number().int().min(0).max(999_999_990),
});
export type DemoKiosk = z.infer<typeof DemoKiosk>;
