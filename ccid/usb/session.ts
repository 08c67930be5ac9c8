/**
 * A powered card behind a reader, as the layers above see it: `transmit(commandApdu)` resolves
 * with the whole response APDU, whatever the exchange level the reader works at (CCID §6.1.4,
 * libccid `CmdXfrBlock`):
 * - TPDU with T=0: ccid/iso7816 `t0Transceive` maps the APDU to TPDUs (61xx / 6Cxx handled there);
 * - TPDU with T=1: ccid/iso7816 `T1Host` runs the block protocol, one block per XfrBlock;
 * - short and extended APDU: the reader frames; long commands are chained over several XfrBlock
 *   with wLevelParameter, chained answers are fetched with empty XfrBlock (0x10). At T=0 a
 *   61xx / 6Cxx the reader passes up is finished here, so every level answers the same way.
 * One APDU holds the reader for its whole duration (chains and GET RESPONSE included).
 */
import { concatBytes } from '../bytes.ts';
import { getResponseCommand } from '../iso7816/apdu.ts';
import { t0Transceive } from '../iso7816/t0.ts';
import { CcidError, assert } from './errors.ts';
import type { CcidLimits } from './limits.ts';
import { CHAIN, HEADER_BYTES } from './messages.ts';
import { openT1, type T1Link } from './session-t1.ts';
import type { CardSession, DataBlock, SessionChannel, SessionInput } from './session-types.ts';

const EMPTY = new Uint8Array(0);

/** APDU-level exchange: command chaining by wLevelParameter, response chaining by bChainParameter. */
async function xfrApdu(channel: SessionChannel, apdu: Uint8Array, chunkBytesMax: number): Promise<Uint8Array> {
  const chunkCount = Math.max(1, Math.ceil(apdu.length / chunkBytesMax));
  if (chunkCount > channel.limits.apduChainBlockCountMax) {
    throw new CcidError('MESSAGE_TOO_LONG', `A ${apdu.length}-byte command needs more blocks than this reader allows.`);
  }
  let reply: DataBlock | undefined;
  for (let i = 0; i < chunkCount; i++) {
    const level =
      chunkCount === 1
        ? CHAIN.BEGINS_AND_ENDS
        : i === 0
          ? CHAIN.BEGINS_CONTINUES
          : i === chunkCount - 1
            ? CHAIN.CONTINUES_ENDS
            : CHAIN.CONTINUES_MORE;
    reply = await channel.xfrBlock(apdu.subarray(i * chunkBytesMax, (i + 1) * chunkBytesMax), { levelParameter: level });
  }
  assert(reply, 'at least one XfrBlock was sent');
  const parts = [reply.data];
  let chain = reply.chainParameter;
  for (let count = 0; chain === CHAIN.BEGINS_CONTINUES || chain === CHAIN.CONTINUES_MORE; count++) {
    if (count >= channel.limits.apduChainBlockCountMax) {
      throw new CcidError('MESSAGE_TOO_LONG', 'The card reader sent an answer in too many pieces.');
    }
    reply = await channel.xfrBlock(EMPTY, { levelParameter: CHAIN.EMPTY_NEXT });
    parts.push(reply.data);
    chain = reply.chainParameter;
  }
  return parts.length === 1 ? parts[0]! : concatBytes(...parts);
}

/** Short command APDU whose last byte is Le (case 2 or case 4 short), for the 6Cxx resend. */
function withLe(apdu: Uint8Array, le: number): Uint8Array | null {
  const case2 = apdu.length === 5;
  const case4 = apdu.length > 6 && apdu[4] !== 0 && apdu.length === 5 + apdu[4]! + 1;
  if (!case2 && !case4) return null;
  const out = apdu.slice();
  out[out.length - 1] = le;
  return out;
}

/** At T=0 an APDU-level reader may pass 61xx / 6Cxx up; finish the exchange here (capped). */
async function finishT0(send: (apdu: Uint8Array) => Promise<Uint8Array>, apdu: Uint8Array, limits: CcidLimits): Promise<Uint8Array> {
  let response = await send(apdu);
  const parts: Uint8Array[] = [];
  for (let round = 0; round < limits.getResponseCountMax && response.length >= 2; round++) {
    const sw1 = response[response.length - 2]!;
    const sw2 = response[response.length - 1]!;
    if (sw1 === 0x6c && round === 0) {
      const resend = withLe(apdu, sw2);
      if (!resend) break;
      response = await send(resend);
    } else if (sw1 === 0x61) {
      parts.push(response.subarray(0, response.length - 2));
      response = await send(getResponseCommand(sw2, apdu[0]! & 0x03));
    } else break;
  }
  return parts.length === 0 ? response : concatBytes(...parts, response);
}

function levelTransmit(input: SessionInput, t1: T1Link | undefined): (apdu: Uint8Array) => Promise<Uint8Array> {
  const { channel, plan, traits, descriptor } = input;
  if (traits.exchangeLevel === 'tpdu') {
    if (plan.protocol === 0) return (apdu) => t0Transceive(apdu, async (tpdu) => (await channel.xfrBlock(tpdu)).data);
    assert(t1, 'a T=1 link exists at TPDU level');
    return (apdu) => t1.transceive(apdu);
  }
  const chunkBytesMax = descriptor.dwMaxCCIDMessageLength - HEADER_BYTES;
  const send = (apdu: Uint8Array) =>
    xfrApdu(channel, apdu, traits.exchangeLevel === 'extendedApdu' ? chunkBytesMax : Number.MAX_SAFE_INTEGER);
  if (plan.protocol === 0) return (apdu) => finishT0(send, apdu, channel.limits);
  return send;
}

export async function openSession(input: SessionInput): Promise<CardSession> {
  const { channel, atr, plan, traits } = input;
  const t1 = traits.exchangeLevel === 'tpdu' && plan.protocol === 1 ? await openT1(input) : undefined;
  const transmitAtLevel = levelTransmit(input, t1);
  let closed = false;
  return {
    atr: atr.bytes,
    protocol: plan.protocol,
    exchangeLevel: traits.exchangeLevel,
    transmit(commandApdu) {
      if (closed) return Promise.reject(new CcidError('SESSION_CLOSED', 'The card session is closed. Connect to the card again.'));
      return channel.run(() => transmitAtLevel(commandApdu));
    },
    async close() {
      if (closed) return;
      closed = true;
      await channel.powerOff();
    },
  };
}
