import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Repository root (tests/full-flow/ → ../..): services run with this cwd, as `npm start` runs them. */
export const ROOT_DIR = path.resolve(__dirname, '../..');

export type ServiceName = 'scheduler' | 'appointments' | 'campaigns' | 'sms-dispatch' | 'receipts';

/** One service as a child process: `node -r @swc-node/register services/<name>/src/main.ts`. */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Last lines of stdout/stderr over all starts, shown when the service does not become ready and at the end of the suite. */
  private tail: string[] = [];
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the process (a previous one must have exited). */
  start(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error(`${this.name} is still running`);
    this.starts += 1;
    this.tail.push(`--- ${this.name}: start ${this.starts} at ${new Date().toISOString()} ---`);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('services', this.name, 'src', 'main.ts')], {
      cwd: ROOT_DIR,
      env: { ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.tail.length > 60) this.tail.splice(0, this.tail.length - 60);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
    live.add(this);
  }

  /** Polls /health/ready until 200; on timeout or early exit throws with the process's last output lines. */
  async waitReady(timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited (${child?.exitCode ?? child?.signalCode}) before ready:\n${this.tail.join('\n')}`);
      }
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.ok) return Date.now() - started;
      } catch {
        // not listening yet
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${this.name} not ready within ${timeoutMs} ms:\n${this.tail.join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL (a crash: no graceful close, nothing acknowledged or flushed) and wait for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
    live.delete(this);
  }

  /** Synchronous SIGKILL for process exit handlers. */
  killNow(): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  recentOutput(): string {
    return this.tail.join('\n');
  }
}

// Children must not outlive the test process, even when jest is interrupted or a hook throws.
const live = new Set<ServiceProcess>();
const killAll = () => {
  for (const p of live) p.killNow();
};
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
