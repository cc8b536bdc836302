// Minimal types for koa-csrf 5 (no @types package installed in this workspace).
declare module 'koa-csrf' {
  import type { Middleware } from 'koa';

  interface CsrfOptions {
    excludedMethods?: string[];
    ignoredPathGlobs?: string[];
    disableQuery?: boolean;
  }
  const CSRF: new (options?: CsrfOptions) => Middleware;
  export default CSRF;
}
