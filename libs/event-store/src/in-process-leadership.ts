import type { Leadership } from './event-store.port';

/**
 * Leadership among the holders of one process (in-memory store, and PGlite, whose data folder only one process
 * opens): `name` is taken while it is in `leaders`.
 */
export function acquireInProcess(leaders: Set<string>, name: string): Leadership | null {
  if (leaders.has(name)) return null;
  leaders.add(name);
  let held = true;
  return {
    get held() {
      return held;
    },
    release: async () => {
      if (held) leaders.delete(name);
      held = false;
    },
  };
}
