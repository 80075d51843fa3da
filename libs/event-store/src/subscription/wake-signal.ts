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

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }
}

/** Called when something was appended; `lastPosition` is the append's last global position when known. */
export type AppendListener = (lastPosition?: number) => void;

/** In-process fan-out of "something was appended" to subscriptions and relays. */
export class AppendListeners {
  private readonly listeners = new Set<AppendListener>();

  add(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(lastPosition?: number): void {
    for (const listener of this.listeners) listener(lastPosition);
  }
}
