import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, readGreeting } from './free-port';
import { ServerProcess, waitUntilUp } from './child-process';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** JetStream store directory; default a fresh temp directory, removed by `dispose`. */
  storeDir?: string;
  /** Port; default a free one. */
  port?: number;
  /** Extra command-line arguments for nats-server. */
  args?: string[];
  /** How long to wait for the server to answer (default 15 s). */
  startTimeoutMs?: number;
}

/** A private nats-server; see {@link startNatsServer}. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>`. */
  url: string;
  port: number;
  storeDir: string;
  /** Graceful stop (SIGTERM), waits for exit. */
  stop(): Promise<void>;
  /** Crash (SIGKILL), waits for exit. */
  kill(): Promise<void>;
  /** Starts again on the same port and store dir (stopping it first if it runs) and waits until it answers. */
  restart(): Promise<void>;
  /** Whether the process is running. */
  isRunning(): boolean;
  /** Stops it and removes the store dir if it was created here. Call it in `afterAll`. */
  dispose(): Promise<void>;
}

/** Locates the nats-server binary: `NATS_SERVER_BIN`, `/usr/sbin/nats-server`, or `nats-server` on `PATH`. */
export function natsServerBinary(): string {
  const candidates = [
    process.env.NATS_SERVER_BIN,
    '/usr/sbin/nats-server',
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nats-server')),
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('nats-server not found: install it (Debian: apt-get install nats-server) or set NATS_SERVER_BIN');
}

/**
 * Starts a private nats-server on 127.0.0.1 and a free port, for tests that stop, crash or restart NATS.
 * Resolves when the server greets a client (with `jetstream: true` in its INFO when JetStream is on).
 * @example
 * const nats = await startNatsServer();
 * afterAll(() => nats.dispose());
 * await nats.kill(); await nats.restart(); // same port, same store: persisted streams survive
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = natsServerBinary();
  const jetstream = options.jetstream ?? true;
  const port = options.port ?? (await freePort());
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'dailydesk-nats-')));
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(jetstream ? ['-js', '-sd', storeDir] : []), ...(options.args ?? [])];
  const timeoutMs = options.startTimeoutMs ?? 15_000;

  let proc: ServerProcess | undefined;
  const start = async () => {
    proc = ServerProcess.spawn(`nats-server :${port}`, binary, args);
    await waitUntilUp(
      proc,
      async () => {
        const info = await readGreeting('127.0.0.1', port);
        return info.startsWith('INFO ') && (!jetstream || /"jetstream"\s*:\s*true/.test(info));
      },
      timeoutMs,
    );
  };
  await start();

  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: async () => proc?.terminate('SIGTERM'),
    kill: async () => proc?.terminate('SIGKILL'),
    restart: async () => {
      await proc?.terminate('SIGTERM');
      await start();
    },
    isRunning: () => !!proc && !proc.hasExited,
    dispose: async () => {
      await proc?.terminate('SIGTERM');
      if (ownStore) await rm(storeDir, { recursive: true, force: true });
    },
  };
  return handle;
}
