/**
 * `npm run -s fuelcard -- readers [--virtual] [--json]`: lists card readers. Real readers come
 * from the Node `usb` package (ccid/usb/node.ts); `--virtual` adds one virtual reader (ccid/sim)
 * per exchange level we support. With no hardware it still exits 0 and says so. Exit code 2: bad
 * usage.
 */
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import { VirtualReader } from '../sim/reader/reader.ts';
import type { UsbDeviceLike } from '../usb/device.ts';
import { listReaders, type ReaderListing } from '../usb/list.ts';
import { scanNodeUsb } from '../usb/node.ts';

const USAGE = 'usage: npm run -s fuelcard -- readers [--virtual] [--json]';
const LEVEL_WORDS = { character: 'character level', tpdu: 'TPDU', shortApdu: 'short APDU', extendedApdu: 'extended APDU' } as const;

type Row = ReaderListing & { virtual: boolean };

function describeRow(row: Row): string {
  const name = [row.manufacturerName, row.productName].filter(Boolean).join(' ') || 'unnamed device';
  const parts = [
    row.exchangeLevel ? LEVEL_WORDS[row.exchangeLevel] : undefined,
    row.protocols ? `T=${row.protocols.join('/T=')}` : undefined,
    `class 0x${row.interfaceClass.toString(16).toUpperCase().padStart(2, '0')}`,
  ];
  const line = `  ${row.vidPid}  ${name}${row.virtual ? ' (virtual)' : ''}  ${parts.filter(Boolean).join(', ')}`;
  return row.problem ? `${line}\n    ${row.problem}` : line;
}

export async function run(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--virtual' && a !== '--json');
  if (unknown.length > 0) {
    console.error(`unknown argument: ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const json = args.includes('--json');
  const scan = await scanNodeUsb();
  const rows: Row[] = (await listReaders(scan.devices, { inspect: true })).map((r) => ({ ...r, virtual: false }));
  if (args.includes('--virtual')) {
    const virtual: UsbDeviceLike[] = [
      new VirtualReader({ profile: READER_PROFILES.acr3901u }),
      new VirtualReader({ profile: READER_PROFILES.acr39u }),
      new VirtualReader({ profile: READER_PROFILES.bR301 }),
    ];
    rows.push(...(await listReaders(virtual, { inspect: true })).map((r) => ({ ...r, virtual: true })));
  }
  if (json) {
    for (const row of rows) console.log(JSON.stringify(row));
    if (rows.length === 0) console.error(scan.problem ?? 'No card readers were found.');
    return 0;
  }
  if (rows.length === 0) {
    console.log('No card readers were found.');
    if (scan.problem) console.log(scan.problem);
    return 0;
  }
  console.log(`${rows.length} card reader${rows.length === 1 ? '' : 's'}:`);
  for (const row of rows) console.log(describeRow(row));
  return 0;
}
