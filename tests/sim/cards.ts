/**
 * The chips of one run: a fresh simulated card per world card (ccid/sim's FuelCard, with the demo's
 * test master keys), and the card's own record of what it did — every CREDIT FOR LOAD or DEBIT FOR
 * UNLOAD that changed its purse, with the MAC2 it accepted. That record is the ground truth the
 * checkers hold the server to: a load the card applied must be posted, never voided.
 */
import { toHex } from '../../ccid/bytes.ts';
import { DEMO_TEST_MASTER_KEYS } from '../../ccid/crypto/demo-keys.ts';
import { pinToBcd } from '../../ccid/sim/card/files.ts';
import { issueFuelCard } from '../../ccid/sim/card/issue.ts';
import type { FuelCard } from '../../ccid/sim/card/fuel-card.ts';
import type { SimRandom } from './random.ts';
import { SIM_CARDS, SIM_PIN, type SimCardSpec } from './world.ts';

const INS_CREDIT_FOR_LOAD = 0x52;
const INS_DEBIT_FOR_UNLOAD = 0x54;

/** One online transaction the chip committed. */
export type ChipTransaction = { cardNo: string; kind: 'load' | 'unload'; onlineTtc: number; amountFen: number; mac2: string };

export type SimChip = {
  spec: SimCardSpec;
  card: FuelCard;
  history: ChipTransaction[];
  /** Called the moment the chip commits a transaction, before the terminal sees the answer (or the power loss). */
  onCommitted?: (transaction: ChipTransaction) => void;
};

/** Records every online transaction the chip commits (the crash test's chips use it too). */
export function watchChip(chip: SimChip): void {
  const card = chip.card;
  const transmit = card.transmit.bind(card);
  card.transmit = (apdu: Uint8Array): Uint8Array => {
    const ins = apdu[1];
    if (ins !== INS_CREDIT_FOR_LOAD && ins !== INS_DEBIT_FOR_UNLOAD) return transmit(apdu);
    const before = card.inspect().purse;
    try {
      return transmit(apdu);
    } finally {
      // A power loss after the write still committed it: the record is taken either way.
      const after = card.inspect().purse;
      if (after.onlineTtc !== before.onlineTtc) {
        const committed: ChipTransaction = {
          cardNo: chip.spec.cardNo,
          kind: ins === INS_CREDIT_FOR_LOAD ? 'load' : 'unload',
          onlineTtc: before.onlineTtc,
          // Either purse: a load may go to the EP (the adversary's do), an unload comes from the ED.
          amountFen: Math.abs(after.edBalanceFen + after.epBalanceFen - before.edBalanceFen - before.epBalanceFen),
          mac2: toHex(apdu.subarray(5 + 7, 5 + 11)),
        };
        chip.history.push(committed);
        chip.onCommitted?.(committed);
      }
    }
  };
}

export function issueChips(random: SimRandom): Map<string, SimChip> {
  const chips = new Map<string, SimChip>();
  for (const spec of SIM_CARDS) {
    const card = issueFuelCard({
      masters: DEMO_TEST_MASTER_KEYS,
      asn: spec.asn,
      startDate: '2024-01-01',
      expiryDate: '2034-12-31',
      holder: { holderFlag: spec.role === 'single' ? 1 : 2 },
      pin: SIM_PIN,
      rngSeed: random.int(1, 0x7fffffff),
    });
    const chip: SimChip = { spec, card, history: [] };
    watchChip(chip);
    chips.set(spec.cardNo, chip);
  }
  return chips;
}

/** The ED purse (电子存折), the fuel purse that kiosks show and tablets unload from. */
export function chipBalanceFen(chip: SimChip): number {
  return chip.card.inspect().purse.edBalanceFen;
}

/** All the money on the chip: ED and EP. The server books loads of either into the one PURSE mirror. */
export function chipMoneyFen(chip: SimChip): number {
  const purse = chip.card.inspect().purse;
  return purse.edBalanceFen + purse.epBalanceFen;
}

/** The PIN the chip holds now, among those the customer may have set (a change cut off mid-way may or may not have taken). */
export function chipPin(chip: SimChip, candidates: readonly string[]): string {
  const held = toHex(chip.card.inspect().pin.bcd);
  const found = candidates.find((pin) => toHex(pinToBcd(pin)) === held);
  if (!found) throw new Error(`assertion: card ${chip.spec.cardNo} holds a PIN the customer never chose`);
  return found;
}
