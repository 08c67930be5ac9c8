/**
 * The centre's station-card flow (src/centre/station-issue.ts) against simulated bureau station
 * cards and the server (server/cards/station-issue.ts): an employee card and a pump-verification
 * card (the one with a purse: its probe) issued end to end, a card of another type refused before
 * the server hears of it, and a run interrupted after the holder write resumed without a second
 * start; a customer kiosk refuses the issued employee card (not a customer card).
 */
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { verifyPin } from '../../ccid/fuelcard/card.ts';
import { createDemoStationStockCard, DEMO_STATION_FIRST_SERIALS, type DemoStationCardType } from '../../ccid/sim/demo/station-stock.ts';
import { runStationCardIssue, StationIssueError, type StationCardBackend } from '../../src/centre/station-issue.ts';
import { installVirtualUsb } from '../../ccid/sim/reader/install.ts';
import { ReaderManager } from '../../src/lib/card/reader.ts';
import { DeviceDatabase } from '../../src/lib/device-db/database.ts';
import { KioskController } from '../../src/kiosk/controller.ts';
import { FakeBackend } from '../../src/kiosk/testing/fake-backend.ts';
import { expectSound, openTestApp, type TestApp } from '../testing/app.ts';
import { testEngine } from '../testing/db.ts';

const PIN = '246802';
const next: Record<DemoStationCardType, number> = { employee: 12, maintenance: 12, test: 12 };

describe(`the centre's station-card flow, on ${testEngine()}`, () => {
  let t: TestApp;
  let stationId: string;
  let backend: StationCardBackend;
  let starts = 0;

  beforeAll(async () => {
    t = await openTestApp();
    stationId = String((await t.db.query<{ id: bigint }>("SELECT id FROM org_unit WHERE code = '3201S01'")).rows[0]!.id);
    const answer = async (res: { statusCode: number; body: string; json(): unknown }) => {
      if (res.statusCode !== 200) throw new Error(res.body);
      return res.json() as never;
    };
    backend = {
      start: async (body) => {
        starts++;
        return answer(await t.post('/api/v1/station-cards', body, t.as.center_operator));
      },
      write: async (id, body) => answer(await t.post(`/api/v1/station-cards/${id}/write`, body, t.as.center_operator)),
      complete: async (id, body) => answer(await t.post(`/api/v1/station-cards/${id}/complete`, body, t.as.center_operator)),
    };
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(async () => expectSound(t.db));

  function chip(type: DemoStationCardType) {
    const { card, asn } = createDemoStationStockCard({ type, serial: DEMO_STATION_FIRST_SERIALS[type] + next[type]++ });
    card.powerOn();
    return { card, cardNo: toHex(asn), transmit: (apdu: Uint8Array) => Promise.resolve(card.transmit(apdu)) };
  }

  it('issues an employee card and a pump-verification card from the reader', async () => {
    for (const type of ['employee', 'test'] as const) {
      const c = chip(type);
      const steps: string[] = [];
      const view = await runStationCardIssue(backend, {
        transmit: c.transmit,
        stationId,
        cardType: type,
        holder: { name: '周员工', number: 'S0100' },
        holderPin: () => Promise.resolve(PIN),
        onStep: (s) => steps.push(s),
        newOperationId: randomUUID,
      });
      expect(view).toMatchObject({ cardNo: c.cardNo, state: 'issued', cardType: type });
      expect(steps).toEqual(['read', 'start', 'holder', 'pin', 'pin-mode', 'prove', 'complete']);
      await expect(verifyPin(c.transmit, PIN)).resolves.toBeUndefined();
    }
  });

  it('a customer kiosk refuses an issued employee card', async () => {
    const c = chip('employee');
    const request = { transmit: c.transmit, stationId, cardType: 'employee' as const, holder: { name: '郑员工', number: 'S0102' } };
    expect((await runStationCardIssue(backend, { ...request, holderPin: () => Promise.resolve(PIN) })).state).toBe('issued');
    c.card.powerOff();
    const nav = {};
    const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
    const reader = new ReaderManager((nav as { usb: USB }).usb);
    await reader.start();
    const kiosk = new KioskController({
      reader,
      backend: new FakeBackend(),
      db: new DeviceDatabase(`station-kiosk-${randomUUID()}`),
      terminalId: '320100000001',
      idleTimeoutMs: 60_000,
    });
    control.switchCard(c.card);
    const deadline = Date.now() + 3_000;
    while (kiosk.current.name !== 'refused' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(kiosk.current).toEqual({ name: 'refused', reason: 'not_customer_card' });
  });

  it('refuses a card of another type than chosen before asking the server', async () => {
    const c = chip('maintenance');
    const before = starts;
    const run = runStationCardIssue(backend, {
      transmit: c.transmit,
      stationId,
      cardType: 'employee',
      holder: { name: '周员工', number: 'S0100' },
      holderPin: () => Promise.resolve(PIN),
    });
    await expect(run).rejects.toBeInstanceOf(StationIssueError);
    expect(starts).toBe(before);
  });

  it('resumes a run stopped at the PIN pad: the same issuance, EF16 not written again', async () => {
    const c = chip('employee');
    const request = { transmit: c.transmit, stationId, cardType: 'employee' as const, holder: { name: '吴中断', number: 'S0101' } };
    await expect(runStationCardIssue(backend, { ...request, holderPin: () => Promise.reject(new Error('pulled')) })).rejects.toThrow(
      'pulled',
    );
    const steps: string[] = [];
    const view = await runStationCardIssue(backend, { ...request, holderPin: () => Promise.resolve(PIN), onStep: (s) => steps.push(s) });
    expect(view.state).toBe('issued');
    expect(steps).not.toContain('holder');
    const rows = await t.db.query('SELECT state FROM station_card WHERE card_no = $1', [c.cardNo]);
    expect(rows.rows).toEqual([{ state: 'issued' }]);
  });
});
