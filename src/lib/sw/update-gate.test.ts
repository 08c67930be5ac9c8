import { describe, expect, it } from 'vitest';
import { UpdateGate } from './update-gate.ts';

function gate() {
  const calls: string[] = [];
  const g = new UpdateGate({ activate: () => calls.push('activate'), reload: () => calls.push('reload') });
  return { g, calls };
}

describe('the service worker update gate', () => {
  it('activates and reloads at once when no card session is in progress', () => {
    const { g, calls } = gate();
    g.updateWaiting();
    expect(calls).toEqual(['activate']);
    g.controllerChanged();
    expect(calls).toEqual(['activate', 'reload']);
    expect(g.state).toBe('current');
  });

  it('does nothing while a card session is in progress and applies the update when it ends', () => {
    const { g, calls } = gate();
    g.setSessionActive(true);
    g.updateWaiting();
    expect(calls).toEqual([]);
    expect(g.state).toBe('waiting');
    g.setSessionActive(false);
    expect(calls).toEqual(['activate']);
  });

  it('never reloads under a session even when another tab activated the new worker', () => {
    const { g, calls } = gate();
    g.setSessionActive(true);
    g.controllerChanged();
    expect(calls).toEqual([]);
    g.setSessionActive(true);
    expect(calls).toEqual([]);
    g.setSessionActive(false);
    expect(calls).toEqual(['reload']);
  });

  it('asks the waiting worker to activate only once however often it is reported', () => {
    const { g, calls } = gate();
    g.updateWaiting();
    g.updateWaiting();
    expect(calls).toEqual(['activate']);
  });

  it('stays quiet when there is no update', () => {
    const { g, calls } = gate();
    g.setSessionActive(true);
    g.setSessionActive(false);
    expect(calls).toEqual([]);
  });
});
