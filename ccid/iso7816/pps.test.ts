import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes.ts';
import { buildPpsRequest, checkPpsResponse, parsePps } from './pps.ts';

describe('PPS', () => {
  it('builds a request for T=1 with PPS1 and its check byte', () => {
    expect(toHex(buildPpsRequest({ protocol: 1, pps1: 0x18 }))).toBe('FF1118F6');
    expect(toHex(buildPpsRequest({ protocol: 0 }))).toBe('FF00FF');
    expect(toHex(buildPpsRequest({ protocol: 0, pps1: 0x96, pps2: 0x01, pps3: 0x02 }))).toBe(
      'FF70960102' + toHex(Uint8Array.of(0xff ^ 0x70 ^ 0x96 ^ 0x01 ^ 0x02)),
    );
  });

  it('accepts an exact echo', () => {
    const request = buildPpsRequest({ protocol: 1, pps1: 0x18 });
    expect(checkPpsResponse(request, request)).toEqual({ protocol: 1, pps1: 0x18 });
  });

  it('accepts an answer without PPS1 and falls back to 0x11', () => {
    const request = buildPpsRequest({ protocol: 1, pps1: 0x18 });
    const answer = buildPpsRequest({ protocol: 1 });
    expect(checkPpsResponse(request, answer)).toEqual({ protocol: 1, pps1: 0x11 });
  });

  it('refuses a different protocol or PPS1', () => {
    const request = buildPpsRequest({ protocol: 1, pps1: 0x18 });
    expect(() => checkPpsResponse(request, buildPpsRequest({ protocol: 0, pps1: 0x18 }))).toThrow(
      expect.objectContaining({ code: 'PPS_REJECTED' }),
    );
    expect(() => checkPpsResponse(request, buildPpsRequest({ protocol: 1, pps1: 0x11 }))).toThrow(
      expect.objectContaining({ code: 'PPS_REJECTED' }),
    );
  });

  it('refuses garbled answers', () => {
    const request = buildPpsRequest({ protocol: 1, pps1: 0x18 });
    expect(() => checkPpsResponse(request, fromHex('FF1118F7'))).toThrow(expect.objectContaining({ code: 'PPS_BAD_PCK' }));
    for (const hex of ['', 'FE1118F6', 'FF11', 'FF1118F600']) {
      expect(() => parsePps(fromHex(hex)), hex).toThrow(expect.objectContaining({ code: 'PPS_MALFORMED' }));
    }
  });
});
