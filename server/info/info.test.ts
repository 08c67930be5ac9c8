import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { openTestDatabase, testEngine, type TestDatabase } from '../testing/db.ts';
import { seedDemo } from '../demo/seed.ts';
import { DEMO_KEK_HEX } from '../config.ts';
import { ServerInfo, EnrolResponse } from '../contract/index.ts';

describe(`server info on ${testEngine()}`, () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await buildApp({ db, config: { distDir: '/nonexistent', logLevel: 'silent', kekHex: DEMO_KEK_HEX }, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('says a database without demo data is not a demo and gives out no enrolment code', async () => {
    const info = ServerInfo.parse((await app.inject({ method: 'GET', url: '/api/v1/info' })).json());
    expect(info).toMatchObject({ demo: false, demoDevice: null });
  });

  it('in demo mode gives out a one-time code that enrols the demo kiosk with its terminal id', async () => {
    await seedDemo(db);
    const info = ServerInfo.parse((await app.inject({ method: 'GET', url: '/api/v1/info' })).json());
    expect(info.demo).toBe(true);
    const device = info.demoDevice!;
    const enrol = (code: string) => app.inject({ method: 'POST', url: '/api/v1/devices/enrol', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ deviceId: device.deviceId, enrolmentCode: code }) });
    const enrolled = EnrolResponse.parse((await enrol(device.enrolmentCode)).json());
    expect(enrolled.terminalId).toMatch(/^[0-9A-F]{12}$/);
    expect((await enrol(device.enrolmentCode)).json().error.code).toBe('ENROLMENT_FAILED');
  });
});
