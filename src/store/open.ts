import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openEmbeddedDb } from './pglite.ts';
import { openPostgresDb } from './postgres.ts';

/** How long `openDb` waits for a PostgreSQL server to answer before giving up. */
const connectTimeoutMs = 15_000;

/**
 * The store the configuration names: PostgreSQL when DATABASE_URL is set, else embedded PGlite.
 * A store that cannot be opened is an Error with a one-line message fit to show as it is (no
 * password, no stack needed).
 */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'poolSize'>): Promise<Db> {
  if (config.databaseUrl) return connectPostgres(config.databaseUrl, config.poolSize);
  prepareDataDir(config.dataDir);
  return openEmbeddedDb(config.dataDir);
}

/** Opens the pool and makes one round trip, so an unreachable server is reported here, once. */
async function connectPostgres(url: string, poolSize: number): Promise<Db> {
  const db = openPostgresDb(url, poolSize);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
      }),
    ]);
    return db;
  } catch (err) {
    void db.close().catch(() => {});
    throw new Error(`cannot connect to the database at ${withoutPassword(url)}: ${reason(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The connection string with any password (in the userinfo or a `password` parameter) removed. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.searchParams.delete('password');
    return u.href;
  } catch {
    return '(DATABASE_URL, not a URL)';
  }
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] || ((err as { code?: string }).code ?? 'unknown error');
}

/**
 * Makes sure the embedded store's directory can hold a store: an existing store, an empty
 * directory, or a path that can be created. Missing levels are created one at a time (a recursive
 * mkdir can spin forever under /proc).
 */
function prepareDataDir(dir: string): void {
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const problem = (what: string) => new Error(`GPC_DATA_DIR ${dir}: ${what}`);
  if (!statSync(existing).isDirectory()) {
    throw problem(existing === dir ? 'not a directory' : `${existing} is not a directory`);
  }
  if (missing.length === 0) {
    const entries = readdirSync(existing);
    if (entries.length > 0 && !entries.includes('PG_VERSION')) throw problem('not empty, and not a store (no PG_VERSION)');
    return;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      throw problem(`cannot create ${level}: ${reason(err)}`);
    }
  }
}
