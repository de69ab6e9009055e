import pg from 'pg';
import type { Db } from './db.ts';

// Return DATE and TIMESTAMP columns as the strings PostgreSQL prints, as PGlite does not;
// dates are formatted explicitly in SQL where a resource needs them.
pg.types.setTypeParser(1082, (v) => v); // date
pg.types.setTypeParser(20, (v) => Number(v)); // int8 (audit sequence numbers stay well below 2^53)

/** A real PostgreSQL server through a node-postgres pool. */
export function openPostgresDb(connectionString: string, poolSize = 16): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  return poolDb(pool);
}

/**
 * Statements with parameters go as named prepared statements: each connection parses and plans
 * a statement once, then only binds values (the hot paths run the same few statements).
 */
const statementNames = new Map<string, string>();
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `gpc_${statementNames.size}`));
  return { name, text, values };
}

function poolDb(pool: pg.Pool): Db {
  return {
    kind: 'postgres',
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = params.length > 0 ? await pool.query(prepared(sql, params)) : await pool.query(sql);
      return result.rows as Row[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(clientDb(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * One connection (a transaction). Its statements run one after another, in the order asked for:
 * callers may ask for several at once (a structured record's areas do), and node-postgres
 * deprecates queueing a query on a client that is already running one.
 */
function clientDb(client: pg.PoolClient): Db {
  let previous: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(run: () => Promise<T>): Promise<T> => {
    const next = previous.then(run, run);
    previous = next.catch(() => {});
    return next;
  };
  return {
    kind: 'postgres',
    query<Row>(sql: string, params: unknown[] = []) {
      return inTurn(async () => (params.length > 0 ? await client.query(prepared(sql, params)) : await client.query(sql)).rows as Row[]);
    },
    exec(sql: string) {
      return inTurn(async () => {
        await client.query(sql);
      });
    },
    transaction: (work) => work(clientDb(client)),
    async close() {},
  };
}
