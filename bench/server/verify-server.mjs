// Benchmark limit: the bare server plus Persona signature verification (the library's verifySignature)
// — what any durable receiver must do at least. Prints "PORT n".
import { createServer } from 'node:http';
import { verifySignature } from 'persona-webhooks';
import { measureStalls } from './stall.mjs';

const secret = process.env.BENCH_SECRET;
const stall = measureStalls();
const server = createServer((req, res) => {
  if (stall(req, res)) return;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    verifySignature({ body, header: req.headers['persona-signature'], secret }).then(
      () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 17 });
        res.end('{"received":true}');
      },
      () => {
        res.writeHead(401, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
