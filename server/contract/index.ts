/**
 * The wire contract between the app (src/) and the server: zod schemas of every request and
 * response, and the types derived from them. The only part of server/ that src/ imports.
 * CONTRACT_VERSION changes whenever a shape changes (2: auth, loads, sync, cards, admin, OpenAPI;
 * 3: GET /api/v1/info, the terminal id in the enrolment answer; 4: GET /api/v1/cards/:cardNo/history,
 * purseLimitFen in CardSummary, the unload.complete push operation; 6: organisation units and
 * device registration and disabling under /api/v1/admin; 7: probeChallenge in LoadView, the
 * challenge a recovery probe must carry to void, card alarms under /api/v1/admin, supervisor
 * approvals and the approval id of a large cash receipt; devices sign every request
 * (device-auth.ts: `Authorization: Device-HMAC-SHA256 …` replaces `Device id:secret`) and
 * ApiErrorBody carries serverTime with DEVICE_CLOCK_SKEW; POST /api/v1/demo/kiosks gives each
 * demo browser a kiosk and cards of its own, and ServerInfo no longer carries demoDevice; the
 * catalogue's codes are the enum ErrorCode in ApiErrorBody and PushResult).
 */
export const CONTRACT_VERSION = 7;
export * from './health.ts';
export * from './errors.ts';
export * from './common.ts';
export * from './auth.ts';
export * from './loads.ts';
export * from './cards.ts';
export * from './sync.ts';
export * from './admin.ts';
export * from './approvals.ts';
export * from './info.ts';
export * from './endpoints.ts';
export * from './device-auth.ts';
export * from './openapi.ts';
