// Benchmark baseline: a bare node:http server that reads the whole body and answers 200. Prints "PORT n".
import { createServer } from 'node:http';
import { measureStalls } from './stall.mjs';

const stall = measureStalls();
const server = createServer((req, res) => {
  if (stall(req, res)) return;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 17 });
    res.end('{"received":true}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
