import pg from 'pg';
import { openEmbeddedDb } from '../../src/store/pglite.ts';
import { openPostgresDb } from '../../src/store/postgres.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { loadSeed } from '../../src/seed/load-seed.ts';
import { extendDiaryAhead } from '../../src/appointments/diary-upkeep.ts';
import { ukDate } from '../../src/fhir/datetime.ts';

/** The moment the test databases were seeded: the diary is laid out from this day. */
export const seededAt = new Date();

/**
 * The two stores every integration test runs on. Each test suite gets its own fresh, migrated and
 * seeded database, cloned from a template made once per run: a PGlite data-directory dump, or a
 * PostgreSQL `CREATE DATABASE ... TEMPLATE`.
 */
export interface TestStore {
  name: 'embedded' | 'postgres';
  /** Why the store is unavailable (tests are then skipped, visibly); undefined when usable. */
  unavailable(): Promise<string | undefined>;
  /** The answer of unavailable(), once checkStores() has run. */
  problem?: string;
  freshDb(): Promise<Db>;
}

const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let embeddedTemplate: Promise<Blob> | undefined;

const embedded: TestStore = {
  name: 'embedded',
  unavailable: async () => undefined,
  async freshDb() {
    embeddedTemplate ??= (async () => {
      const db = await openEmbeddedDb();
      await migrate(db);
      await loadSeed(db, ukDate(seededAt));
      await extendDiaryAhead(db, seededAt, 28);
      const dump = await db.pglite.dumpDataDir('none');
      await db.close();
      return dump;
    })();
    return openEmbeddedDb(undefined, await embeddedTemplate);
  },
};

let postgresTemplate: Promise<string> | undefined;
let postgresProblem: Promise<string | undefined> | undefined;
let databaseCount = 0;
const runId = `${process.pid}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function urlFor(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const postgres: TestStore = {
  name: 'postgres',
  unavailable() {
    postgresProblem ??= admin(async (c) => void (await c.query('SELECT 1'))).then(
      () => undefined,
      (err: Error) => {
        // In CI PostgreSQL must be there: a missing server fails the run instead of skipping half of it.
        if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${postgresUrl}: ${err.message}`);
        return `PostgreSQL not reachable at ${postgresUrl} (set TEST_DATABASE_URL)`;
      },
    );
    return postgresProblem;
  },
  async freshDb() {
    postgresTemplate ??= (async () => {
      const name = `gpc_template_${runId}`;
      await admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
        await c.query(`CREATE DATABASE ${name}`);
      });
      const db = openPostgresDb(urlFor(name), 2);
      await migrate(db);
      await loadSeed(db, ukDate(seededAt));
      await extendDiaryAhead(db, seededAt, 28);
      await db.close();
      return name;
    })();
    const template = await postgresTemplate;
    const name = `gpc_test_${runId}_${++databaseCount}`;
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    });
    const db = openPostgresDb(urlFor(name), 8);
    created.push(name);
    return db;
  },
};

const created: string[] = [];

/** Drops the databases this run made on the PostgreSQL server. */
export async function dropTestDatabases(): Promise<void> {
  if (!postgresTemplate) return;
  const template = await postgresTemplate.catch(() => undefined);
  await admin(async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name}`);
    if (template) await c.query(`DROP DATABASE IF EXISTS ${template}`);
  }).catch(() => {});
}

export const testStores: TestStore[] = (process.env.TEST_STORES ?? 'embedded,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map((name) => {
    if (name === 'embedded') return embedded;
    if (name === 'postgres') return postgres;
    throw new Error(`TEST_STORES: unknown store ${name}`);
  });

/**
 * Finds out, before any test is declared, which stores can be used: node:test needs to know
 * whether to skip a suite when it is declared, not later.
 */
export async function checkStores(): Promise<void> {
  for (const store of testStores) store.problem = await store.unavailable();
}
