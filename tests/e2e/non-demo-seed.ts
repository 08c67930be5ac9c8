/**
 * A real (non-demo) installation set up the way README.md tells an installer to, with nothing
 * written into the database by hand: on the fresh data folder, before the server first starts,
 * `npm run admin` creates the province and the first administrator (the password on stdin); once
 * the server runs, that administrator signs in and, through the admin API, creates the city and
 * the station and registers the kiosk. Its enrolment code is issued later, by the test.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** npm, tsx, migrating a fresh PGlite folder and one scrypt hash: slow on a shared machine. */
const COMMAND_TIMEOUT_MS = 90_000;

export type NonDemoSeed = {
  admin: { username: string; password: string };
  device: { id: string; terminalId: string };
};

/** `npm run admin -- <args>` on the data folder; rejects with the command's output when it fails. */
function runAdminCommand(dataDir: string, args: string[], stdin = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'admin', '--', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FUELCARD_DATA_DIR: dataDir, DATABASE_URL: '', FUELCARD_DEMO: '0', FUELCARD_ADMIN_PASSWORD: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let log = '';
    const keep = (chunk: Buffer): void => void (log = (log + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm run admin -- ${args[0]} failed (exit ${code ?? signal}):\n${log}`));
    });
    child.stdin.end(stdin);
  });
}

/** Before the server's first start (PGlite allows one process per folder): the root unit and the first administrator. */
export async function prepareFirstAdministrator(dataDir: string, seed: NonDemoSeed): Promise<void> {
  await runAdminCommand(dataDir, [
    'create-org-unit',
    '--kind',
    'province',
    '--code',
    '33',
    '--name-zh',
    '测试省公司',
    '--name-en',
    'E2E Province',
  ]);
  await runAdminCommand(
    dataDir,
    ['create-admin', '--username', seed.admin.username, '--org-unit', '33', '--display-name', 'E2E administrator'],
    `${seed.admin.password}\n`,
  );
}

export type AdminApi = { call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> };

/** The administrator signed in; every call must answer 200. */
export async function signInAsAdministrator(baseUrl: string, seed: NonDemoSeed): Promise<AdminApi> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(seed.admin),
  });
  expect(login.status, 'the administrator made by npm run admin signs in').toBe(200);
  const { token } = (await login.json()) as { token: string };
  return {
    async call(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer: unknown = await response.json();
      expect(response.status, `${method} ${path}: ${JSON.stringify(answer)}`).toBe(200);
      return answer;
    },
  };
}

/** With the server running: a city and a station under the province, and the kiosk registered in the station. */
export async function setUpThroughApi(baseUrl: string, seed: NonDemoSeed): Promise<void> {
  const api = await signInAsAdministrator(baseUrl, seed);
  const { orgUnits } = (await api.call('GET', '/api/v1/admin/org-units')) as { orgUnits: Array<{ id: string; code: string }> };
  const province = orgUnits.find((u) => u.code === '33');
  expect(province, 'the province made by npm run admin').toBeDefined();
  const city = (await api.call('POST', '/api/v1/admin/org-units', {
    kind: 'city',
    code: '3301',
    nameZh: '测试市分公司',
    nameEn: 'E2E City',
    parentId: province!.id,
  })) as { id: string };
  const station = (await api.call('POST', '/api/v1/admin/org-units', {
    kind: 'station',
    code: '3301S01',
    nameZh: '测试加油站',
    nameEn: 'E2E Station',
    parentId: city.id,
  })) as { id: string };
  await api.call('POST', '/api/v1/admin/devices', {
    deviceId: seed.device.id,
    kind: 'kiosk',
    orgUnitId: station.id,
    terminalId: seed.device.terminalId,
    name: 'E2E kiosk',
  });
}
