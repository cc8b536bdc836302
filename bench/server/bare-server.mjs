// Benchmark baseline: a bare node:http server that reads the whole body and answers 200. Prints "PORT n".
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

// Event-loop stalls, measured as serve measures them (prom-client: monitorEventLoopDelay, 10 ms resolution);
// GET /stall answers the largest since the last GET /stall, in ms.
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stall') {
    const body = JSON.stringify({ maxMs: delay.max / 1e6 });
    delay.reset();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
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
