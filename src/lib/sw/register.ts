/**
 * Registers the service worker (sw/sw.ts, built to /sw.js) with workbox-window and applies
 * updates through the UpdateGate. Checks for a new version every hour; a kiosk runs for weeks.
 */
import { Workbox } from 'workbox-window';
import { writable, type Readable } from 'svelte/store';
import { cardSessionActive } from '../session/active.ts';
import { UpdateGate, type UpdateState } from './update-gate.ts';

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

const state = writable<UpdateState>('current');
export const updateState: Readable<UpdateState> = state;

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js');
  const gate = new UpdateGate({
    activate: () => wb.messageSkipWaiting(),
    reload: () => window.location.reload(),
  });
  const sync = (): void => state.set(gate.state);
  wb.addEventListener('waiting', () => {
    gate.updateWaiting();
    sync();
  });
  wb.addEventListener('controlling', (event) => {
    if (!event.isUpdate) return;
    gate.controllerChanged();
    sync();
  });
  cardSessionActive.subscribe((active) => {
    gate.setSessionActive(active);
    sync();
  });
  void wb.register();
  setInterval(() => void wb.update(), UPDATE_CHECK_INTERVAL_MS);
}
