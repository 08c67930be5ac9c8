import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { READER_PROFILES } from '../sim/reader/profiles.ts';
import {
  encodeCcidClassDescriptor,
  encodeConfigurationDescriptor,
  exchangeLevelOf,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
  traitsOf,
  type CcidDescriptor,
} from './descriptor.ts';
import { CcidError } from './errors.ts';
import { quirksFor } from './quirks.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Reads the field lines of a libccid `parse` dump into descriptor values (clock in MHz → kHz). */
function fromDump(text: string): { vendorId: number; productId: number; interfaceClass: number; descriptor: CcidDescriptor } {
  const field = (name: string): string => {
    const match = new RegExp(`^\\s*${name}: (.+)$`, 'm').exec(text);
    if (!match) throw new Error(`fixture lacks ${name}`);
    return match[1]!.trim();
  };
  const int = (name: string) => {
    const value = field(name).split(' ')[0]!;
    return value.startsWith('0x') ? parseInt(value, 16) : parseInt(value, 10);
  };
  const mhz = (name: string) => Math.round(parseFloat(field(name)) * 1000);
  const [major, minor] = field('bcdCCID')
    .split('.')
    .map((n) => parseInt(n, 16));
  return {
    vendorId: int('idVendor'),
    productId: int('idProduct'),
    interfaceClass: int('bInterfaceClass'),
    descriptor: {
      bcdCCID: (major! << 8) | minor!,
      bMaxSlotIndex: int('bMaxSlotIndex'),
      bVoltageSupport: int('bVoltageSupport'),
      dwProtocols: parseInt(field('dwProtocols').replace(/0x| /g, ''), 16),
      dwDefaultClock: mhz('dwDefaultClock'),
      dwMaximumClock: mhz('dwMaximumClock'),
      bNumClockSupported: int('bNumClockSupported'),
      dwDataRate: int('dwDataRate'),
      dwMaxDataRate: int('dwMaxDataRate'),
      bNumDataRatesSupported: int('bNumDataRatesSupported'),
      dwMaxIFSD: int('dwMaxIFSD'),
      dwSynchProtocols: int('dwSynchProtocols'),
      dwMechanical: int('dwMechanical'),
      dwFeatures: int('dwFeatures'),
      dwMaxCCIDMessageLength: int('dwMaxCCIDMessageLength'),
      bClassGetResponse: int('bClassGetResponse'),
      bClassEnvelope: int('bClassEnvel(?:o|op)pe'),
      wLcdLayout: int('wLcdLayout'),
      bPINSupport: int('bPINSupport'),
      bMaxCCIDBusySlots: int('bMaxCCIDBusySlots'),
    },
  };
}

const dumps = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => ({ name, ...fromDump(readFileSync(join(FIXTURES, name), 'utf8')) }));

const EXPECTED_LEVEL: Record<string, string> = {
  'ACR38U-CCID.txt': 'tpdu',
  'ACS_ACR39U_ICC_Reader.txt': 'tpdu',
  'ACS_ACR3901U_ICC_Reader.txt': 'shortApdu',
  'Feitian_bR301.txt': 'extendedApdu',
  'Tianyu_Smart_Card_Reader.txt': 'tpdu',
  'ACS_ACR1252_Reader.txt': 'extendedApdu',
  'SCR3310-NTTCom.txt': 'tpdu',
};

describe('the CCID class descriptor of real readers (libccid dumps)', () => {
  it.each(dumps)('$name round-trips through 54 bytes with its exchange level and a quirk entry', (dump) => {
    const bytes = encodeCcidClassDescriptor(dump.descriptor);
    expect(bytes.length).toBe(54);
    expect(parseCcidClassDescriptor(bytes)).toEqual(dump.descriptor);
    expect(exchangeLevelOf(dump.descriptor.dwFeatures)).toBe(EXPECTED_LEVEL[dump.name]);
    expect(quirksFor(dump.vendorId, dump.productId)).toBeDefined();
  });

  it('tells the ACR38U needs host PPS and SetParameters while the ACR39U does PPS itself', () => {
    const acr38u = traitsOf(dumps.find((d) => d.name === 'ACR38U-CCID.txt')!.descriptor);
    const acr39u = traitsOf(dumps.find((d) => d.name === 'ACS_ACR39U_ICC_Reader.txt')!.descriptor);
    expect(acr38u).toMatchObject({ autoPps: false, autoParameters: false, autoVoltage: false, protocols: [0, 1] });
    expect(acr39u).toMatchObject({ autoPps: true, autoParameters: true, autoIfsd: false });
  });

  it('matches the virtual reader profiles built from the same dumps', () => {
    const byVidPid = new Map(dumps.map((d) => [`${d.vendorId}:${d.productId}`, d]));
    for (const profile of Object.values(READER_PROFILES)) {
      const dump = byVidPid.get(`${profile.vendorId}:${profile.productId}`);
      expect(dump, profile.productName).toBeDefined();
      expect(profile.descriptor).toEqual(dump!.descriptor);
      expect(profile.interfaceClass).toBe(dump!.interfaceClass);
    }
  });
});

describe('the descriptor parsers on bad input', () => {
  const good = encodeCcidClassDescriptor(READER_PROFILES.acr39u.descriptor);

  it('refuse a truncated, an oversized, a mistyped or a mislabelled descriptor with DESCRIPTOR_INVALID', () => {
    const bad = [
      good.subarray(0, 53),
      new Uint8Array([...good, 0]),
      Uint8Array.from(good, (b, i) => (i === 1 ? 0x24 : b)),
      Uint8Array.from(good, (b, i) => (i === 0 ? 9 : b)),
    ];
    for (const bytes of bad) expect(() => parseCcidClassDescriptor(bytes)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_INVALID' }));
  });

  it('find the CCID descriptor after the endpoints too (O2Micro placement)', () => {
    const ccid = encodeCcidClassDescriptor(READER_PROFILES.acr39u.descriptor);
    const raw = Uint8Array.of(9, 2, 9 + 9 + 7 + 54, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 1, 0x0b, 0, 0, 0, 7, 5, 0x81, 2, 64, 0, 0, ...ccid);
    const [found] = parseConfigurationDescriptor(raw);
    expect(found?.ccidDescriptor).toEqual(ccid);
    expect(found?.endpoints).toEqual([{ address: 0x81, attributes: 2, maxPacketSize: 64 }]);
  });

  it('round-trip a configuration descriptor', () => {
    const interfaces = [
      {
        interfaceNumber: 0,
        alternateSetting: 0,
        interfaceClass: 0xff,
        interfaceSubclass: 0,
        interfaceProtocol: 0,
        endpoints: [{ address: 1, attributes: 2, maxPacketSize: 64 }],
        ccidDescriptor: good,
      },
    ];
    expect(parseConfigurationDescriptor(encodeConfigurationDescriptor({ configurationValue: 1, interfaces }))).toEqual(interfaces);
  });

  it('give a value or a DESCRIPTOR_INVALID for any bytes, never another exception (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const parse of [parseCcidClassDescriptor, parseConfigurationDescriptor]) {
          try {
            parse(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(CcidError);
            expect((error as CcidError).code).toBe('DESCRIPTOR_INVALID');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trip any 54-byte descriptor that carries the right header (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 52, maxLength: 52 }), (body) => {
        const bytes = new Uint8Array([54, 0x21, ...body]);
        try {
          expect(encodeCcidClassDescriptor(parseCcidClassDescriptor(bytes))).toEqual(bytes);
        } catch (error) {
          expect((error as CcidError).code).toBe('DESCRIPTOR_INVALID');
        }
      }),
    );
  });
});
