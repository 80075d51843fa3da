import { describeEventStoreBehaviour } from '../testing/event-store.behaviour';
import { createInMemoryEventStore } from './in-memory-event-store';

describeEventStoreBehaviour('in-memory', {
  fresh: async (options) => createInMemoryEventStore(options),
  // Nothing outlives the process here: a "restart" keeps the same instance, whose checkpoints survive.
  reopen: async (store) => store,
});
