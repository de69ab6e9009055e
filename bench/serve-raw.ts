/**
 * The ceiling: a bare node:http server answering every request with fixed bytes (the provider's
 * own response for the interaction under test, passed in as a file), no parsing, no database.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [file, contentType] = [process.argv[2]!, process.argv[3]!];
const body = readFileSync(file);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`READY http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0} 0\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
