import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { Db } from './db.ts';

/**
 * Embedded PostgreSQL (PGlite, WASM). `dataDir` undefined = in memory.
 * PGlite is single-connection: its own queue serialises statements and transactions,
 * which is what makes a transaction here as isolated as one on a server.
 */
export async function openEmbeddedDb(dataDir?: string, loadDataDir?: Blob): Promise<Db & { pglite: PGlite }> {
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir,
    // Same value shapes as the pg adapter: DATE as 'YYYY-MM-DD', int8 as a number.
    parsers: { [types.DATE]: (v: string) => v, [types.INT8]: (v: string) => Number(v) },
  });
  return wrap(pglite, pglite);
}

function wrap(pglite: PGlite, conn: PGlite | Transaction): Db & { pglite: PGlite } {
  return {
    kind: 'embedded',
    pglite,
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await conn.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      if (conn !== pglite) return work(wrap(pglite, conn)); // already inside one: PGlite has no nesting
      return pglite.transaction((tx) => work(wrap(pglite, tx)));
    },
    async close() {
      if (conn === pglite) await pglite.close();
    },
  };
}
