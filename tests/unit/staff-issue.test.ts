import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../ccid/bytes.ts';
import { readCard } from '../../ccid/fuelcard/read.ts';
import type { FuelCard, PowerLossPoint } from '../../ccid/sim/card/fuel-card.ts';
import { createDemoStockCard } from '../../ccid/sim/demo/stock.ts';
import { expectSound, openTestApp, type TestApp } from '../../server/testing/app.ts';
import { openTestShift } from '../../server/testing/shifts.ts';
import { IssueInterruptedError, runIssue, type IssueRequest, type IssueStep, type PinPrompt } from '../../src/staff/issue.ts';
import { HttpStaffBackend } from '../../src/staff/backend.ts';
import { StaffError, STAFF_ERROR } from '../../src/staff/errors.ts';
import { staffRig, type Rig } from '../../src/staff/testing/rig.ts';

// One server and one tablet for the file: PGlite, the demo seed and the sign-in take seconds.
const SETUP_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 30_000;
const FEE_FEN = 2_000;
const PIN = '135790';
const INS = { UPDATE_BINARY: 0xd6, CHANGE_PIN: 0x5e, INITIALIZE: 0x50, VERIFY: 0x20 } as const;

/**
 * Issuing a bureau stock card at the outlet tablet (src/staff/issue.ts) through the real reader
 * stack (the virtual CCID reader and the simulated card) against the server on PGlite: the card
 * reads back the holder and the customer's PIN verifies; a card pulled before or after each of its
 * writes, or during the proof, resumes when inserted again and ends issued with exactly one fee and
 * its PIN tries whole.
 */
describe('issuing a stock card 开户发卡 at the outlet tablet, against the real server', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let rig: Rig;
  let zhang: string;
  let serial = 800;

  beforeAll(async () => {
    t = await openTestApp();
    rig = await staffRig(t);
    const found = await t.db.query<{ id: bigint }>("SELECT id FROM customer WHERE name = '演示客户张伟'");
    zhang = String(found.rows[0]!.id);
    await openTestShift(t.db); // the card fee is cash into the drawer of the clerk's open shift
  }, SETUP_TIMEOUT_MS);
  afterEach(async () => expectSound(t.db));
  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  async function stock(): Promise<{ card: FuelCard; cardNo: string }> {
    const { card, asn } = createDemoStockCard({ serial: ++serial });
    const cardNo = toHex(asn);
    await t.db.query(
      "INSERT INTO card (card_no, card_type, role, named, state, key_version, expires_on, stock_unit_id) SELECT $1, 'user', 'single', false, 'stock', 1, '2036-12-31', org_unit_id FROM operator WHERE username = 'demo.operator'",
      [cardNo],
    );
    return { card, cardNo };
  }

  const backend = () => rig.backend as HttpStaffBackend;

  function request(transmit: IssueRequest['transmit'], prompts: PinPrompt[] = [], steps: IssueStep[] = []): IssueRequest {
    return {
      transmit,
      customerId: zhang,
      role: 'single',
      feeFen: FEE_FEN,
      customerPin: (prompt) => {
        prompts.push(prompt);
        return Promise.resolve(PIN);
      },
      onStep: (step) => steps.push(step),
    };
  }

  async function fees(cardNo: string): Promise<number> {
    const rows = await t.db.query(
      "SELECT 1 FROM transfer tr JOIN card_issue i ON tr.id = i.fee_transfer_id WHERE i.card_no = $1 AND tr.code = 'CARD_FEE'",
      [cardNo],
    );
    return rows.rows.length;
  }

  async function expectIssued(card: FuelCard, cardNo: string): Promise<void> {
    const state = await t.db.query('SELECT state, customer_id FROM card WHERE card_no = $1', [cardNo]);
    expect(state.rows[0]).toEqual({ state: 'active', customer_id: BigInt(zhang) });
    expect(await fees(cardNo)).toBe(1);
    const transmit = await rig.insert(card);
    const reading = await readCard(transmit, { pin: PIN });
    expect(reading.pinVerified).toBe(true);
    expect(reading.ef16.holderName).toBe('演示客户张伟');
    expect(reading.ef1b.usesDefaultPin).toBe(false);
    expect(card.inspect().pin.triesLeft).toBe(card.inspect().pin.triesMax);
  }

  it('issues the card: the holder on the chip, the customer’s PIN verifying, one fee, the card active', async () => {
    const { card, cardNo } = await stock();
    const steps: IssueStep[] = [];
    const prompts: PinPrompt[] = [];
    const receipt = await runIssue({ backend: backend() }, request(await rig.insert(card), prompts, steps));
    expect(receipt).toMatchObject({ cardNo, feeFen: FEE_FEN, resumed: false, expiresOn: '20361231' });
    expect(steps).toEqual(['read', 'start', 'holder', 'pin', 'pin-mode', 'prove', 'complete']);
    expect(prompts).toEqual([{ chosenBefore: 'no' }]);
    await expectIssued(card, cardNo);
  });

  const cuts: Array<[string, number, number, PowerLossPoint, IssueStep, PinPrompt['chosenBefore']]> = [
    ['EF16, before the card writes', INS.UPDATE_BINARY, 0, 'before-write', 'holder', 'no'],
    ['EF16, after the card wrote', INS.UPDATE_BINARY, 0, 'after-write', 'holder', 'maybe'],
    ['CHANGE PIN, before the card writes', INS.CHANGE_PIN, 0, 'before-write', 'pin', 'maybe'],
    ['CHANGE PIN, after the card wrote', INS.CHANGE_PIN, 0, 'after-write', 'pin', 'maybe'],
    ['EF1B, before the card writes', INS.UPDATE_BINARY, 1, 'before-write', 'pin-mode', 'maybe'],
    ['EF1B, after the card wrote', INS.UPDATE_BINARY, 1, 'after-write', 'pin-mode', 'yes'],
    ['the proof (INITIALIZE FOR LOAD)', INS.INITIALIZE, 0, 'after-write', 'prove', 'yes'],
  ];
  for (const [what, ins, skip, when, step, chosenBefore] of cuts) {
    it(`a card pulled at ${what} resumes when inserted again: issued, one fee, PIN tries whole`, async () => {
      const { card, cardNo } = await stock();
      card.failNext({ when, ins, skip });
      const error = await runIssue({ backend: backend() }, request(await rig.insert(card))).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IssueInterruptedError);
      expect((error as IssueInterruptedError).step).toBe(step);
      expect(await fees(cardNo)).toBe(1);
      const prompts: PinPrompt[] = [];
      const receipt = await runIssue({ backend: backend() }, request(await rig.insert(card), prompts));
      expect(receipt.issueId).toBe((error as IssueInterruptedError).issueId);
      expect(prompts).toEqual([{ chosenBefore }]);
      await expectIssued(card, cardNo);
    });
  }

  it('a customer PIN mistyped on a resumed card is the card’s PIN_WRONG with the tries left, and the issue finishes with the right one', async () => {
    const { card, cardNo } = await stock();
    card.failNext({ when: 'after-write', ins: INS.UPDATE_BINARY, skip: 1 });
    await expect(runIssue({ backend: backend() }, request(await rig.insert(card)))).rejects.toBeInstanceOf(IssueInterruptedError);
    const wrong = { ...request(await rig.insert(card)), customerPin: () => Promise.resolve('000000') };
    const error = await runIssue({ backend: backend() }, wrong).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StaffError);
    expect(error).toMatchObject({ code: STAFF_ERROR.PIN_WRONG, triesLeft: 2 });
    await runIssue({ backend: backend() }, request(await rig.insert(card)));
    await expectIssued(card, cardNo);
  });

  it('an active card is refused before anything is written or charged', async () => {
    const { card, cardNo } = await stock();
    await runIssue({ backend: backend() }, request(await rig.insert(card)));
    const error = await runIssue({ backend: backend() }, request(await rig.insert(card))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: STAFF_ERROR.SERVER_REFUSED, serverCode: 'ISSUE_CARD_NOT_IN_STOCK' });
    expect(await fees(cardNo)).toBe(1);
  });
});
