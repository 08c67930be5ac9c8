/**
 * Operation ids for the centre's writes (server/stock/once.ts keeps them exactly once): the same
 * request sent again after a failure (a lost answer, the network) goes with the same id, so the
 * server answers its first answer instead of moving cards twice; a changed request gets a new id.
 */
export class OperationIds {
  #pending: { key: string; id: string } | null = null;

  /** The id for this request: the pending one when the request is the same as the last unfinished one. */
  idFor(request: unknown): string {
    const key = JSON.stringify(request);
    if (this.#pending?.key !== key) this.#pending = { key, id: crypto.randomUUID() };
    return this.#pending.id;
  }

  /** The request was answered (applied or refused): the next one gets a new id. */
  done(): void {
    this.#pending = null;
  }
}
