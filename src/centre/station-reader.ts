/**
 * The centre's card reader for issuing station cards (docs/domain.md § Station cards): the same
 * ReaderManager the kiosk and the tablet use (src/lib/card/reader.ts) over navigator.usb. In demo
 * mode (the server says so, /api/v1/info) the virtual reader stands in first, holding the demo's
 * station stock cards (src/lib/demo/demo-usb.ts); the simulator is loaded only then.
 */
import { ReaderManager } from '../lib/card/reader.ts';
import type { VirtualUsbControl } from '../../ccid/sim/reader/install.ts';
import type { ApiClient } from '../lib/sync/client.ts';

export type CentreReader = { reader: ReaderManager; demo: VirtualUsbControl | null };

let opened: Promise<CentreReader> | null = null;

/** Opens the reader once per page: the virtual one installed first in demo mode. */
export function centreReader(api: ApiClient): Promise<CentreReader> {
  opened ??= (async () => {
    const info = await api.call('info').catch(() => ({ demo: false }));
    const demo = info.demo
      ? (await import('../lib/demo/demo-usb.ts')).installDemoUsb({ storage: localStorage, navigator: globalThis.navigator })
      : null;
    const reader = new ReaderManager(globalThis.navigator.usb);
    await reader.start();
    return { reader, demo };
  })();
  return opened;
}
