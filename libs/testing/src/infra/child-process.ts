import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One spawned server process in its own process group, with the tail of its output kept for error messages
 * and a guard that SIGKILLs the group if the test process exits without stopping it.
 */
export class ServerProcess {
  private readonly output: string[] = [];
  private exited = false;
  private exitInfo = '';
  private readonly exitGuard = () => this.signalGroup('SIGKILL');

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.output.length > 50) this.output.splice(0, this.output.length - 50);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      process.removeListener('exit', this.exitGuard);
    });
    process.once('exit', this.exitGuard);
  }

  /** Spawns `command` detached (its own process group, so a kill reaches the children it forks). */
  static spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): ServerProcess {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = new ServerProcess(name, child);
    child.once('error', (err) => proc.output.push(`spawn error: ${err.message}`));
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Why it stopped and its last lines of output, for error messages. */
  describe(): string {
    const state = this.exited ? this.exitInfo : 'running';
    return `${this.name} (${state}); last output:\n  ${this.output.slice(-15).join('\n  ')}`;
  }

  /**
   * Stops the process and waits for it to exit. SIGKILL goes to the whole process group (a crash of the server
   * and every process it forked); other signals go to the leader only, as a service manager's stop would, and the
   * group is SIGKILLed if the leader has not exited after `graceMs`.
   */
  async terminate(signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const exit = once(this.child, 'exit');
    if (signal === 'SIGKILL') this.signalGroup('SIGKILL');
    else this.child.kill(signal);
    const grace = new AbortController();
    const timedOut = await Promise.race([
      exit.then(() => false),
      sleep(graceMs, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (timedOut) {
      this.signalGroup('SIGKILL');
      await exit;
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone: nothing to signal.
    }
  }
}

/** Polls `probe` until it resolves truthy; fails early if `proc` exits, or after `timeoutMs`. */
export async function waitUntilUp(proc: ServerProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.hasExited) throw new Error(`${proc.name} stopped while starting: ${proc.describe()}`);
    try {
      if (await probe()) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(25);
  }
  await proc.terminate('SIGKILL');
  throw new Error(`${proc.name} did not answer within ${timeoutMs} ms (${last}): ${proc.describe()}`);
}
