/**
 * The one database interface the rest of the code sees. Two adapters implement it:
 * PGlite (embedded, in-process) and node-postgres (a real PostgreSQL server).
 * Queries are plain parameterised SQL that runs unchanged on both.
 */
export interface Db {
  /** Runs one statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs several statements separated by semicolons, without parameters (migrations, seeds). */
  exec(sql: string): Promise<void>;
  /** Runs `work` inside one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** 'embedded' (PGlite) or 'postgres'. */
  readonly kind: 'embedded' | 'postgres';
}

/** Thrown by the store when a unique or exclusion constraint rejects a write. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
