/**
 * End-to-end tests in a real Chromium (Debian's, never a downloaded one), against the real
 * server on a fresh embedded database, serving the built app. tests/run.mjs sets CHROMIUM_PATH,
 * E2E_PORT and E2E_DATA_DIR; the defaults let `npx playwright test` run on its own too.
 */
import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env.E2E_PORT ?? 4183);
const dataDir = process.env.E2E_DATA_DIR ?? join(tmpdir(), `fuelcard-e2e-${port}`);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Headless as root in CI; the network flags stop Chromium calling home on a closed network.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // The compiled server, as `npm start` runs it (npm run build makes dist/ and dist-server/).
    command: 'node --enable-source-maps dist-server/main.mjs',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      FUELCARD_DATA_DIR: dataDir,
      DATABASE_URL: '',
      FUELCARD_DEMO: '1',
      LOG_LEVEL: 'warn',
      // Every test opens a fresh browser, which asks for a demo device of its own: more than a
      // visitor's address may ask for in ten minutes.
      FUELCARD_DEMO_DEVICES_PER_ADDRESS: '1000',
    },
  },
});
