import type { Clock } from './port-pacer';

/**
 * Opens after `threshold` consecutive failures of the gateway; stays open for a cool-down that doubles on every
 * failed probe (up to `maxCooldownMs`); half-open lets one probe through; a success closes it.
 */
export class CircuitBreaker {
  private failures = 0;
  private cooldown: number;
  private openUntil = 0;
  state: 'closed' | 'open' | 'half-open' = 'closed';

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly maxCooldownMs: number,
    private readonly clock: Clock,
  ) {
    this.cooldown = cooldownMs;
  }

  /** Whether a call may go now (moves open → half-open when the cool-down is over). */
  allows(): boolean {
    if (this.state === 'open' && this.clock() >= this.openUntil) this.state = 'half-open';
    return this.state !== 'open';
  }

  succeeded(): void {
    this.failures = 0;
    this.cooldown = this.cooldownMs;
    this.state = 'closed';
  }

  failed(): void {
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.threshold) {
      if (this.state === 'half-open') this.cooldown = Math.min(this.cooldown * 2, this.maxCooldownMs);
      this.state = 'open';
      this.openUntil = this.clock() + this.cooldown;
    }
  }

  get openUntilMs(): number | null {
    return this.state === 'open' ? this.openUntil : null;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
