/**
 * Public API of the ISO 7816 layer (ccid/iso7816): ATR and PPS, command/response APDU codecs,
 * status words, BER-TLV, the T=0 and T=1 host engines, APDU traces and transcripts, the limits
 * and the layer's one error class. Layers above import from here, not from the single files.
 */
export * from './errors.ts';
export * from './limits.ts';
export * from './atr.ts';
export * from './pps.ts';
export * from './apdu.ts';
export * from './sw.ts';
export * from './tlv.ts';
export * from './t0.ts';
export * from './t1.ts';
export * from './trace.ts';
