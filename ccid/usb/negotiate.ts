/**
 * What to do after the ATR, decided without I/O (libccid `IFDHSetProtocolParameters`,
 * docs/card-protocol.md §8.1): which protocol, which Fi/Di, whether the host must send PPS itself
 * (the reader lacks automatic PPS) and which SetParameters structure to send (unless the reader
 * negotiates alone).
 */
import { buildPpsRequest, PPS } from '../iso7816/pps.ts';
import type { Atr } from '../iso7816/atr.ts';
import type { CcidDescriptor, CcidReaderTraits } from './descriptor.ts';
import { CcidError } from './errors.ts';
import type { ProtocolParameters } from './parameters.ts';

export type NegotiationPlan = {
  protocol: 0 | 1;
  /** FI/DI byte in force after negotiation. */
  fiDi: number;
  /** PPS request to send in an XfrBlock, or null when the reader does PPS or none is needed. */
  pps: Uint8Array | null;
  /** SetParameters structure, or null when the reader negotiates everything itself (0x40). */
  parameters: ProtocolParameters | null;
};

export type NegotiationInput = {
  atr: Atr;
  descriptor: CcidDescriptor;
  traits: CcidReaderTraits;
  preferredProtocol?: 0 | 1 | undefined;
  protocolsOnly?: number[] | undefined;
};

/** Baud rate a TA1 would give at the reader's default clock, in bits per second. */
function dataRateBps(atr: Atr, clockKhz: number): number | null {
  if (atr.fi === null || atr.di === null) return null;
  return (clockKhz * 1000 * atr.di) / atr.fi;
}

function chooseProtocol(input: NegotiationInput): 0 | 1 {
  const { atr, traits } = input;
  const offered = atr.specificMode ? [atr.specificMode.protocol] : atr.protocols;
  const allowed = offered.filter(
    (t): t is 0 | 1 => (t === 0 || t === 1) && traits.protocols.includes(t) && (input.protocolsOnly?.includes(t) ?? true),
  );
  const first = allowed[0];
  if (first === undefined) {
    throw new CcidError(
      'PROTOCOL_NOT_SUPPORTED',
      `The card speaks T=${offered.join('/T=')}, which this reader does not support. Use another reader.`,
    );
  }
  if (input.preferredProtocol !== undefined && allowed.includes(input.preferredProtocol)) return input.preferredProtocol;
  return allowed.includes(atr.defaultProtocol as 0 | 1) ? (atr.defaultProtocol as 0 | 1) : first;
}

function chooseFiDi(input: NegotiationInput): number {
  const { atr, descriptor } = input;
  const ta1 = (atr.fiCode << 4) | atr.diCode;
  if (atr.specificMode) return atr.specificMode.implicitParameters ? PPS.PPS1_DEFAULT : ta1;
  const rate = dataRateBps(atr, descriptor.dwDefaultClock);
  // 2 % slack: readers round dwMaxDataRate down (ACR38U: 129 032 for 4 MHz and Fi/Di 372/32 = 344 086 is refused).
  if (rate === null || descriptor.dwMaxDataRate === 0 || rate > descriptor.dwMaxDataRate * 1.02) return PPS.PPS1_DEFAULT;
  return ta1;
}

export function planNegotiation(input: NegotiationInput): NegotiationPlan {
  const { atr, traits } = input;
  const protocol = chooseProtocol(input);
  if (traits.autoNegotiation) return { protocol, fiDi: (atr.fiCode << 4) | atr.diCode, pps: null, parameters: null };
  const fiDi = chooseFiDi(input);
  const needPps = !traits.autoPps && !atr.specificMode && (protocol !== atr.defaultProtocol || fiDi !== PPS.PPS1_DEFAULT);
  const pps = needPps ? buildPpsRequest({ protocol, ...(fiDi !== PPS.PPS1_DEFAULT ? { pps1: fiDi } : {}) }) : null;
  return { protocol, fiDi, pps, parameters: parametersFor(atr, protocol, fiDi) };
}

export function parametersFor(atr: Atr, protocol: 0 | 1, fiDi: number): ProtocolParameters {
  const inverse = atr.convention === 'inverse';
  if (protocol === 0) {
    return {
      protocol: 0,
      bmFindexDindex: fiDi,
      bmTCCKST0: inverse ? 0x02 : 0x00,
      bGuardTimeT0: atr.n,
      bWaitingIntegerT0: atr.wi,
      bClockStop: 0,
    };
  }
  const t1 = atr.t1 ?? { ifsc: 32, bwi: 4, cwi: 13, edc: 'LRC' as const };
  return {
    protocol: 1,
    bmFindexDindex: fiDi,
    bmTCCKST1: 0x10 | (t1.edc === 'CRC' ? 0x01 : 0x00) | (inverse ? 0x02 : 0x00),
    bGuardTimeT1: atr.n,
    bmWaitingIntegersT1: ((t1.bwi & 0x0f) << 4) | (t1.cwi & 0x0f),
    bClockStop: 0,
    bIFSC: t1.ifsc,
    bNadValue: 0,
  };
}
