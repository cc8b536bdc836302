// The runtime app as a Cloudflare Worker module, bundled with esbuild and run by workerd through miniflare.
import { createRuntimeApp } from './app.ts';

interface Env {
  readonly SECRET: string;
  readonly MAX_BODY_BYTES: string;
}

let app: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    app ??= createRuntimeApp({ secret: env.SECRET, maxBodyBytes: Number(env.MAX_BODY_BYTES) });
    return app(request);
  },
};
