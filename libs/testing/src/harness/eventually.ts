import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Wait this long between attempts (default 50 ms). */
  intervalMs?: number;
}

/**
 * Polls `fn` until it returns (or resolves) without throwing, and returns its value. On timeout it throws the
 * last failure, with how long and how often it tried. For assertions on things that become true asynchronously
 * (a projection row, a redelivery): `await eventually(() => expect(rows()).toHaveLength(1))`.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      return await fn();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`eventually: still failing after ${timeoutMs} ms (${attempts} attempts): ${why}`, { cause: error });
      }
    }
    await sleep(intervalMs);
  }
}

/** An async cleanup step returned by the harness helpers. */
export type Disposer = () => Promise<void>;

/**
 * Collects disposers and runs them in reverse order, all of them even when some fail (the first failure is
 * rethrown after the rest ran). Typical use: `const cleanup = new Cleanup(); afterAll(() => cleanup.run());` then
 * `cleanup.add(await startNatsServer())` or `cleanup.defer(() => nc.close())`.
 */
export class Cleanup {
  private readonly disposers: Disposer[] = [];

  /** Registers `resource.dispose()` and returns the resource: `const db = cleanup.add(await withTestSchema())`. */
  add<T extends { dispose(): Promise<void> }>(resource: T): T {
    this.disposers.push(() => resource.dispose());
    return resource;
  }

  /** Adds a bare disposer. */
  defer(dispose: Disposer): void {
    this.disposers.push(dispose);
  }

  /** Runs every disposer added so far, last first, and forgets them. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.disposers.length > 0) {
      const dispose = this.disposers.pop() as Disposer;
      try {
        await dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) {
      throw new AggregateError(errors, `cleanup: ${errors.length} disposer(s) failed`);
    }
  }
}
