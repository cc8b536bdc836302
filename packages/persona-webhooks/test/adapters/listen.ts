import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MountedApp } from '../conformance/adapter-suite.js';

/** Listens on 127.0.0.1:0 and returns the URL of `path` plus a close that drops open connections. */
export async function listen(server: Server, path: string): Promise<MountedApp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
