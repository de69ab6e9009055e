import type { Db } from './db.ts';

/**
 * A view of `db` for one read-only piece of work (a structured record): a statement run again with
 * the same parameters shares the first run's rows instead of going back to the database. The
 * areas of a record read the same tables (a consultation's medications are the medications
 * area's), and on this path a round trip costs more than building the resources from its rows.
 * Callers must treat the rows as read-only. Writes and transactions are not allowed through it.
 */
export function readOnce(db: Db): Db {
  const reads = new Map<string, Promise<unknown[]>>();
  return {
    kind: db.kind,
    query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      const key = `${sql}\u0000${JSON.stringify(params)}`;
      let read = reads.get(key);
      if (!read) {
        read = db.query(sql, params);
        reads.set(key, read);
      }
      return read as Promise<Row[]>;
    },
    exec: () => Promise.reject(new Error('readOnce: read-only')),
    transaction: () => Promise.reject(new Error('readOnce: read-only')),
    close: async () => {},
  };
}
