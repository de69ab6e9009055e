import type { FastifyInstance } from 'fastify';
import { extendDiaryAhead, keepDiaryAhead } from './appointments/diary-upkeep.ts';
import { buildApp } from './app.ts';
import { ukDate } from './fhir/datetime.ts';
import { safeError } from './http/pipeline.ts';
import type { Config } from './config.ts';
import { isSeeded, loadSeed } from './seed/load-seed.ts';
import type { Db } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { openDb } from './store/open.ts';
import { storedPds } from './store/pds-stub.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Db;
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  /** One line per practice: its Foundations/Appointments and Structured service roots. */
  serviceRoots: string[];
  close(): Promise<void>;
}

/**
 * Opens the store, brings its schema up to date, loads the test data pack into an empty store
 * (unless `seed` is false), and starts listening.
 */
export async function startServer(config: Config, options: { seed?: boolean; db?: Db } = {}): Promise<RunningServer> {
  const db = options.db ?? (await openDb(config));
  await migrate(db);
  const now = new Date();
  if (options.seed !== false && !(await isSeeded(db))) await loadSeed(db, ukDate(now));
  await extendDiaryAhead(db, now, config.diaryDays);
  const { app, practices } = await buildApp({ db, pds: storedPds(db), logLevel: config.logLevel, bodyLimit: config.bodyLimit });
  const stopDiary = keepDiaryAhead(db, () => new Date(), config.diaryDays, (err) => app.log.error({ err: safeError(err) }, 'diary could not be extended'));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const serviceRoots = (await practices.all()).map(
    (p) => `${p.odsCode} ${p.name}: ${origin}/${p.odsCode}/STU3/1/gpconnect  (structured: ${origin}/${p.odsCode}/STU3/1/gpconnect/structured)`,
  );
  return {
    app,
    db,
    origin,
    serviceRoots,
    async close() {
      stopDiary();
      await app.close();
      if (!options.db) await db.close();
    },
  };
}
