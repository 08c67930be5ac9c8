/**
 * Reader quirks in one table keyed by VID:PID, after libccid's habit: the model, the symptom seen
 * in the field and the fix, each in a comment. The driver asks `quirksFor(vendorId, productId)` once
 * when it opens a reader and applies only the `fix` fields; the rest is documentation for the
 * person at the kiosk and for whoever adds the next reader. docs/card-protocol.md §8.3 lists them;
 * the sources: libccid readers/*.txt descriptors, usb.ids names, Smart Card Connector issues, QEMU.
 */

export type QuirkFix = {
  /** Never send the class ABORT request: the reader stalls it. Drain by bSeq instead. */
  noAbortRequest?: boolean;
  /** Use at most these protocols even if dwProtocols offers more. */
  protocolsOnly?: number[];
  /** Replace dwMaxCCIDMessageLength, for readers that report a wrong value. */
  maxMessageBytes?: number;
  /** Ignore the interrupt endpoint and poll GetSlotStatus instead. */
  pollSlotStatus?: boolean;
  /** Ask bulk-in for whole packets of this size at least (inbound overflow on short reads). */
  bulkInTransferBytesMin?: number;
};

export type ReaderQuirk = {
  model: string;
  exchangeLevel: 'tpdu' | 'shortApdu' | 'extendedApdu' | 'unknown';
  /** Whether the driver is expected to work with it (libccid's supported list), and why not. */
  supported: boolean;
  notes: string;
  fix: QuirkFix;
};

export function vidPidKey(vendorId: number, productId: number): string {
  const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `${hex4(vendorId)}:${hex4(productId)}`;
}

export const READER_QUIRKS: Readonly<Record<string, ReaderQuirk>> = {
  // ACS ACR38U (CCID firmware). Symptom: TPDU, dwFeatures 0x00010030 (no auto PPS, no auto
  // parameters), 5 V only, bcdCCID 1.00. Fix: host sends PPS and SetParameters itself (handled
  // from dwFeatures, nothing to override).
  '072F:90CC': { model: 'ACS ACR38U', exchangeLevel: 'tpdu', supported: true, notes: 'host does PPS + SetParameters', fix: {} },
  // ACS ACR39U. Symptom: stalls GET_CLOCK_FREQUENCIES / GET_DATA_RATES. Fix: never send them
  // (the driver does not), auto PPS (0x000100B2).
  '072F:B100': { model: 'ACS ACR39U', exchangeLevel: 'tpdu', supported: true, notes: 'stalls GET_CLOCK_FREQUENCIES', fix: {} },
  '072F:B101': { model: 'ACS ACR39K', exchangeLevel: 'tpdu', supported: true, notes: 'ACR39 family', fix: {} },
  '072F:B102': { model: 'ACS ACR39T', exchangeLevel: 'tpdu', supported: true, notes: 'ACR39 family', fix: {} },
  '072F:B103': { model: 'ACS ACR39F', exchangeLevel: 'tpdu', supported: true, notes: 'ACR39 family', fix: {} },
  '072F:B104': { model: 'ACS ACR39U-SAM', exchangeLevel: 'tpdu', supported: true, notes: 'ACR39 family', fix: {} },
  // ACS ACR3901U: short APDU level (0x000200BA); the reader does T=0/T=1 itself.
  '072F:B000': { model: 'ACS ACR3901U', exchangeLevel: 'shortApdu', supported: true, notes: '', fix: {} },
  // ACS ACR40U: TPDU, dwMaxCCIDMessageLength 512.
  '072F:B506': { model: 'ACS ACR40U', exchangeLevel: 'tpdu', supported: true, notes: '', fix: {} },
  // ACS ACR1281U-C2 (contactless, qPBOC): descriptor not captured. Fix: none known; dump it first.
  '072F:220F': { model: 'ACS ACR1281U-C2', exchangeLevel: 'unknown', supported: true, notes: 'descriptor not verified', fix: {} },
  // ACS ACR1252: "bulkTransfer failed: Inbound transfer overflow" about one boot in 25 (SCC#779),
  // random READER_UNAVAILABLE after hours (SCC#1097). Fix: read bulk-in in whole max-size
  // messages (522 bytes) so a reply never overflows a short read.
  '072F:223E': {
    model: 'ACS ACR1252',
    exchangeLevel: 'extendedApdu',
    supported: true,
    notes: 'SCC#779, SCC#1097',
    fix: { bulkInTransferBytesMin: 522 },
  },
  // ACS ACR122U (contactless). Listed by SCC users as not found in kiosks without an allowlist (SCC#739).
  '072F:2200': {
    model: 'ACS ACR122U',
    exchangeLevel: 'shortApdu',
    supported: true,
    notes: 'needs WebUsbAllowDevicesForUrls in kiosks',
    fix: {},
  },
  // Feitian SCR310: TPDU, 0x00010230, no auto PPS.
  '096E:0505': { model: 'Feitian SCR310', exchangeLevel: 'tpdu', supported: true, notes: '', fix: {} },
  // Feitian SCR301: libccid lists it as unsupported (TPDU 0x00010238).
  '096E:0503': { model: 'Feitian SCR301', exchangeLevel: 'tpdu', supported: false, notes: 'unsupported by libccid', fix: {} },
  '096E:060D': { model: 'Feitian R502', exchangeLevel: 'extendedApdu', supported: true, notes: '', fix: {} },
  '096E:061A': { model: 'Feitian bR301', exchangeLevel: 'extendedApdu', supported: true, notes: 'dwMaxIFSD 272 exceeds 254', fix: {} },
  '096E:062E': { model: 'Feitian R701', exchangeLevel: 'extendedApdu', supported: true, notes: '', fix: {} },
  // Tianyu (天喻) Smart Card Reader: TPDU, 0x00010230, no auto PPS; GET_CLOCK_FREQUENCIES: broken pipe.
  'A625:0810': {
    model: 'Tianyu Smart Card Reader',
    exchangeLevel: 'tpdu',
    supported: true,
    notes: 'host does PPS + SetParameters',
    fix: {},
  },
  // LANDI (联迪) LDU "LANDI80120SIGN": TPDU, 0x00010230, no auto PPS.
  '0925:900A': { model: 'LANDI LDU', exchangeLevel: 'tpdu', supported: true, notes: 'host does PPS + SetParameters', fix: {} },
  // Excelsecu (文鼎创) card reader: extended APDU, 0x000404BE.
  '1EA8:8013': { model: 'Excelsecu Card reader', exchangeLevel: 'extendedApdu', supported: true, notes: '', fix: {} },
  // Watchdata (握奇) W5181: short APDU, 0x000207B2.
  '163C:0A03': { model: 'Watchdata W5181', exchangeLevel: 'shortApdu', supported: true, notes: '', fix: {} },
  // WatchCNPC USB CCID Key: a USB token, T=0 only. Fix: never try T=1.
  '163C:0406': {
    model: 'WatchCNPC USB CCID Key',
    exchangeLevel: 'unknown',
    supported: true,
    notes: 'USB token, T=0 only',
    fix: { protocolsOnly: [0] },
  },
  // SYC USB CCID Reader (ST's VID): TPDU, 0x000100BA.
  '0483:2017': { model: 'SYC USB CCID Reader', exchangeLevel: 'tpdu', supported: true, notes: '', fix: {} },
  // Kingtrust Multi-Reader: TPDU, 0x00010230, T=0 only.
  '0483:0007': { model: 'Kingtrust Multi-Reader', exchangeLevel: 'tpdu', supported: true, notes: 'T=0 only', fix: { protocolsOnly: [0] } },
  // Sysking MII136C (Megawin VID): TPDU, 0x00010030, no auto PPS.
  '0E6A:5083': { model: 'Sysking MII136C', exchangeLevel: 'tpdu', supported: true, notes: 'host does PPS + SetParameters', fix: {} },
  // HDZB uKeyCI800 (CIDC/Huada VID): TPDU, 0x00010030.
  '1677:0025': { model: 'HDZB uKeyCI800', exchangeLevel: 'tpdu', supported: true, notes: '', fix: {} },
  // SCM SCR3310-NTTCom: vendor class 0xFF carrying a CCID descriptor: plain WebUSB may claim it.
  '04E6:511A': { model: 'SCM SCR3310-NTTCom', exchangeLevel: 'tpdu', supported: true, notes: 'vendor class 0xFF', fix: {} },
  // QEMU usb-ccid (appears as Gemplus GemPC): stalls the class ABORT request. Fix: skip it.
  '08E6:4433': {
    model: 'QEMU usb-ccid (Gemplus)',
    exchangeLevel: 'unknown',
    supported: true,
    notes: 'stalls ABORT',
    fix: { noAbortRequest: true },
  },
};

export function quirksFor(vendorId: number, productId: number): ReaderQuirk | undefined {
  return READER_QUIRKS[vidPidKey(vendorId, productId)];
}
