/** A counting semaphore: at most `size` holders; waiters are served first come, first served. */
export class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Resolves when a slot is taken, or when {@link cancelWaiters} is called (then no slot is held). */
  acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(() => { this.used++; resolve(); }));
  }

  release(): void {
    this.used--;
    const next = this.waiters.shift();
    if (next) next();
  }

  /** Wakes every waiter without giving it a slot (used on stop: the woken caller must not dispatch). */
  cancelWaiters(): void {
    for (const w of this.waiters.splice(0)) {
      this.used--; // w increments; undo so the count stays exact
      w();
    }
  }
}
