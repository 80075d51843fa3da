import { redactString } from '../redaction/redact-string';

/**
 * A readiness check: resolves (or returns) when the dependency is usable; throws, rejects or returns `false`
 * when it is not. Examples: NATS connection open, event store answers `SELECT 1`.
 */
export type ReadinessCheck = () => unknown;

/** Outcome of one check in a {@link ReadinessReport}. */
export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  /** Why it is down (sanitized: no secrets or phone numbers). */
  error?: string;
}

/** What `/health/ready` returns: `ok` only when every registered check is up. */
export interface ReadinessReport {
  status: 'ok' | 'fail';
  checks: Record<string, CheckResult>;
}

interface Entry {
  fn: ReadinessCheck;
  timeoutMs: number;
}

/**
 * Named readiness checks, run together on demand. A check that does not settle within its timeout counts as
 * down, so a hung dependency makes readiness fail instead of hanging the probe.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, Entry>();

  /**
   * Adds a check under `name` (unique; a second registration under the same name throws). Returns a function
   * that removes it again.
   */
  register(name: string, fn: ReadinessCheck, options: { timeoutMs?: number } = {}): () => void {
    if (!name) throw new Error('readiness check needs a name');
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    const entry: Entry = { fn, timeoutMs: options.timeoutMs ?? 2_000 };
    this.checks.set(name, entry);
    return () => {
      if (this.checks.get(name) === entry) this.checks.delete(name);
    };
  }

  /** Names of the registered checks. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently and reports each outcome. No checks registered means ready. */
  async check(): Promise<ReadinessReport> {
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([, entry]) => runOne(entry)));
    const checks: Record<string, CheckResult> = {};
    entries.forEach(([name], i) => (checks[name] = results[i] as CheckResult));
    const status = results.every((r) => r.status === 'up') ? 'ok' : 'fail';
    return { status, checks };
  }
}

async function runOne(entry: Entry): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${entry.timeoutMs} ms`)), entry.timeoutMs);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(entry.fn), timeout]);
    const durationMs = Math.round(performance.now() - started);
    if (result === false) return { status: 'down', durationMs, error: 'check returned false' };
    return { status: 'up', durationMs };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'down', durationMs: Math.round(performance.now() - started), error: redactString(message) };
  } finally {
    clearTimeout(timer);
  }
}

/** The process-wide registry that `/health/ready` reports on. */
export const healthRegistry = new HealthRegistry();

/**
 * Registers a readiness check with the process-wide {@link healthRegistry}. Returns a function that removes it.
 * @example registerReadinessCheck('nats', () => { if (nc.isClosed()) throw new Error('closed'); });
 */
export function registerReadinessCheck(
  name: string,
  fn: ReadinessCheck,
  options?: { timeoutMs?: number },
): () => void {
  return healthRegistry.register(name, fn, options);
}
