import { describe, expect, it } from 'vitest';
import { toHex, fromHex } from '../../bytes.ts';
import { EchoCard } from '../test-cards.ts';
import { CcidReader } from '../../usb/reader.ts';
import { installVirtualUsb, VIRTUAL_USB_GLOBAL, type VirtualUsbControl } from './install.ts';
import { READER_PROFILES } from './profiles.ts';

describe('the fake navigator.usb', () => {
  it('serves granted virtual readers to the real driver and reports connect and disconnect', async () => {
    const fakeNavigator = {} as { usb?: USB };
    const control = installVirtualUsb({ navigator: fakeNavigator, cards: { echo: () => new EchoCard() }, initialCard: 'echo' });
    expect((globalThis as Record<string, unknown>)[VIRTUAL_USB_GLOBAL]).toBe(control);
    const usb = fakeNavigator.usb!;
    const events: string[] = [];
    usb.addEventListener('disconnect', () => events.push('disconnect'));
    usb.addEventListener('connect', () => events.push('connect'));
    const [device] = await usb.getDevices();
    const reader = await CcidReader.open(device!, { limits: { readTimeoutMs: 200 } });
    const disconnected: string[] = [];
    reader.on('disconnected', ({ error }) => disconnected.push(error.code));
    reader.watchDisconnect(usb);
    const session = await reader.connect();
    expect(toHex(await session.transmit(fromHex('00B0000001')))).toBe('009000');
    control.replugReader();
    expect(events).toEqual(['disconnect', 'connect']);
    expect(disconnected).toEqual(['READER_DISCONNECTED']);
    await expect(session.transmit(fromHex('00B0000001'))).rejects.toMatchObject({ code: 'READER_DISCONNECTED' });
    delete (globalThis as Record<string, unknown>)[VIRTUAL_USB_GLOBAL];
  });

  it('lets requestDevice pick by filter and switches cards by name', async () => {
    const fakeNavigator = {} as { usb?: USB };
    const control: VirtualUsbControl = installVirtualUsb({
      navigator: fakeNavigator,
      exposeGlobal: false,
      readers: [{ profile: READER_PROFILES.acr39u }],
      cards: { a: () => new EchoCard(fromHex('3B 01 AA')), b: () => new EchoCard(fromHex('3B 01 BB')) },
    });
    const device = await fakeNavigator.usb!.requestDevice({ filters: [{ classCode: 0x0b }] });
    expect(device.productId).toBe(0xb100);
    const reader = await CcidReader.open(device, { limits: { readTimeoutMs: 200 } });
    control.insertCard('a');
    expect(toHex((await reader.connect()).atr)).toBe('3B01AA');
    control.switchCard('b');
    expect(toHex((await reader.connect()).atr)).toBe('3B01BB');
    await expect(fakeNavigator.usb!.requestDevice({ filters: [{ vendorId: 0x1234 }] })).rejects.toMatchObject({ name: 'NotFoundError' });
    await reader.close();
  });
});
