import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makerMessage, type OperationMaker } from '../../server/contract/maker.ts';
import staffEn from '../lib/i18n/staff.en.json';
import staffZh from '../lib/i18n/staff.zh-CN.json';
import { BackendError } from '../lib/net/backend-error.ts';
import type { Outbox } from '../lib/outbox/outbox.ts';
import type { ApiClient } from '../lib/sync/client.ts';
import type { MakerStamp } from '../lib/sync/operation-maker.ts';
import type { SyncLoop } from '../lib/sync/sync-loop.ts';
import { isStaffError } from './errors.ts';
import { reversalRefusalKey, reverseOperation, type ReversalDeps } from './reversal.ts';

const ORIGINAL = { operationId: 'a0000000-0000-7000-8000-000000000001', deviceId: 'demo-tablet-1' };
const SUPERVISOR_KEY = 'ab'.repeat(32);
const SUPERVISOR_SESSION = '0190b2a4-7c1e-7000-8000-00000000005e';

type Queued = { id: string; type: string; payload: unknown; maker: OperationMaker | undefined };

/** A tablet whose outbox records what is queued (its maker resolved) and whose server applies it, or answers `answer`. */
function rig(options: { role?: string; loginFails?: string; answer?: 'applied' | 'rejected' } = {}) {
  const calls: string[] = [];
  const queued: Queued[] = [];
  const outbox = {
    enqueue: async (type: string, payload: unknown, nowMs: number, maker?: MakerStamp) => {
      const id = `0190b2a4-7c1e-7000-8000-${String(queued.length + 2).padStart(12, '0')}`;
      queued.push({ id, type, payload, maker: maker ? await maker({ id, type, payload }, nowMs) : undefined });
      calls.push(`enqueue:${type}`);
      return { id };
    },
    get: async (id: string) =>
      options.answer === 'rejected'
        ? { id, status: 'rejected', errorCode: 'ALREADY_REVERSED' }
        : { id, status: 'applied', result: { transferIds: [] }, settledAtMs: 1_000 },
  } as unknown as Outbox;
  const sync = { drain: async () => calls.push('drain') } as unknown as SyncLoop;
  const deviceApi = {
    call: async (name: string, input: { body: { username: string } }) => {
      calls.push(`${name}:${input.body.username}`);
      if (options.loginFails) throw new BackendError(options.loginFails as 'LOGIN_FAILED', 'refused');
      return {
        token: 's'.repeat(40),
        expiresAt: '2026-12-08T02:00:00.000Z',
        role: options.role ?? 'outlet_supervisor',
        orgUnitId: '3',
        orgUnitName: { zh: '演示营业网点', en: 'Demo Outlet' },
        displayName: '演示主管',
        sessionId: SUPERVISOR_SESSION,
        operationKey: SUPERVISOR_KEY,
      };
    },
  } as unknown as ApiClient;
  const clientFor = () => ({ call: async (name: string) => calls.push(name) }) as unknown as ApiClient;
  const deps: ReversalDeps = {
    outbox,
    sync,
    deviceApi,
    clientFor,
    deviceId: 'demo-tablet-1',
    nowMs: () => Date.parse('2026-12-07T10:00:00Z'),
  };
  return { deps, calls, queued };
}

const CLERK = { role: 'outlet_operator' as const, displayName: '演示营业员' };
const SUPERVISOR = { role: 'outlet_supervisor' as const, displayName: '演示主管' };

describe("a supervisor's reversal at the tablet", () => {
  it('a supervisor signed in queues it under the own session: the original by id and device, the reason trimmed', async () => {
    const { deps, calls, queued } = rig();
    const answer = await reverseOperation(deps, { item: ORIGINAL, reason: '  收错客户  ', signedIn: SUPERVISOR });
    expect(calls).toEqual(['enqueue:reversal', 'drain']);
    expect(queued).toEqual([{ id: expect.any(String), type: 'reversal', payload: { ...ORIGINAL, reason: '收错客户' }, maker: undefined }]);
    expect(answer).toMatchObject({ reason: '收错客户', reversedBy: '演示主管', outcome: { kind: 'applied' } });
  });

  it("at a clerk's tablet the supervisor signs in for it: stamped with the supervisor's session, then signed out", async () => {
    const { deps, calls, queued } = rig();
    const answer = await reverseOperation(deps, {
      item: ORIGINAL,
      reason: '金额录错',
      signedIn: CLERK,
      supervisor: { username: ' demo.supervisor ', password: 'pw' },
    });
    expect(calls).toEqual(['login:demo.supervisor', 'enqueue:reversal', 'drain', 'logout']);
    const made = queued[0]!;
    expect(made.maker?.sessionId).toBe(SUPERVISOR_SESSION);
    // The proof is the supervisor's key over this very operation: the server books it to the supervisor.
    const message = makerMessage(
      { id: made.id, deviceId: 'demo-tablet-1', type: 'reversal', payload: made.payload },
      SUPERVISOR_SESSION,
      made.maker!.madeAt,
    );
    expect(made.maker!.proof).toBe(createHmac('sha256', Buffer.from(SUPERVISOR_KEY, 'hex')).update(message).digest('hex'));
    expect(answer.reversedBy).toBe('演示主管');
  });

  it('refuses someone who is not a supervisor before anything is queued, and signs that one out', async () => {
    const { deps, calls, queued } = rig({ role: 'outlet_operator' });
    const refused = reverseOperation(deps, {
      item: ORIGINAL,
      reason: 'x',
      signedIn: CLERK,
      supervisor: { username: 'demo.operator', password: 'pw' },
    });
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(calls).toEqual(['login:demo.operator', 'logout']);
    expect(queued).toEqual([]);
  });

  it('asks for a reason and for a supervisor before signing anyone in', async () => {
    const { deps, calls } = rig();
    for (const reason of ['', '   ', 'x'.repeat(201)]) {
      const error = await reverseOperation(deps, { item: ORIGINAL, reason, signedIn: SUPERVISOR }).catch((e: unknown) => e);
      expect(isStaffError(error, 'REASON_REQUIRED')).toBe(true);
    }
    const error = await reverseOperation(deps, { item: ORIGINAL, reason: 'x', signedIn: CLERK }).catch((e: unknown) => e);
    expect(isStaffError(error, 'NOT_PERMITTED')).toBe(true);
    const wrong = reverseOperation(rig({ loginFails: 'LOGIN_FAILED' }).deps, {
      item: ORIGINAL,
      reason: 'x',
      signedIn: CLERK,
      supervisor: { username: 'demo.supervisor', password: 'bad' },
    });
    await expect(wrong).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
    expect(calls).toEqual([]);
  });

  it("passes the server's refusal on, and says each of a reversal's refusals in both languages", async () => {
    const { deps } = rig({ answer: 'rejected' });
    const answer = await reverseOperation(deps, { item: ORIGINAL, reason: 'x', signedIn: SUPERVISOR });
    expect(answer.outcome).toMatchObject({ kind: 'rejected', code: 'ALREADY_REVERSED' });
    for (const code of ['FORBIDDEN', 'ALREADY_REVERSED', 'REVERSAL_NOT_FOUND', 'REVERSAL_FUNDS_GONE', 'REASON_REQUIRED']) {
      const key = reversalRefusalKey(code);
      expect(key, code).not.toBeNull();
      expect((staffZh as Record<string, string>)[key!], code).toBeTruthy();
      expect((staffEn as Record<string, string>)[key!], code).toBeTruthy();
    }
    expect(reversalRefusalKey('NETWORK')).toBeNull();
  });
});
