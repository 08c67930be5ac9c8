/**
 * Real readers the virtual reader can impersonate: VID:PID, names and the CCID class descriptor
 * values from libccid's captured dumps (LudovicRousseau/CCID readers/*.txt, kept as fixtures in
 * ccid/usb/fixtures). One profile per exchange level we support, plus a vendor-class reader.
 */
import type { CcidDescriptor } from '../../usb/descriptor.ts';

export type ReaderProfile = {
  vendorId: number;
  productId: number;
  manufacturerName: string;
  productName: string;
  interfaceClass: number;
  descriptor: CcidDescriptor;
};

const BASE: CcidDescriptor = {
  bcdCCID: 0x0110,
  bMaxSlotIndex: 0,
  bVoltageSupport: 0x07,
  dwProtocols: 0x03,
  dwDefaultClock: 4000,
  dwMaximumClock: 4000,
  bNumClockSupported: 0,
  dwDataRate: 10752,
  dwMaxDataRate: 344086,
  bNumDataRatesSupported: 0,
  dwMaxIFSD: 254,
  dwSynchProtocols: 0,
  dwMechanical: 0,
  dwFeatures: 0x000100b2,
  dwMaxCCIDMessageLength: 271,
  bClassGetResponse: 0xff,
  bClassEnvelope: 0xff,
  wLcdLayout: 0,
  bPINSupport: 0,
  bMaxCCIDBusySlots: 1,
};

export const READER_PROFILES = {
  /** ACS ACR38U (072F:90CC): TPDU, no auto PPS / parameters, 5 V only (readers/ACR38U-CCID.txt). */
  acr38u: {
    vendorId: 0x072f,
    productId: 0x90cc,
    manufacturerName: 'ACS',
    productName: 'ACR38 USB Reader',
    interfaceClass: 0x0b,
    descriptor: {
      ...BASE,
      bcdCCID: 0x0100,
      bVoltageSupport: 0x01,
      dwMaxDataRate: 129032,
      dwFeatures: 0x00010030,
      bClassGetResponse: 0,
      bClassEnvelope: 0,
    },
  },
  /** ACS ACR39U (072F:B100): TPDU, auto parameters and PPS (readers/ACS_ACR39U_ICC_Reader.txt). */
  acr39u: {
    vendorId: 0x072f,
    productId: 0xb100,
    manufacturerName: 'ACS',
    productName: 'ACR39U ICC Reader',
    interfaceClass: 0x0b,
    descriptor: {
      ...BASE,
      dwDefaultClock: 4800,
      dwMaximumClock: 16000,
      dwDataRate: 12903,
      dwMaxDataRate: 826000,
      dwMaxIFSD: 247,
      dwFeatures: 0x000100b2,
    },
  },
  /** ACS ACR3901U (072F:B000): short APDU level (readers/ACS_ACR3901U_ICC_Reader.txt). */
  acr3901u: {
    vendorId: 0x072f,
    productId: 0xb000,
    manufacturerName: 'ACS',
    productName: 'ACR3901U ICC Reader',
    interfaceClass: 0x0b,
    descriptor: {
      ...BASE,
      dwDefaultClock: 4800,
      dwMaximumClock: 4800,
      dwDataRate: 12903,
      dwMaxDataRate: 600000,
      dwMaxIFSD: 247,
      dwFeatures: 0x000200ba,
      bClassGetResponse: 0,
      bClassEnvelope: 0,
    },
  },
  /** Feitian bR301 (096E:061A): short and extended APDU level (readers/Feitian_bR301.txt). */
  bR301: {
    vendorId: 0x096e,
    productId: 0x061a,
    manufacturerName: 'FEITIAN',
    productName: 'bR301',
    interfaceClass: 0x0b,
    descriptor: {
      ...BASE,
      bcdCCID: 0x0100,
      dwDefaultClock: 3700,
      dwMaximumClock: 3700,
      dwDataRate: 9946,
      dwMaxDataRate: 318280,
      dwMaxIFSD: 272,
      dwSynchProtocols: 7,
      dwFeatures: 0x000404be,
      dwMaxCCIDMessageLength: 272,
    },
  },
  /** SCM SCR3310-NTTCom (04E6:511A): vendor class 0xFF with a CCID descriptor, TPDU (readers/SCR3310-NTTCom.txt). */
  scr3310: {
    vendorId: 0x04e6,
    productId: 0x511a,
    manufacturerName: 'NTT Communications Corp.',
    productName: 'SCR3310-NTTCom USB SmartCard Reader',
    interfaceClass: 0xff,
    descriptor: {
      ...BASE,
      dwDefaultClock: 4800,
      dwMaximumClock: 8000,
      dwDataRate: 12903,
      dwMaxDataRate: 412903,
      dwMaxIFSD: 252,
      dwFeatures: 0x000101ba,
    },
  },
} as const satisfies Record<string, ReaderProfile>;

export type ReaderProfileName = keyof typeof READER_PROFILES;
