/** The provider as the benchmark runs it: its own process (pinned to a core by the runner), logging off. */
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

const started = Date.now();
const server = await startServer({ ...loadConfig(), logLevel: 'silent' });
process.stdout.write(`READY ${server.origin} ${Date.now() - started}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
