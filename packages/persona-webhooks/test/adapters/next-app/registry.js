// The conformance test runs Next in its own process and registers, per listening port, the handlers it
// built from the adapter under test. These routes only look them up: Next supplies the real req/Request.
export function lookup(host, kind) {
  const entry = globalThis.__personaNextSuite?.get(host);
  return entry?.[kind];
}

export function missing() {
  return new Response('no handler registered for this host', { status: 500 });
}
