import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';

/**
 * The command line's failures: one line on stderr starting `gpc:`, exit 2 for a mistake in the
 * command line, exit 1 for a failure at run time, never a stack trace nor a password. Nothing here
 * opens a store: the database is a closed port, so a check that is missing fails fast too.
 */
describe('gpc: errors on the command line', () => {
  const closedDb = 'postgres://postgres:hunter2@127.0.0.1:1/x';
  const interaction = ['--interaction', 'urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1'];
  const dir = mkdtempSync(join(tmpdir(), 'gpc-cli-'));
  const file = join(dir, 'file.json');
  writeFileSync(file, '{}');
  const notStore = join(dir, 'not-a-store');
  mkdirSync(notStore);
  writeFileSync(join(notStore, 'notes.txt'), 'hello');
  let closedRoot = '';
  before(async () => {
    // A port nothing listens on (and one fetch does not refuse outright, as it does port 1).
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    closedRoot = `http://127.0.0.1:${port}/B82617/STU3/1/gpconnect`;
  });

  const gpc = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, DATABASE_URL: closedDb, GPC_DATA_DIR: '', GPC_DEBUG: '', ...env },
    });

  const cases: { name: string; args: () => string[]; env?: Record<string, string>; status: 1 | 2; says: RegExp }[] = [
    { name: 'seed --bogus', args: () => ['seed', '--bogus'], status: 2, says: /Unknown option '--bogus'/ },
    { name: 'diary 5', args: () => ['diary', '5'], status: 2, says: /Unexpected argument '5'/ },
    { name: 'diary --days (no value)', args: () => ['diary', '--days'], status: 2, says: /argument missing/ },
    ...['3661', '1e3', ' 3'].map((days) => ({
      name: `diary --days "${days}"`, args: () => ['diary', '--days', days], status: 2 as const,
      says: /--days must be a whole number from 1 to 3660/,
    })),
    { name: 'enable with an extra argument', args: () => ['enable', 'B82617', 'gpconnect', 'extra'], status: 2, says: /not also "extra"/ },
    { name: 'request with a bad method', args: () => ['request', 'GE T', '/Patient/2', ...interaction, '--root', closedRoot], status: 2, says: /"GE T" is not an HTTP method/ },
    { name: 'request to an ftp root', args: () => ['request', 'GET', '/Patient/2', ...interaction, '--root', 'ftp://127.0.0.1/x'], status: 2, says: /http or https URL/ },
    { name: 'request GET with a body', args: () => ['request', 'GET', '/Patient/2', ...interaction, '--root', closedRoot, '--body', file], status: 2, says: /GET request cannot have a body/ },
    { name: 'request with a missing --body file', args: () => ['request', 'POST', '/Patient', ...interaction, '--root', closedRoot, '--body', join(dir, 'nope')], status: 2, says: /cannot read --body .*ENOENT/ },
    { name: 'request, connection refused', args: () => ['request', 'GET', '/Patient/2', ...interaction, '--root', closedRoot], status: 1, says: /cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/ },
    { name: 'migrate, database unreachable', args: () => ['migrate'], status: 1, says: /^gpc: cannot connect to the database at postgres:\/\/postgres@127\.0\.0\.1:1\/x: .*ECONNREFUSED/ },
    { name: 'migrate, DATABASE_URL not a URL', args: () => ['migrate'], env: { DATABASE_URL: 'not a url:hunter2' }, status: 1, says: /DATABASE_URL is not a URL/ },
    { name: 'migrate, GPC_DATA_DIR under a file', args: () => ['migrate'], env: { DATABASE_URL: '', GPC_DATA_DIR: join(file, 'store') }, status: 1, says: /file\.json is not a directory/ },
    { name: 'migrate, GPC_DATA_DIR not a store', args: () => ['migrate'], env: { DATABASE_URL: '', GPC_DATA_DIR: notStore }, status: 1, says: /not empty, and not a store/ },
  ];

  for (const c of cases) {
    it(`${c.name}: one line, exit ${c.status}`, () => {
      const run = gpc(c.args(), c.env);
      assert.equal(run.status, c.status, run.stderr);
      assert.match(run.stderr, /^gpc: [^\n]+\n$/, 'one line, starting gpc:');
      assert.match(run.stderr, c.says);
      assert.doesNotMatch(run.stderr, /hunter2/);
      assert.equal(run.stdout, '');
    });
  }

  it('an empty GPC_DATA_DIR is unset', () => {
    assert.equal(loadConfig({ GPC_DATA_DIR: '' }).dataDir, resolve('.data/pglite'));
  });
});
