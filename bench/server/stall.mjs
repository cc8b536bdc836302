// Event-loop stalls of a plain benchmark server, measured as serve measures them (prom-client:
// monitorEventLoopDelay, 10 ms resolution): GET /stall answers the largest since the last GET /stall, in ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Starts measuring; the returned function answers GET /stall and returns true, or returns false for any other
 * request.
 * @example
 * const stall = measureStalls(); createServer((req, res) => { if (stall(req, res)) return; … })
 */
export function measureStalls() {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== '/stall') return false;
    const body = JSON.stringify({ maxMs: delay.max / 1e6 });
    delay.reset();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };
}
