/**
 * Which failures mean the database is out of reach (answered 503 and retried by the client) and
 * which are the statement's own (a refusal, a conflict, a bug): the line server/db/unavailable.ts
 * draws, shown on the errors node-postgres and node actually throw.
 */
import { describe, expect, it } from 'vitest';
import { asUnavailable, DatabaseUnavailableError, isConnectionFailure } from './unavailable.ts';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('connection failures', () => {
  it('counts a refused or reset socket, a server shutting down or starting up, and a connection exception as the database out of reach', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      '57P01',
      '57P02',
      '57P03',
      '53300',
      '08006',
      '08001',
      '08P01',
    ]) {
      expect(isConnectionFailure(withCode(code)), code).toBe(true);
    }
  });

  it("counts node-postgres's lost-connection messages and the pool's connect timeout as the database out of reach", () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
      'timeout exceeded when trying to connect',
    ]) {
      expect(isConnectionFailure(new Error(message)), message).toBe(true);
    }
  });

  it('counts a connect that failed on every address of the name, and not one where another failure is mixed in', () => {
    expect(isConnectionFailure(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
    expect(isConnectionFailure(new AggregateError([withCode('ECONNREFUSED'), new Error('bad certificate')]))).toBe(false);
  });

  it("does not count a statement's own failure: a conflict, a serialization failure, a syntax error, a bug", () => {
    for (const error of [
      withCode('23505'),
      withCode('40001'),
      withCode('40P01'),
      withCode('42601'),
      new TypeError('x is undefined'),
      null,
      'text',
    ]) {
      expect(isConnectionFailure(error)).toBe(false);
    }
  });

  it('wraps a connection failure once, keeping its cause, and leaves any other error as it is', () => {
    const lost = new Error('Connection terminated unexpectedly');
    const wrapped = asUnavailable(lost, { outcomeUnknown: true });
    expect(wrapped).toBeInstanceOf(DatabaseUnavailableError);
    expect((wrapped as DatabaseUnavailableError).cause).toBe(lost);
    expect((wrapped as DatabaseUnavailableError).outcomeUnknown).toBe(true);
    expect(asUnavailable(wrapped)).toBe(wrapped);
    const conflict = withCode('23505');
    expect(asUnavailable(conflict)).toBe(conflict);
  });
});
