import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything the provider reads from its environment, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Unset: the embedded PGlite store in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Connections in the pool to a PostgreSQL server. */
  poolSize: number;
  /** How many days ahead the rolling diary is kept generated. */
  diaryDays: number;
}

const logLevels: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {}

/** The most days ahead the diary may be generated (GPC_DIARY_DAYS, `gpc diary --days`). */
export const maxDiaryDays = 3660;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env.PORT || '8080', 'PORT', 0, 65535);
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: databaseUrl(env.DATABASE_URL),
    dataDir: resolve(env.GPC_DATA_DIR || '.data/pglite'),
    logLevel,
    bodyLimit: integer(env.GPC_BODY_LIMIT || '1048576', 'GPC_BODY_LIMIT', 1024, 100 * 1024 * 1024),
    poolSize: integer(env.GPC_POOL_SIZE || '16', 'GPC_POOL_SIZE', 1, 1000),
    diaryDays: integer(env.GPC_DIARY_DAYS || '28', 'GPC_DIARY_DAYS', 1, maxDiaryDays),
  };
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = wholeNumber(text, min, max);
  if (value === undefined) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** `text` as a whole number from min to max, written in plain decimal digits; else undefined. */
export function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** Empty means unset. The value is never echoed back: it may hold a password. */
function databaseUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    throw new ConfigError('DATABASE_URL is not a URL (postgres://user@host:5432/db)');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL, not ${protocol}`);
  }
  return text;
}
