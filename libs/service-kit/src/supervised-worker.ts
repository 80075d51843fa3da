import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { registerReadinessCheck } from '@dailydesk/observability';
import type { Logger } from 'pino';

/** Messages every supervised worker sends: `ready` once started, `failed` (then it exits) when it could not start. */
export type WorkerLifecycleMessage = { type: 'ready' } | { type: 'failed'; message: string };

const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 1_000;
// Threads that read, fold and publish events allocate a short-lived object graph per event; with V8's default young
// generation, scavenges took 23-25 % of such a thread's CPU (receipts' benchmark), with 128 MB 7-13 %.
const YOUNG_GENERATION_MB = 128;

/**
 * The node options a worker thread starts with: only the process's preloads (`-r` / `--require`). Workers refuse
 * per-process and V8 flags (`--max-semi-space-size`, `--cpu-prof`, `--inspect`, …: ERR_WORKER_INVALID_EXEC_ARGV, so a
 * service started with one could not start its threads); their heap sizes come from `resourceLimits` instead.
 * Sources run through @swc-node/register (scripts, jest's ts files): a worker needs the same loader. Under jest the
 * main thread does not load swc's native binding itself; it is then unloaded when the first worker exits and the
 * next worker that loads it crashes the process (SIGSEGV, seen on the second start of a service in one test file).
 * Loading it here keeps it loaded for the life of the process.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv, isTypeScript = path.extname(__filename) === '.ts'): string[] {
  const argv: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if ((a === '-r' || a === '--require') && i + 1 < execArgv.length) argv.push(a, execArgv[++i]!);
    else if (a.startsWith('--require=')) argv.push(a);
  }
  if (!isTypeScript) return argv;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a development-only native binding, loaded for its side effect
  require('@swc/core');
  return argv.some((a) => a.includes('@swc-node/register')) ? argv : [...argv, '-r', '@swc-node/register'];
}

/** Supervised workers started in this process, per name: readiness checks need unique names. */
const instances = new Map<string, number>();

/**
 * A worker thread a service runs beside its main event loop (its relay, receipts' pipeline): started with plain
 * data, ready when it says so, asked to stop with `{ type: 'stop' }` (terminated after 15 s), and started again when
 * it dies while the service runs (what it runs resumes from its checkpoints in the store). While it runs, the
 * service's `/health/ready` includes it: down from the moment the thread exits until its restart says ready.
 */
export class SupervisedWorker<Out extends { type: string } = WorkerLifecycleMessage> {
  private worker: Worker | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** The thread runs and has said ready. */
  private up = false;
  private unregisterCheck: (() => void) | null = null;

  constructor(
    private readonly file: string,
    private readonly data: unknown,
    private readonly name: string,
    private readonly logger: Logger,
    /** Every message but `failed` (`ready` included, before start() resolves). */
    private readonly onMessage: (m: Out) => void = () => undefined,
    /** The worker exited (crashed or stopped). */
    private readonly onExit: () => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
    if (!this.unregisterCheck) {
      const n = (instances.get(this.name) ?? 0) + 1;
      instances.set(this.name, n);
      this.unregisterCheck = registerReadinessCheck(n === 1 ? this.name : `${this.name}#${n}`, () => {
        if (!this.up) throw new Error(`${this.name} is not running (restarting)`);
      });
    }
  }

  /** The thread runs and has said ready (false while it is being restarted). */
  get running(): boolean {
    return this.up;
  }

  /** Sends a message to the running worker; false when none runs. */
  post(message: unknown): boolean {
    if (!this.worker) return false;
    this.worker.postMessage(message);
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unregisterCheck?.();
    this.unregisterCheck = null;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => {
      this.logger.warn(`${this.name} did not stop in time; terminating it`);
      void worker.terminate();
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.file, { workerData: this.data, execArgv: workerExecArgv(), resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      this.worker = worker;
      let ready = false;
      let failure: string | null = null;
      worker.on('message', (m: Out | WorkerLifecycleMessage) => {
        if (m.type === 'failed') {
          failure = (m as { message: string }).message;
          return;
        }
        this.onMessage(m as Out);
        if (m.type === 'ready') {
          ready = true;
          this.up = true;
          resolve();
        }
      });
      worker.on('error', (err) => {
        failure ??= err.message;
        this.logger.error({ err }, `${this.name} failed`);
      });
      worker.on('exit', (code) => {
        this.up = false;
        if (this.worker === worker) this.worker = null;
        this.onExit();
        if (!ready) return reject(new Error(`${this.name} did not start: ${failure ?? `exit code ${code}`}`));
        if (this.stopping) return;
        this.logger.error({ code }, `${this.name} exited; starting it again`);
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn().catch((err: unknown) => {
        this.logger.error({ err }, `${this.name} could not start; trying again`);
        this.scheduleRestart();
      });
    }, RESTART_DELAY_MS);
  }
}
