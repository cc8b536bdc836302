// Serves the runtime app with Bun.serve. Usage: bun bun-server.ts <secret> <maxBodyBytes>
import { createRuntimeApp } from './app.ts';

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): { port: number };
};

const [secret = '', maxBodyBytes = '0'] = process.argv.slice(2);
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: createRuntimeApp({ secret, maxBodyBytes: Number(maxBodyBytes) }),
});
console.log(`listening ${server.port}`);
