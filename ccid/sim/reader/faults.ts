/**
 * Faults the virtual reader can inject, as a deterministic script: either an explicit list (the
 * Nth command of a kind gets this fault) or a seeded pseudo-random plan, so a failing fault test
 * replays exactly. The faults are the field behaviours of docs/card-protocol.md §8.5: slow cards
 * with time extensions, stale and duplicated replies (SCC's wrong-bSeq mode), stalls, silence,
 * inbound overflow, a card pulled mid-command, a reader unplugged mid-command, a hardware-error
 * interrupt.
 */
import type { CcidCommand } from '../../usb/messages.ts';

export type ReaderFault =
  /** `count` RDR_to_PC messages with bmCommandStatus = 2 before the answer. */
  | { kind: 'timeExtensions'; count: number; multiplier?: number }
  /** `count` replies carrying an earlier bSeq are sent before the real one. */
  | { kind: 'staleReplies'; count?: number }
  /** The real reply is sent twice (the copy is stale for the next command). */
  | { kind: 'duplicateReply' }
  /** The next bulk-in transfer ends with status 'stall' (the reply stays queued). */
  | { kind: 'stallIn' }
  /** The command's bulk-out transfer ends with status 'stall' and is not processed. */
  | { kind: 'stallOut' }
  /** The next bulk-in transfer ends with status 'babble' (the reply is lost). */
  | { kind: 'babble' }
  /** The reader swallows the command and never answers it. */
  | { kind: 'silent' }
  /** The card is pulled while the command runs: DataBlock 42 FE, then NotifySlotChange 50 02. */
  | { kind: 'removeCard' }
  /** The reader is unplugged while the command runs. */
  | { kind: 'unplug' }
  /** RDR_to_PC_HardwareError (overcurrent) on the interrupt pipe, then the command fails with HW_ERROR. */
  | { kind: 'hardwareError' };

export type FaultRule = {
  /** Command kind the rule applies to; any kind when omitted. */
  command?: CcidCommand['type'];
  /** 0-based index among the commands this rule matches; the first match when omitted. */
  index?: number;
  fault: ReaderFault;
};

/** Decides, command by command, which fault (if any) the virtual reader injects. */
export interface FaultPlan {
  next(command: CcidCommand): ReaderFault | undefined;
}

export function scriptedFaults(rules: readonly FaultRule[]): FaultPlan & { add(rule: FaultRule): void } {
  const pending = rules.map((rule) => ({ rule, seen: 0 }));
  return {
    add(rule) {
      pending.push({ rule, seen: 0 });
    },
    next(command) {
      for (let i = 0; i < pending.length; i++) {
        const entry = pending[i]!;
        if (entry.rule.command !== undefined && entry.rule.command !== command.type) continue;
        const index = entry.rule.index ?? 0;
        if (entry.seen++ === index) {
          pending.splice(i, 1);
          return entry.rule.fault;
        }
      }
      return undefined;
    },
  };
}

/** mulberry32: a tiny seedable PRNG, enough for reproducible fault storms. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each XfrBlock gets one of `faults` with probability `rate`, chosen by a seeded PRNG. */
export function seededFaults(seed: number, rate: number, faults: readonly ReaderFault[]): FaultPlan {
  const random = seededRandom(seed);
  return {
    next(command) {
      if (command.type !== 'XfrBlock' || faults.length === 0) return undefined;
      if (random() >= rate) return undefined;
      return faults[Math.floor(random() * faults.length)];
    },
  };
}
