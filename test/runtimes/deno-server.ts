// Serves the runtime app with Deno.serve. Usage: deno run --allow-net=127.0.0.1 … deno-server.ts <secret> <maxBodyBytes>
import { createRuntimeApp } from './app.ts';

declare const Deno: {
  args: string[];
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const [secret = '', maxBodyBytes = '0'] = Deno.args;
Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening ${port}`) },
  createRuntimeApp({ secret, maxBodyBytes: Number(maxBodyBytes) }),
);
