/**
 * The protocol data structures of PC_to_RDR_SetParameters and RDR_to_PC_Parameters (CCID §6.1.7,
 * tables 6.1-6 for T=0 and 6.1-7 for T=1). Pure codecs; field names as the spec spells them.
 */
import { CcidError } from './errors.ts';

export type T0Parameters = {
  protocol: 0;
  bmFindexDindex: number;
  bmTCCKST0: number;
  bGuardTimeT0: number;
  bWaitingIntegerT0: number;
  bClockStop: number;
};

export type T1Parameters = {
  protocol: 1;
  bmFindexDindex: number;
  bmTCCKST1: number;
  bGuardTimeT1: number;
  bmWaitingIntegersT1: number;
  bClockStop: number;
  bIFSC: number;
  bNadValue: number;
};

export type ProtocolParameters = T0Parameters | T1Parameters;

export function encodeParameters(p: ProtocolParameters): Uint8Array {
  if (p.protocol === 0) return Uint8Array.of(p.bmFindexDindex, p.bmTCCKST0, p.bGuardTimeT0, p.bWaitingIntegerT0, p.bClockStop);
  return Uint8Array.of(p.bmFindexDindex, p.bmTCCKST1, p.bGuardTimeT1, p.bmWaitingIntegersT1, p.bClockStop, p.bIFSC, p.bNadValue);
}

export function decodeParameters(protocolNum: number, data: Uint8Array): ProtocolParameters {
  if (protocolNum === 0 && data.length === 5) {
    return {
      protocol: 0,
      bmFindexDindex: data[0]!,
      bmTCCKST0: data[1]!,
      bGuardTimeT0: data[2]!,
      bWaitingIntegerT0: data[3]!,
      bClockStop: data[4]!,
    };
  }
  if (protocolNum === 1 && data.length === 7) {
    return {
      protocol: 1,
      bmFindexDindex: data[0]!,
      bmTCCKST1: data[1]!,
      bGuardTimeT1: data[2]!,
      bmWaitingIntegersT1: data[3]!,
      bClockStop: data[4]!,
      bIFSC: data[5]!,
      bNadValue: data[6]!,
    };
  }
  throw new CcidError('FRAME_INVALID', `The card reader sent ${data.length} parameter bytes for protocol T=${protocolNum}.`);
}
