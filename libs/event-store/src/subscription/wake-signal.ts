/**
 * A sleep that ends early when woken. A wake that arrives while nobody sleeps is remembered, so the next sleep
 * returns at once: an append notified between "read found nothing" and "sleep" is never missed.
 */
export class WakeSignal {
  private pending = false;
  private wakeSleeper: (() => void) | null = null;

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.pending = true;
  }

  /** Resolves true when woken (or a wake was pending), false when `ms` passed. */
  sleep(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), ms);
      this.wakeSleeper = () => done(true);
    });
  }
}

/** In-process fan-out of "something was appended" to subscriptions and relays. */
export class AppendListeners {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
