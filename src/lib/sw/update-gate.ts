/**
 * When to apply a new service worker. A waiting worker is told to take over (skip waiting) and
 * the page is reloaded onto it, but never while a customer's card session is in progress: a
 * reload in the middle of a load would leave the customer looking at a start screen with the
 * card still in the reader. Both steps wait for the session to end.
 */
export type UpdateActions = {
  /** Ask the waiting worker to activate (workbox-window messageSkipWaiting). */
  activate(): void;
  /** Reload the page so it runs the new version. */
  reload(): void;
};

export type UpdateState = 'current' | 'waiting' | 'activating' | 'reload-pending';

export class UpdateGate {
  #state: UpdateState = 'current';
  #sessionActive = false;
  readonly #actions: UpdateActions;

  constructor(actions: UpdateActions) {
    this.#actions = actions;
  }

  get state(): UpdateState {
    return this.#state;
  }

  /** A new worker is installed and waiting. */
  updateWaiting(): void {
    if (this.#state === 'current') this.#state = 'waiting';
    this.#advance();
  }

  /** The new worker now controls the page (after our skip-waiting, or another tab's). */
  controllerChanged(): void {
    this.#state = 'reload-pending';
    this.#advance();
  }

  setSessionActive(active: boolean): void {
    this.#sessionActive = active;
    this.#advance();
  }

  #advance(): void {
    if (this.#sessionActive) return;
    if (this.#state === 'waiting') {
      this.#state = 'activating';
      this.#actions.activate();
    } else if (this.#state === 'reload-pending') {
      this.#state = 'current';
      this.#actions.reload();
    }
  }
}
