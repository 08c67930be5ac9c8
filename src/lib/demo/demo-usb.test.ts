import { describe, expect, it } from 'vitest';
import { readCard } from '../../../ccid/fuelcard/read.ts';
import { CcidReader } from '../../../ccid/usb/index.ts';
import { installDemoUsb, resetDemoCards } from './demo-usb.ts';
import { stockCardsInHand } from './demo-list.ts';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

async function readHolderName(nav: { usb?: USB }): Promise<string> {
  const [device] = await nav.usb!.getDevices();
  const reader = await CcidReader.open(device!);
  const session = await reader.connect();
  const reading = await readCard((apdu) => session.transmit(apdu), { pin: '123456' });
  await reader.close();
  return reading.ef16.holderName;
}

describe('the demo reader', () => {
  it('installs a virtual navigator.usb whose demo cards the real driver reads', async () => {
    const nav: { usb?: USB } = {};
    const control = installDemoUsb({ storage: new MemoryStorage(), navigator: nav });
    control.insertCard('named');
    expect(await readHolderName(nav)).toBe('张伟');
  });

  it('keeps a card state across a reload and forgets it on reset', async () => {
    const storage = new MemoryStorage();
    const first: { usb?: USB } = {};
    installDemoUsb({ storage, navigator: first }).insertCard('named');
    await readHolderName(first);
    const saved = storage.getItem('fuelcard.demo.card.named');
    expect(saved).not.toBeNull();
    // Corrupt the save: the card comes back as issued instead of failing.
    storage.setItem('fuelcard.demo.card.named', '{"not":"a card"}');
    const second: { usb?: USB } = {};
    installDemoUsb({ storage, navigator: second }).insertCard('named');
    expect(await readHolderName(second)).toBe('张伟');
    resetDemoCards(storage);
    expect(storage.getItem('fuelcard.demo.card.named')).toBeNull();
  });

  it("holds the cards of this browser's demo kiosk: numbered from its serial base and saved apart from another kiosk's", async () => {
    const storage = new MemoryStorage();
    const seeded = installDemoUsb({ storage, navigator: {}, exposeGlobal: false });
    const own: { usb?: USB } = {};
    installDemoUsb({ storage, cardSerialBase: 100_000_120, navigator: own }).insertCard('named');
    expect(await readHolderName(own)).toBe('张伟');
    const facts = (globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): { cardNo: string } } }).__fuelcardDemoCards.facts(
      'named',
    );
    expect(facts.cardNo).toBe('01000113200100000121');
    expect(storage.getItem('fuelcard.demo.card.100000120.named')).not.toBeNull();
    expect(storage.getItem('fuelcard.demo.card.named'), 'the seeded set untouched').toBeNull();
    seeded.removeCard();
    resetDemoCards(storage, 100_000_120);
    expect(storage.getItem('fuelcard.demo.card.100000120.named')).toBeNull();
  });

  it("keeps a stock card's chip once per browser: what the tablet wrote is what this browser's kiosk reads", async () => {
    const storage = new MemoryStorage();
    expect(stockCardsInHand(storage)).toEqual([]);
    const tablet: { usb?: USB } = {};
    const control = installDemoUsb({ storage, cardSerialBase: 100_000_200, navigator: tablet, exposeGlobal: false });
    control.insertCard('stock8');
    const [device] = await tablet.usb!.getDevices();
    const reader = await CcidReader.open(device!);
    const session = await reader.connect();
    // Any command saves the chip (the tablet's issue writes EF16 and the PIN likewise).
    await session.transmit(Uint8Array.of(0x00, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00));
    await reader.close();
    expect(stockCardsInHand(storage)).toEqual(['stock8']);
    expect(storage.getItem('fuelcard.demo.card.stock8'), 'under no serial base').not.toBeNull();
    // The kiosk of the same browser, a device of another serial base, holds the same chip.
    installDemoUsb({ storage, cardSerialBase: 100_000_300, navigator: {}, exposeGlobal: true });
    const facts = (globalThis as unknown as { __fuelcardDemoCards: { facts(id: string): { cardNo: string } } }).__fuelcardDemoCards.facts(
      'stock8',
    );
    expect(facts.cardNo).toBe('01000113200200000008');
  });
});
