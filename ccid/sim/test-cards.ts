/**
 * Tiny deterministic `SimulatedCard`s for the tests of ccid/iso7816 and of the reader (test use
 * only; imported by *.test.ts). The echo card answers a command with its own data, or with Ne
 * counting bytes when it has no data, always followed by 90 00 (VERIFY gets 90 00 alone); it records every APDU it got.
 */
import { concatBytes } from '../bytes.ts';
import type { SimulatedCard } from './simulated-card.ts';
import { decodeCommandApdu } from '../iso7816/apdu.ts';

export class EchoCard implements SimulatedCard {
  readonly received: Uint8Array[] = [];
  constructor(private readonly atr: Uint8Array = Uint8Array.of(0x3b, 0x00)) {}

  powerOn(): Uint8Array {
    return this.atr;
  }

  powerOff(): void {}

  transmit(commandApdu: Uint8Array): Uint8Array {
    this.received.push(Uint8Array.from(commandApdu));
    const command = decodeCommandApdu(commandApdu);
    if (command.ins === 0x20) return Uint8Array.of(0x90, 0x00); // VERIFY: a card never echoes a PIN
    if (command.data.length > 0) return concatBytes(command.data, Uint8Array.of(0x90, 0x00));
    const data = new Uint8Array(command.ne);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    return concatBytes(data, Uint8Array.of(0x90, 0x00));
  }
}

/** A card that always answers with the same bytes (response data + SW). */
export class FixedCard implements SimulatedCard {
  readonly received: Uint8Array[] = [];
  constructor(private readonly answer: Uint8Array) {}
  powerOn(): Uint8Array {
    return Uint8Array.of(0x3b, 0x00);
  }
  powerOff(): void {}
  transmit(commandApdu: Uint8Array): Uint8Array {
    this.received.push(Uint8Array.from(commandApdu));
    return Uint8Array.from(this.answer);
  }
}

export function counting(length: number, start = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (start + i) & 0xff;
  return out;
}
