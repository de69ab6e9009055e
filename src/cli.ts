#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { clearPracticeData, loadSeed } from './seed/load-seed.ts';
import { migrate } from './store/migrate.ts';
import { openDb } from './store/open.ts';
import { startServer } from './server.ts';

const usage = `gpc: the gpconnect-provider command line

  gpc serve            start the provider (migrates, and seeds an empty store with the test data pack)
  gpc migrate          bring the store's schema up to date
  gpc seed [--reset]   load the test data pack (--reset first deletes every practice's data)

Configuration comes from the environment: PORT, HOST, DATABASE_URL, GPC_DATA_DIR, LOG_LEVEL (see README).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const server = await startServer(config);
      console.log(`gpconnect-provider listening on ${server.origin} (${config.databaseUrl ? 'PostgreSQL' : `embedded store in ${config.dataDir}`})`);
      for (const line of server.serviceRoots) console.log(`  ${line}`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keep running
    }
    case 'migrate': {
      const db = await openDb(config);
      const applied = await migrate(db);
      console.log(applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date');
      await db.close();
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { reset: { type: 'boolean', default: false } } });
      const db = await openDb(config);
      await migrate(db);
      if (values.reset) await clearPracticeData(db);
      await loadSeed(db);
      console.log('loaded the test data pack');
      await db.close();
      return 0;
    }
    default:
      console.log(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    process.exit(1);
  },
);
