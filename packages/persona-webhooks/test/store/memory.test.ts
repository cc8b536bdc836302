import { createMemoryStore } from '../../src/store/memory/index.js';
import { defineStoreSuite } from '../conformance/store-suite.js';

defineStoreSuite('memory', async () => {
  const store = createMemoryStore();
  await store.migrate();
  return { store, cleanup: () => store.close() };
});
