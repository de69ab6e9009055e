import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openEmbeddedDb } from './pglite.ts';
import { openPostgresDb } from './postgres.ts';

/** The store the configuration names: PostgreSQL when DATABASE_URL is set, else embedded PGlite. */
export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'poolSize'>): Promise<Db> {
  if (config.databaseUrl) return openPostgresDb(config.databaseUrl, config.poolSize);
  mkdirSync(config.dataDir, { recursive: true });
  return openEmbeddedDb(config.dataDir);
}
