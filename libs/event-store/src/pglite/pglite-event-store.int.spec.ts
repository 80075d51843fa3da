import type { PGlite } from '@electric-sql/pglite';
import { createPgliteEventStore } from '../create-event-store';
import { loadPglite } from './load-pglite';
import type { EventStore } from '../event-store.port';
import { describeEventStoreBehaviour } from '../testing/event-store.behaviour';

// One in-memory PGlite for the file (starting one takes seconds); every test gets its own schema.
let db: PGlite;
let next = 0;
const schemaOf = new WeakMap<EventStore, string>();

beforeAll(async () => {
  db = await loadPglite().create();
}, 30_000);
afterAll(async () => {
  await db.close();
});

describeEventStoreBehaviour('PGlite', {
  fresh: async (options) => {
    const schema = `es_${++next}`;
    const store = await createPgliteEventStore({ ...options, db, schema });
    schemaOf.set(store, schema);
    return store;
  },
  reopen: async (store) => {
    const schema = schemaOf.get(store)!;
    await store.close();
    const reopened = await createPgliteEventStore({ db, schema });
    schemaOf.set(reopened, schema);
    return reopened;
  },
});
