import { spawn, type ChildProcess } from 'node:child_process';
import { pipeLines, type LineSink } from './log-prefixer';

/** How a crashed child is restarted: exponential backoff, bounded number of attempts. */
export interface RestartPolicy {
  /** Restarts allowed in a row before giving up (default 5). */
  readonly maxRestarts: number;
  /** First delay, doubled per attempt (default 500 ms). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A child that ran this long before exiting counts as healthy again: the attempt counter resets. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { maxRestarts: 5, baseDelayMs: 500, maxDelayMs: 15_000, stableAfterMs: 30_000 };

/** One program the supervisor keeps running. */
export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Line prefix (default `[name]`). */
  readonly prefix?: string;
  readonly restart?: Partial<RestartPolicy>;
  /** An output line matching this means restarting cannot help (e.g. its source is incomplete): stay down. */
  readonly fatalOutput?: RegExp;
}

export type ChildState = 'starting' | 'running' | 'backoff' | 'failed' | 'stopping' | 'stopped';

/** Delay before restart number `attempt` (1-based). */
export function backoffDelayMs(policy: RestartPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/**
 * Keeps one child process running: prefixes its output lines, restarts it with backoff when it exits on its own
 * (bounded: after `maxRestarts` quick failures in a row it stays down and says so), and stops it gracefully:
 * SIGTERM, wait up to the grace period, then SIGKILL.
 */
export class SupervisedChild {
  state: ChildState = 'stopped';
  restarts = 0;
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** The output line that made the child fatal, when {@link ChildSpec.fatalOutput} matched. */
  fatalLine: string | null = null;
  private proc: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private startedAt = 0;
  private readonly policy: RestartPolicy;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: ChildSpec,
    private readonly sink: LineSink,
    private readonly note: (message: string) => void,
  ) {
    this.policy = { ...DEFAULT_RESTART, ...spec.restart };
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  start(): void {
    this.state = 'starting';
    const proc = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.startedAt = Date.now();
    const prefix = this.spec.prefix ?? `[${this.spec.name}]`;
    const fatal = this.spec.fatalOutput;
    const sink: LineSink = fatal
      ? (line) => {
          if (this.fatalLine === null && fatal.test(line)) this.fatalLine = line.slice(prefix.length).trim();
          this.sink(line);
        }
      : this.sink;
    pipeLines(proc.stdout!, prefix, sink);
    pipeLines(proc.stderr!, prefix, sink);
    this.exited = new Promise((resolve) => {
      proc.once('error', (err) => {
        this.note(`${this.spec.name}: cannot start ${this.spec.command}: ${err.message}`);
      });
      proc.once('close', (code, signal) => {
        this.proc = null;
        this.lastExit = { code, signal };
        this.onExit(code, signal);
        resolve();
      });
    });
    proc.once('spawn', () => {
      if (this.state === 'starting') this.state = 'running';
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state === 'stopping' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    if (Date.now() - this.startedAt >= this.policy.stableAfterMs) this.attempt = 0;
    this.attempt += 1;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.fatalLine !== null) {
      this.state = 'failed';
      this.note(`${this.spec.name} exited (${how}) and will not be restarted: ${this.fatalLine}`);
      return;
    }
    if (this.attempt > this.policy.maxRestarts) {
      this.state = 'failed';
      this.note(`${this.spec.name} exited (${how}) ${this.policy.maxRestarts} times in a row: giving up on it (the rest keeps running)`);
      return;
    }
    const delay = backoffDelayMs(this.policy, this.attempt);
    this.state = 'backoff';
    this.note(`${this.spec.name} exited (${how}); restart ${this.attempt}/${this.policy.maxRestarts} in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.restarts += 1;
      this.start();
    }, delay);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited (or was not running). */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const proc = this.proc;
    if (!proc) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    proc.kill('SIGTERM');
    let killTimer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      killTimer = setTimeout(() => {
        this.note(`${this.spec.name} did not stop within ${graceMs} ms: SIGKILL`);
        proc.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    await this.exited;
    clearTimeout(killTimer);
  }
}
