/**
 * Inside a transaction, only its `tx`: a statement sent to the Database itself (query, exec or
 * another transaction) from inside one of that Database's own transactions is refused at once with
 * a DatabaseMisuseError, a programmer error, on both engines. Both openers wrap what they return.
 *
 * Why: PGlite has one connection, and a transaction holds it until its callback returns. A
 * statement sent to the Database waits for that connection while the callback waits for the
 * statement, so the process hangs for ever, every later request and /healthz included (issue 11:
 * one load.recover naming an unknown key version did it through the key store). On PostgreSQL the
 * same code quietly takes a second pooled connection, which does not see the transaction's own
 * writes and can wait for the transaction's own row locks (a wait PostgreSQL cannot see as a
 * deadlock, since the other side of it is in JavaScript). One set of code runs on both engines
 * (docs/architecture.md decision 8), so the rule is the same on both, and a test on either engine
 * fails on the first such path, loudly, instead of one engine hanging.
 *
 * How: an AsyncLocalStorage marks a transaction's callback, and everything it starts and awaits,
 * as "inside a transaction of this Database". The mark is closed when the callback settles, so
 * work the callback left behind is not blamed once the connection is free again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, QueryResult, Row, Sql, TransactionOptions } from './types.ts';

export class DatabaseMisuseError extends Error {
  readonly code = 'DATABASE_USED_INSIDE_OWN_TRANSACTION';
  constructor(kind: Database['kind'], what: 'query' | 'exec' | 'transaction') {
    super(
      `programmer error: db.${what}() was called from inside a transaction of the same ${kind} database. ` +
        `Inside db.transaction(fn), run every statement on fn's tx: on PGlite the one connection would wait for itself for ever.`,
    );
    this.name = 'DatabaseMisuseError';
  }
}

/** One open transaction's mark; `outer` is the mark this one was opened under (another Database's). */
type Mark = { readonly owner: object; open: boolean; readonly outer: Mark | undefined };

const marks = new AsyncLocalStorage<Mark>();

function insideTransactionOf(owner: object): boolean {
  for (let mark = marks.getStore(); mark !== undefined; mark = mark.outer) if (mark.owner === owner && mark.open) return true;
  return false;
}

/** `db` with the rule above enforced; `db` itself must not be handed out. */
export function guardOwnTransactions(db: Database): Database {
  const owner = {};
  const refuse = (what: 'query' | 'exec' | 'transaction'): void => {
    if (insideTransactionOf(owner)) throw new DatabaseMisuseError(db.kind, what);
  };
  return {
    kind: db.kind,
    async query<R extends Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      refuse('query');
      return db.query<R>(text, params);
    },
    async exec(text: string): Promise<void> {
      refuse('exec');
      return db.exec(text);
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>, options?: TransactionOptions): Promise<T> {
      refuse('transaction');
      return db.transaction((tx) => {
        const mark: Mark = { owner, open: true, outer: marks.getStore() };
        return marks
          .run(mark, async () => fn(tx))
          .finally(() => {
            mark.open = false;
          });
      }, options);
    },
    close: () => db.close(),
  };
}
