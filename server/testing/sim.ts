/**
 * Simulated demo cards and the kiosk side of the load protocol over their APDUs, for server tests
 * and the benchmark: genuine MAC1s, TACs and transaction proofs from ccid/sim's card.
 */
import { fromHex, toHex } from '../../ccid/bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../ccid/crypto/demo-keys.ts';
import * as C from '../../ccid/fuelcard/commands.ts';
import { decodeLayout } from '../../ccid/fuelcard/layout.ts';
import * as M from '../../ccid/fuelcard/messages.ts';
import { CARD_TYPE, buildAsn, pinToBcd } from '../../ccid/sim/card/files.ts';
import { issueFuelCard } from '../../ccid/sim/card/issue.ts';
import { exchange, issuerLoad, openApplication } from '../../ccid/sim/card/issuer.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import type { IssuerMasterKeys } from '../../ccid/sim/card/keys.ts';
import type { InitializeAnswer } from '../contract/index.ts';

/** The DEMO/TEST master keys (ccid/crypto/demo-keys.ts), as the demo cards and server/demo/money.ts use them. */
export const TEST_MASTER_KEYS: IssuerMasterKeys = DEMO_TEST_MASTER_KEYS;
export const DEMO_PIN = '123456';
export const KIOSK_TERMINAL_ID = '320100000001';
export const TABLET_TERMINAL_ID = '320100000002';

/** A simulated card with the demo card number of `serial`, money put on by issuer loads as the demo does. */
export function simCard(
  serial: number,
  loadsFen: readonly number[] = [],
  options: { named?: boolean } = {},
): { card: FuelCard; cardNo: string; pin: string } {
  const asn = buildAsn({ cardType: CARD_TYPE.USER, province: '32', serial });
  const pin = options.named === false ? '9999' : DEMO_PIN;
  const card = issueFuelCard({
    masters: TEST_MASTER_KEYS,
    asn,
    startDate: '2024-01-01',
    expiryDate: '2034-12-31',
    pin: options.named === false ? undefined : DEMO_PIN,
    dpkDiversification: 'ASN_ONCE',
  });
  card.powerOn();
  openApplication(card, pinToBcd(pin));
  for (const amountFen of loadsFen)
    issuerLoad(card, asn, {
      masters: TEST_MASTER_KEYS,
      amountFen,
      terminalId: fromHex('000000000001'),
      date: fromHex('20240102'),
      time: fromHex('030405'),
    });
  card.powerOff();
  return { card, cardNo: toHex(asn), pin };
}

/** Power on, select, verify the PIN: the card session a kiosk opens before a load. */
export function openCard(card: FuelCard, pin: string): void {
  card.powerOn();
  openApplication(card, pinToBcd(pin));
}

/** The answer of INITIALIZE FOR LOAD / UNLOAD, decoded by ccid/fuelcard's layout (the contract's field names). */
function decodeInit(bytes: Uint8Array, step: string): InitializeAnswer {
  return decodeLayout(M.INITIALIZE_FOR_LOAD_RESPONSE, bytes, step);
}

export function initializeForLoad(card: FuelCard, amountFen: number, terminalId = KIOSK_TERMINAL_ID): InitializeAnswer {
  return decodeInit(
    exchange(card, 'INITIALIZE FOR LOAD', C.initializeForLoad({ keyIndex: 1, amountFen, terminalId })),
    'INITIALIZE FOR LOAD',
  );
}

export function initializeForUnload(card: FuelCard, amountFen: number, terminalId = TABLET_TERMINAL_ID): InitializeAnswer {
  return decodeInit(
    exchange(card, 'INITIALIZE FOR UNLOAD', C.initializeForUnload({ keyIndex: 1, amountFen, terminalId })),
    'INITIALIZE FOR UNLOAD',
  );
}

export function creditForLoad(card: FuelCard, m: { date: string; time: string; mac2: string }): string {
  return toHex(exchange(card, 'CREDIT FOR LOAD', C.creditForLoad({ date: m.date, time: m.time, mac2: m.mac2 })));
}

export function debitForUnload(card: FuelCard, m: { date: string; time: string; mac2: string }): string {
  return toHex(exchange(card, 'DEBIT FOR UNLOAD', C.debitForUnload({ date: m.date, time: m.time, mac2: m.mac2 })));
}

/** GET TRANSACTION PROVE for an online transaction (type 01 ED load, 03 unload): TAC then MAC. */
export function transactionProve(card: FuelCard, transType: number, ttc: number): { tac: string; mac: string } {
  const out = decodeLayout(
    M.TAC_MAC2_RESPONSE,
    exchange(card, 'GET TRANSACTION PROVE', C.getTransactionProve({ transType, ttc })),
    'GET TRANSACTION PROVE',
  );
  return { tac: out.tac, mac: out.mac2 };
}

export function balanceOf(card: FuelCard): number {
  return card.inspect().purse.edBalanceFen;
}

/**
 * A recovery as a device makes it at the card's next contact: it names the pending load and its
 * probe carries the load's challenge as terminal id (the only probe that may void it).
 */
export function recoveryOf(
  card: FuelCard,
  cardNo: string,
  load: { loadId: string; probeChallenge: string | null },
  prove?: { tac: string },
): Record<string, unknown> {
  if (load.probeChallenge === null) throw new Error('test setup: a pending load has a probe challenge');
  const probe = { amountFen: 0, terminalId: load.probeChallenge, answer: initializeForLoad(card, 0, load.probeChallenge) };
  return { cardNo, loadId: load.loadId, probe, ...(prove ? { prove } : {}) };
}
