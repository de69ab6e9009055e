#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Capability } from './domain/practice.ts';
import { isStructuredArea, structuredAreas } from './domain/structured-areas.ts';
import { setEnabled, setStructuredAreaEnabled } from './store/practices.ts';
import { InvalidConsumerRequest, sendConsumerRequest } from './consumer/request.ts';
import { interactions } from './interactions.ts';
import { ConfigError, loadConfig, maxDiaryDays, wholeNumber } from './config.ts';
import { extendDiaryAhead, ukDateAfter } from './appointments/diary-upkeep.ts';
import { ukDate } from './fhir/datetime.ts';
import { clearPracticeData, loadSeed } from './seed/load-seed.ts';
import { migrate } from './store/migrate.ts';
import { openDb } from './store/open.ts';
import { startServer } from './server.ts';
import { importCommand } from './import/import-command.ts';

const usage = `gpc: the gpconnect-provider command line

  gpc serve            start the provider (migrates, and seeds an empty store with the test data pack)
  gpc migrate          bring the store's schema up to date
  gpc seed [--reset]   load the test data pack (--reset first deletes every practice's data)
  gpc diary [--days N] generate every practice's rolling diary N days ahead (default GPC_DIARY_DAYS, 28)
  gpc enable|disable <ODS> <gpconnect|appointments|structured>
                       switch GP Connect or one capability on or off for a practice (recorded in enablement_change)
  gpc enable|disable <ODS> structured:<area>
                       switch one Access Record Structured clinical area on or off for a practice (recorded too);
                       <area> is one of ${structuredAreas.join(', ')}
  gpc request <METHOD> <path> --interaction <urn> [--root URL] [--asid ASID] [--scope S] [--xml] [--body FILE]
                       send one well-formed GP Connect consumer request (fresh Ssp-* headers and audit JWT)
                       e.g. gpc request GET /Patient/2 --interaction urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1
  gpc import <ODS> <NHS number> <bundle.json|bundle.xml>
                       replace the patient's clinical record with a structured record Bundle (exit 2 if it cannot be mapped)

Configuration comes from the environment: PORT, HOST, DATABASE_URL, GPC_DATA_DIR, LOG_LEVEL (see README).`;

const capabilities: Capability[] = ['gpconnect', 'appointments', 'structured'];

/** A mistake in the command line itself (options, arguments): one line, exit 2. */
class UsageError extends Error {}

/** parseArgs, its complaints (unknown option, missing value, stray argument) as usage errors. */
function options<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, ' '));
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const server = await startServer(config).catch((err: NodeJS.ErrnoException) => {
        const listening = err.syscall === 'listen' || err.syscall === 'getaddrinfo';
        throw listening ? new Error(`cannot listen on ${config.host}:${config.port}: ${err.message}`) : err;
      });
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
      const { values } = options(() => parseArgs({ args: rest, options: { reset: { type: 'boolean', default: false } } }));
      const db = await openDb(config);
      await migrate(db);
      if (values.reset) await clearPracticeData(db);
      const now = new Date();
      await loadSeed(db, ukDate(now));
      await extendDiaryAhead(db, now, config.diaryDays);
      console.log('loaded the test data pack');
      await db.close();
      return 0;
    }
    case 'diary': {
      const { values } = options(() => parseArgs({ args: rest, options: { days: { type: 'string', default: String(config.diaryDays) } } }));
      const days = wholeNumber(values.days!, 1, maxDiaryDays);
      if (days === undefined) throw new UsageError(`--days must be a whole number from 1 to ${maxDiaryDays}, not "${values.days}"`);
      const db = await openDb(config);
      await migrate(db);
      const created = await extendDiaryAhead(db, new Date(), days);
      await db.close();
      console.log(`diary generated through ${ukDateAfter(new Date(), days)}: ${created} new slots`);
      return 0;
    }
    case 'enable':
    case 'disable': {
      const [odsCode, capability, ...extra] = rest;
      if (extra.length > 0) throw new UsageError(`${command} takes <ODS> and one switch, not also "${extra.join(' ')}"`);
      // structured:<area> switches one clinical area of the structured record, not a capability.
      const area = capability?.startsWith('structured:') ? capability.slice('structured:'.length) : undefined;
      if (area !== undefined && !isStructuredArea(area)) {
        console.error(`unknown structured area "${area}": one of ${structuredAreas.join(', ')}`);
        return 2;
      }
      if (!odsCode || (area === undefined && !capabilities.includes(capability as Capability))) {
        console.error(usage);
        return 2;
      }
      const db = await openDb(config);
      await migrate(db);
      const changedBy = `gpc (${userInfo().username})`;
      const changed = area !== undefined
        ? await setStructuredAreaEnabled(db, odsCode, area, command === 'enable', changedBy)
        : await setEnabled(db, odsCode, capability as Capability, command === 'enable', changedBy);
      await db.close();
      console.log(changed ? `${capability} ${command}d for ${odsCode}` : `no practice ${odsCode}`);
      return changed ? 0 : 1;
    }
    case 'request': {
      const { values, positionals } = options(() => parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          interaction: { type: 'string' },
          root: { type: 'string', default: `http://127.0.0.1:${config.port}/B82617/STU3/1/gpconnect` },
          asid: { type: 'string', default: '918999198738' },
          from: { type: 'string', default: '200000000359' },
          scope: { type: 'string' },
          xml: { type: 'boolean', default: false },
          body: { type: 'string' },
        },
      }));
      const [method, path, ...extra] = positionals;
      if (!method || !path || !values.interaction) {
        console.error(usage);
        return 2;
      }
      if (extra.length > 0) throw new UsageError(`request takes <METHOD> and <path>, not also "${extra.join(' ')}"`);
      let body: string | undefined;
      try {
        body = values.body === undefined ? undefined : readFileSync(values.body, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read --body ${values.body}: ${(err as Error).message}`);
      }
      const interaction = interactions.find((i) => i.id === values.interaction);
      const response = await sendConsumerRequest({
        root: values.root!,
        method: method.toUpperCase(),
        path,
        interactionId: values.interaction,
        scope: values.scope ?? interaction?.scope ?? 'organization/*.read',
        toAsid: values.asid!,
        fromAsid: values.from!,
        format: values.xml ? 'xml' : 'json',
        body,
      });
      console.log(`HTTP ${response.status}`);
      for (const [name, value] of response.headers) console.log(`${name}: ${value}`);
      console.log();
      console.log(response.body);
      return response.status < 400 ? 0 : 1;
    }
    case 'import': {
      const [odsCode, nhsNumber, file] = rest;
      if (!odsCode || !nhsNumber || !file) {
        console.error(usage);
        return 2;
      }
      return importCommand(config, odsCode, nhsNumber, file);
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
  (err: unknown) => {
    // One line, never a stack trace (GPC_DEBUG=1 shows it): exit 2 for a mistake in the command line.
    const usageMistake = err instanceof UsageError || err instanceof InvalidConsumerRequest;
    console.error(`gpc: ${err instanceof ConfigError ? 'configuration error: ' : ''}${oneLine(err)}`);
    if (process.env.GPC_DEBUG === '1') console.error(err);
    process.exit(usageMistake ? 2 : 1);
  },
);

function oneLine(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : typeof e?.code === 'string' ? e.code : String(err);
  return message.split('\n')[0]!.trim() || 'unexpected error';
}
