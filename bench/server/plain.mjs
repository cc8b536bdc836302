// What every plain benchmark server shares: GET /stall (stall.mjs), reading the whole body, the 200 and 401
// answers, keep-alive, "PORT n" on stdout once listening, and a clean exit on SIGTERM.
import { createServer } from 'node:http';
import { verifySignature } from 'persona-webhooks';
import { measureStalls } from './stall.mjs';

const ACK = '{"received":true}';

/** Answers 200 with a JSON acknowledgement (serve's also names the event id). */
export function ack(res) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': ACK.length });
  res.end(ACK);
}

/** Answers 401 (a signature that does not verify; the load generator sends none). */
export function refuse(res) {
  res.writeHead(401, { 'content-type': 'application/json', 'content-length': 2 });
  res.end('{}');
}

/**
 * Listens on a free port of 127.0.0.1 and calls `onBody(body, res, req)` with each POST's whole body (a Buffer).
 * `onClose` runs on SIGTERM after the server has closed.
 */
export function listenPlain(onBody, onClose = () => {}) {
  const stall = measureStalls();
  const server = createServer((req, res) => {
    if (stall(req, res)) return;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => onBody(Buffer.concat(chunks), res, req));
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
  process.on('SIGTERM', () =>
    server.close(async () => {
      await onClose();
      process.exit(0);
    }),
  );
}

/** Calls `onVerified(body, res)` for each POST whose Persona signature verifies (BENCH_SECRET); 401 otherwise. */
export function listenVerified(onVerified, onClose) {
  const secret = process.env.BENCH_SECRET;
  listenPlain((body, res, req) => {
    verifySignature({ body, header: req.headers['persona-signature'], secret }).then(
      () => onVerified(body, res),
      () => refuse(res),
    );
  }, onClose);
}
