/**
 * A production-like server for a spec of its own: demo mode off (no demo seed, no enrolment code
 * handed out by GET /api/v1/info, no virtual reader in the app), set up as an installer would
 * (non-demo-seed.ts): the first administrator from `npm run admin`, the units and the kiosk from
 * the admin API, and the kiosk's one-time enrolment code issued through that API too.
 */
import { expect } from '@playwright/test';
import { LocalServer } from './local-server.ts';
import { prepareFirstAdministrator, setUpThroughApi, signInAsAdministrator, type NonDemoSeed } from './non-demo-seed.ts';

export const NON_DEMO: NonDemoSeed = {
  admin: { username: 'e2e.admin', password: 'e2e-admin-password-456' },
  device: { id: 'e2e-kiosk-1', terminalId: '330100000001' },
};

export async function startNonDemoServer(): Promise<LocalServer> {
  const server = await LocalServer.start({ demo: false, prepare: (dataDir) => prepareFirstAdministrator(dataDir, NON_DEMO) });
  try {
    await setUpThroughApi(server.url, NON_DEMO);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** What an administrator does for each kiosk: sign in, then issue its one-time code. */
export async function issueEnrolmentCode(baseUrl: string, deviceId = NON_DEMO.device.id): Promise<string> {
  const api = await signInAsAdministrator(baseUrl, NON_DEMO);
  const { enrolmentCode } = (await api.call('POST', '/api/v1/admin/devices/enrolment', { deviceId })) as { enrolmentCode: string };
  expect(enrolmentCode.length).toBeGreaterThanOrEqual(8);
  return enrolmentCode;
}
