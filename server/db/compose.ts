/**
 * One statement made of several writes. Each part adds a data-modifying CTE (`WITH name AS
 * (...)`) with its own parameters, and the whole runs in one round trip. On the load path the
 * database round trips, not the SQL, were most of the cost (a load took 21 of them; issue 5's
 * profile): composing the writes of a phase into one statement is what cuts them.
 *
 * PostgreSQL runs every data-modifying CTE exactly once, all against the statement's snapshot,
 * and a row may be changed by only one of them: a second UPDATE of the same row in one statement
 * is silently ignored. Hazard: that would lose money, so every part claims the rows it writes
 * (`claim`) and a second claim of one row is a programmer error, refused before anything runs.
 */
import type { QueryResult, Row, Sql } from './types.ts';

export class Statement {
  private readonly ctes: string[] = [];
  private readonly values: unknown[] = [];
  private readonly claimed = new Set<string>();

  /** A placeholder for `value`; cast it in SQL (`$3::bigint[]`) where the type is not obvious. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Adds `body` as a CTE and returns its name, unique within the statement. */
  cte(stem: string, body: string): string {
    const name = `${stem}_${this.ctes.length + 1}`;
    this.ctes.push(`${name} AS (${body})`);
    return name;
  }

  /** Claims a row (`account:17`, `card:…`) for writing; claiming one row twice is a programmer error. */
  claim(row: string): void {
    if (this.claimed.has(row)) throw new Error(`assertion: ${row} written twice in one statement`);
    this.claimed.add(row);
  }

  get isEmpty(): boolean {
    return this.ctes.length === 0;
  }

  /** Runs every part, then `final` (which may read the CTEs by name). */
  run<R extends Row = Row>(sql: Sql, final = 'SELECT 1'): Promise<QueryResult<R>> {
    const text = this.ctes.length === 0 ? final : `WITH ${this.ctes.join(',\n')}\n${final}`;
    return sql.query<R>(text, this.values);
  }
}
