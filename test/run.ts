/**
 * Runs every test file in one process, so the embedded store's WASM and the seeded database
 * templates are built once per run rather than once per file.
 */
import { readdirSync } from 'node:fs';
import { after } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkStores, dropTestDatabases } from './harness/stores.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.env.TEST_FILTER;
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts') && (!filter || f.includes(filter)))
  .sort();

await checkStores();
after(dropTestDatabases);
for (const file of files) await import(pathToFileURL(root + file).href);
