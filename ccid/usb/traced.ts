/**
 * An APDU trace of a card session: `traced(session, recorder)` is the same session with every
 * exchange (time, direction, hex, command name) written to a ccid/iso7816 TraceRecorder, PIN data
 * masked by the recorder. The names and the masking are the recorder's: for a fuel card, give it
 * ccid/fuelcard `fuelCardTraceRecorder()`. A failed exchange is recorded as a comment, so the
 * trace shows where a card was pulled or a reader unplugged.
 */
import type { TraceRecorder } from '../iso7816/trace.ts';
import { isCcidError } from './errors.ts';
import type { CardSession } from './session-types.ts';

export function traced(session: CardSession, recorder: TraceRecorder): CardSession {
  return {
    atr: session.atr,
    protocol: session.protocol,
    exchangeLevel: session.exchangeLevel,
    async transmit(commandApdu) {
      recorder.command(commandApdu);
      try {
        const response = await session.transmit(commandApdu);
        recorder.response(response);
        return response;
      } catch (error) {
        recorder.comment(`no response: ${isCcidError(error) ? error.code : error instanceof Error ? error.name : 'failure'}`);
        throw error;
      }
    },
    close: () => session.close(),
  };
}
