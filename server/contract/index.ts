/**
 * The wire contract between the app (src/) and the server: zod schemas of every request and
 * response, and the types derived from them. The only part of server/ that src/ imports.
 * CONTRACT_VERSION and its history: version.ts.
 */
export * from './version.ts';
export * from './health.ts';
export * from './errors.ts';
export * from './common.ts';
export * from './auth.ts';
export * from './loads.ts';
export * from './cards.ts';
export * from './customer-rules.ts';
export * from './customers.ts';
export * from './shifts.ts';
export * from './issue.ts';
export * from './anonymous.ts';
export * from './maker.ts';
export * from './sync.ts';
export * from './admin.ts';
export * from './approvals.ts';
export * from './stock.ts';
export * from './info.ts';
export * from './station.ts';
export * from './endpoints.ts';
export * from './endpoint-docs.ts';
export * from './device-auth.ts';
export * from './openapi.ts';
export * from './station-cards.ts';
export * from './calendar.ts';
export * from './loss-reports.ts';
export * from './operators.ts';
export * from './audit.ts';
export * from './operator-rules.ts';
