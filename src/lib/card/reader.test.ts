import { describe, expect, it } from 'vitest';
import { get } from 'svelte/store';
import { installVirtualUsb } from '../../../ccid/sim/reader/install.ts';
import { createDemoCard } from '../../../ccid/sim/demo/cards.ts';
import { ReaderManager, type ReaderState } from './reader.ts';

async function until(read: () => ReaderState, test: (s: ReaderState) => boolean, timeoutMs = 3_000): Promise<ReaderState> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (test(read())) return read();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`reader state never matched: ${JSON.stringify(read())}`);
}

describe('the kiosk reader manager', () => {
  it('says WebUSB is unavailable when the browser has none', () => {
    expect(get(new ReaderManager(undefined).state)).toEqual({ kind: 'unavailable' });
  });

  it('reopens a reader the browser already allowed, with no chooser, and reports cards coming and going', async () => {
    const nav: { usb?: USB } = {};
    const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
    const manager = new ReaderManager(nav.usb);
    const events: string[] = [];
    manager.onCard({ inserted: () => events.push('in'), removed: () => events.push('out') });
    await manager.start();
    expect(get(manager.state)).toMatchObject({ kind: 'ready', cardPresent: false });
    control.insertCard(createDemoCard('named').card);
    await until(
      () => get(manager.state),
      (s) => s.kind === 'ready' && s.cardPresent,
    );
    control.removeCard();
    await until(
      () => get(manager.state),
      (s) => s.kind === 'ready' && !s.cardPresent,
    );
    expect(events).toEqual(['in', 'out']);
  });

  it('loses the reader when it is unplugged and takes it back by itself when it is plugged in again', async () => {
    const nav: { usb?: USB } = {};
    const control = installVirtualUsb({ navigator: nav, exposeGlobal: false });
    const manager = new ReaderManager(nav.usb);
    await manager.start();
    control.insertCard(createDemoCard('named').card);
    await until(
      () => get(manager.state),
      (s) => s.kind === 'ready' && s.cardPresent,
    );
    const removed: string[] = [];
    manager.onCard({ removed: () => removed.push('out') });
    control.unplugReader();
    expect(
      await until(
        () => get(manager.state),
        (s) => s.kind === 'none',
      ),
    ).toEqual({ kind: 'none' });
    expect(removed).toEqual(['out']);
    control.plugReader();
    await until(
      () => get(manager.state),
      (s) => s.kind === 'ready',
    );
    control.insertCard(createDemoCard('named').card);
    await until(
      () => get(manager.state),
      (s) => s.kind === 'ready' && s.cardPresent,
    );
    const session = await manager.connectCard();
    expect(session.atr.length).toBeGreaterThan(1);
  });

  it('shows the chooser when asked and reports a cancelled choice as a typed state', async () => {
    const nav: { usb?: USB } = {};
    installVirtualUsb({ navigator: nav, exposeGlobal: false, chooserPicks: false });
    const manager = new ReaderManager(nav.usb);
    await manager.choose();
    expect(get(manager.state)).toEqual({ kind: 'failed', code: 'NO_READER_SELECTED' });
  });

  it('refuses to connect a card when no reader is open', async () => {
    await expect(new ReaderManager(undefined).connectCard()).rejects.toMatchObject({ code: 'READER_CLOSED' });
  });
});
