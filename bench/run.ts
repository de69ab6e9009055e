/**
 * npm run bench [-- --store embedded|postgres|both --seconds 10 --connections 32 --only <name> --patients N]
 *
 * For each interaction: the provider (its own process, pinned to core 0 where taskset exists)
 * under the same load as a raw node:http server sending the same response bytes; the load
 * generator runs here, pinned to core 1. Prints requests/s, p50 and p99, the ratio to raw, and
 * the CPU milliseconds one request costs the provider and (PostgreSQL store) the database.
 * Also times a restart of the embedded store on existing data.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { auditToken } from '../src/consumer/audit-token.ts';
import { addPatients } from './add-patients.ts';
import { postgresCpuSeconds, processCpuSeconds } from './cpu-time.ts';
import { bookThenCancel, percentile } from './book-cancel.ts';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    // PostgreSQL only: add a year of diary for 50 more practitioners, then search again.
    'year-diary': { type: 'boolean', default: true },
    // PostgreSQL only: add this many patients, each with a copy of the richest test patient's
    // record, then read the structured record again (the issue's check is 100000: ~25 minutes here).
    patients: { type: 'string', default: '0' },
    // Only the interactions whose name contains this text (no book/cancel or year-of-diary runs;
    // the many-patients run only when structured ones are selected).
    only: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
if (hasTaskset) spawnSync('taskset', ['-pc', '1', String(process.pid)]); // load generator on core 1

const urn = 'urn:nhs:names:services:gpconnect:fhir:';
/** One interaction to load; `connections` overrides the run's connection count. */
interface Case { name: string; path: string; interaction: string; scope: string; body?: string; connections?: number }
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const slotSearch: Case = {
  name: 'slot search (week)',
  path: `/Slot?start=ge${day(1)}&end=le${day(8)}&status=free&_include=Slot:schedule&_include:recurse=Schedule:actor:Practitioner&_include:recurse=Schedule:actor:Location&_include:recurse=Location:managingOrganization&searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617`,
  interaction: `${urn}rest:search:slot-1`,
  scope: 'organization/*.read',
};
const structuredRecord = (...parameters: Record<string, unknown>[]) => JSON.stringify({
  resourceType: 'Parameters',
  parameter: [{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9690937286' } }, ...parameters],
});
const structuredCases: Case[] = [
  {
    name: 'structured: allergies',
    path: '/structured/Patient/$gpc.getstructuredrecord',
    interaction: `${urn}operation:gpc.getstructuredrecord-1`,
    scope: 'patient/*.read',
    body: structuredRecord({ name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: true }] }),
  },
  {
    name: 'structured: full',
    path: '/structured/Patient/$gpc.getstructuredrecord',
    interaction: `${urn}operation:gpc.getstructuredrecord-1`,
    scope: 'patient/*.read',
    // The richest test patient (patient2), every clinical area.
    body: structuredRecord(
      { name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: true }] },
      { name: 'includeMedication' }, { name: 'includeConsultations' }, { name: 'includeProblems' },
      { name: 'includeImmunisations' }, { name: 'includeUncategorisedData' }, { name: 'includeInvestigations' },
      { name: 'includeReferrals' }, { name: 'includeDiaryEntries' },
    ),
  },
];
// The same requests one at a time: the latency a lone consumer sees, with no queue in front of it.
const structuredAlone: Case[] = structuredCases.map((c) => ({ ...c, name: `${c.name} (1 conn)`, connections: 1 }));
const cases: Case[] = [
  { name: 'metadata', path: '/metadata', interaction: `${urn}rest:read:metadata-1`, scope: 'organization/*.read' },
  { name: 'patient search', path: '/Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937286', interaction: `${urn}rest:search:patient-1`, scope: 'patient/*.read' },
  { name: 'patient read', path: '/Patient/2', interaction: `${urn}rest:read:patient-1`, scope: 'patient/*.read' },
  { name: 'practitioner read', path: '/Practitioner/1', interaction: `${urn}rest:read:practitioner-1`, scope: 'organization/*.read' },
  { name: 'organisation search', path: '/Organization?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617', interaction: `${urn}rest:search:organization-1`, scope: 'organization/*.read' },
  slotSearch,
  ...structuredCases,
  ...structuredAlone,
];

function headersFor(c: Case): Record<string, string> {
  return {
    ...(c.body ? { 'Content-Type': 'application/fhir+json;charset=utf-8' } : {}),
    'Ssp-TraceID': crypto.randomUUID(),
    'Ssp-From': '200000000359',
    'Ssp-To': '918999198738',
    'Ssp-InteractionID': c.interaction,
    Authorization: `Bearer ${auditToken({ scope: c.scope })}`,
    Accept: 'application/fhir+json',
  };
}

/** Starts a server script pinned to core 0 and waits for its READY line. */
function startPinned(script: string, scriptArgs: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; origin: string; ms: number }> {
  const command = ['node', '--import', 'tsx', script, ...scriptArgs];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', ...command], { env }) : spawn(command[0]!, command.slice(1), { env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /READY (\S+) (\d+)/.exec(out);
      if (m) resolve({ child, origin: m[1]!, ms: Number(m[2]) });
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Result { rps: number; p50: number; p99: number; errors: number; requests: number }

async function load(url: string, headers: Record<string, string>, body: string | undefined, clients = connections): Promise<Result> {
  const r = await autocannon({ url, headers, connections: clients, duration: seconds, pipelining: 1, ...(body ? { method: 'POST' as const, body } : {}) });
  const non2xx = r.non2xx + r.errors + r.timeouts;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: non2xx, requests: r.requests.total };
}

/** Milliseconds of CPU per request, as text ('-' where /proc cannot tell). */
function cpuPerRequest(before: number | undefined, after: number | undefined, requests: number): string {
  return before === undefined || after === undefined || requests === 0 ? '-' : ((after - before) * 1000 / requests).toFixed(1);
}

/** One interaction under load against the provider, then the same bytes from raw node:http. */
/** The provider under test: its service root, its store, and its process (for its CPU time). */
interface Target { base: string; store: string; pid: number }

async function compareWithRaw(c: Case, { base, store, pid: providerPid }: Target): Promise<string> {
  const headers = headersFor(c);
  const probe = await fetch(base + c.path, { headers, ...(c.body ? { method: 'POST', body: c.body } : {}) });
  if (probe.status !== 200) throw new Error(`${c.name}: provider answered ${probe.status}: ${await probe.text()}`);
  const bytes = Buffer.from(await probe.arrayBuffer());
  const cpuBefore = { provider: processCpuSeconds(providerPid), db: store === 'postgres' ? postgresCpuSeconds() : undefined };
  const ours = await load(base + c.path, headers, c.body, c.connections);
  const cpu = {
    provider: cpuPerRequest(cpuBefore.provider, processCpuSeconds(providerPid), ours.requests),
    db: cpuPerRequest(cpuBefore.db, store === 'postgres' ? postgresCpuSeconds() : undefined, ours.requests),
  };

  const file = join(tmpdir(), `gpc-bench-body-${process.pid}`);
  writeFileSync(file, bytes);
  const raw = await startPinned('bench/serve-raw.ts', [file, probe.headers.get('content-type') ?? ''], process.env);
  const ceiling = await load(raw.origin + c.path, headers, c.body, c.connections);
  await stop(raw.child);
  rmSync(file, { force: true });

  const line = [c.name.padEnd(30), store.padEnd(9), String(Math.round(ours.rps)).padStart(7), `${ours.p50}`.padStart(6), `${ours.p99}`.padStart(6),
    String(Math.round(ceiling.rps)).padStart(8), `${ceiling.p50}`.padStart(6), `${ceiling.p99}`.padStart(6),
    (ours.rps / ceiling.rps).toFixed(2).padStart(6), cpu.provider.padStart(8), cpu.db.padStart(6),
    ours.errors ? `  (${ours.errors} non-2xx/errors)` : ''].join(' ');
  console.log(line);
  return line;
}

/**
 * A year of 10-minute slots, 09:00–17:00 every day, for 50 schedules of the store's other practice:
 * the searched practice's week is unchanged, the slot table is 250 times larger.
 */
async function addYearOfDiary(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`INSERT INTO schedule (practice, id, practitioner_id, location_id, service_category, practitioner_role, planning_horizon_start)
    SELECT 'GPC002', 'bench-' || n, '1', '1', 'General practice', '{"code":"R0260","display":"General Medical Practitioner"}', now()
    FROM generate_series(1, 50) AS n`);
  const result = await client.query(`INSERT INTO slot (practice, schedule_id, start_at, end_at, service_type, delivery_channel)
    SELECT 'GPC002', 'bench-' || n, t, t + interval '10 minutes', 'General GP appointment', 'In-person'
    FROM generate_series(1, 50) AS n,
         generate_series(date_trunc('day', now()) + interval '1 day 9 hours', date_trunc('day', now()) + interval '366 days', interval '10 minutes') AS t
    WHERE t::time >= '09:00' AND t::time < '17:00'`);
  await client.query('ANALYZE slot');
  await client.end();
  return result.rowCount ?? 0;
}

/** The structured cases again after adding `count` patients with records like the richest one's. */
async function structuredWithManyPatients(databaseUrl: string, count: number, target: Target): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  const rows = await addPatients(client, 'B82617', '2', count);
  await client.end();
  const lines = [`added ${count} patients (${(rows / 1e6).toFixed(1)}M rows) in ${Math.round((Date.now() - started) / 1000)} s`];
  console.log(lines[0]);
  for (const c of structuredCases) lines.push(await compareWithRaw({ ...c, name: `${c.name} +${Math.round(count / 1000)}k pts` }, target));
  return lines;
}

async function benchStore(store: 'embedded' | 'postgres'): Promise<string[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  let dataDir: string | undefined;
  if (store === 'embedded') {
    dataDir = mkdtempSync(join(tmpdir(), 'gpc-bench-'));
    env.GPC_DATA_DIR = dataDir;
    delete env.DATABASE_URL;
  } else {
    const url = new URL(args['database-url']!);
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS gpc_bench');
    await admin.query('CREATE DATABASE gpc_bench');
    await admin.end();
    url.pathname = '/gpc_bench';
    env.DATABASE_URL = url.toString();
  }
  const lines: string[] = [];
  let provider = await startPinned('bench/serve-provider.ts', [], env);
  if (store === 'embedded') {
    // Restart on existing data: the figure the README promises (≤ 3 s).
    await stop(provider.child);
    provider = await startPinned('bench/serve-provider.ts', [], env);
    lines.push(`embedded store restart on existing data: ${provider.ms} ms to listening`);
  }
  const base = `${provider.origin}/B82617/STU3/1/gpconnect`;
  const target: Target = { base, store, pid: provider.child.pid! };
  for (const c of cases) if (!args.only || c.name.includes(args.only)) lines.push(await compareWithRaw(c, target));
  if (store === 'postgres' && Number(args.patients) > 0 && (!args.only || 'structured'.includes(args.only) || args.only.includes('structured'))) {
    lines.push(...(await structuredWithManyPatients(env.DATABASE_URL!, Number(args.patients), target)));
  }
  if (args.only) {
    await stop(provider.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    return lines;
  }

  const commands = await bookThenCancel(base, connections, seconds);
  const ms = (values: number[], p: number) => percentile(values, p).toFixed(1);
  lines.push(`book then cancel    ${store.padEnd(9)} ${commands.pairsPerSecond.toFixed(0).padStart(7)} pairs/s; book p50 ${ms(commands.book, 50)} p99 ${ms(commands.book, 99)} ms; cancel p50 ${ms(commands.cancel, 50)} p99 ${ms(commands.cancel, 99)} ms${commands.failures ? `; ${commands.failures} failures` : ''}`);
  console.log(lines.at(-1));

  if (store === 'postgres' && args['year-diary']) {
    const added = await addYearOfDiary(env.DATABASE_URL!);
    lines.push(await compareWithRaw({ ...slotSearch, name: `slot search +${Math.round(added / 1000)}k` }, target));
  }
  await stop(provider.child);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  return lines;
}

const stores = args.store === 'both' ? (['postgres', 'embedded'] as const) : [args.store as 'embedded' | 'postgres'];
console.log(`${connections} connections, ${seconds} s per run, ${hasTaskset ? 'server on core 0, load on core 1' : 'no taskset: not pinned'}; latency in ms`);
console.log('interaction                    store      req/s    p50    p99  raw req/s raw p50 raw p99  ratio cpu ms/request: provider  db');
const summary: string[] = [];
for (const store of stores) summary.push(...(await benchStore(store)).filter((l) => l.startsWith('embedded store restart')));
for (const line of summary) console.log(line);
