import { execFile, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';
import { ServerProcess, waitUntilUp } from './child-process';

const run = promisify(execFile);

/** Options of {@link startPostgres}. */
export interface PostgresServerOptions {
  /** Port; default a free one. */
  port?: number;
  /** Extra server settings (`-c name=value`). Defaults include `fsync=off`: a killed process still loses no
   * committed transaction (the WAL is in the OS cache); only a machine crash would. */
  settings?: Record<string, string>;
  /** How long to wait for the server to accept queries (default 30 s). */
  startTimeoutMs?: number;
}

/** A private PostgreSQL; see {@link startPostgres}. */
export interface PostgresServerHandle {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  connectionString: string;
  port: number;
  dataDir: string;
  /** PostgreSQL major version found, e.g. `15`. */
  version: string;
  /** Fast shutdown (SIGINT: open transactions roll back), waits for exit. */
  stop(): Promise<void>;
  /** Crash (SIGKILL to the postmaster and all its backends), waits for exit. */
  kill(): Promise<void>;
  /** Starts again on the same port and data dir (stopping it first if it runs); waits until it accepts queries. */
  restart(): Promise<void>;
  isRunning(): boolean;
  /** Stops it and deletes its data. Call it in `afterAll`. */
  dispose(): Promise<void>;
}

/** Finds the newest PostgreSQL server binaries: `PG_BIN_DIR`, else `/usr/lib/postgresql/<newest>/bin`. */
export function postgresBinDir(): { binDir: string; version: string } {
  if (process.env.PG_BIN_DIR) return { binDir: process.env.PG_BIN_DIR, version: 'custom' };
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`no PostgreSQL server under ${root}: install postgresql (Debian) or set PG_BIN_DIR`);
  }
  const version = versions[0] as string;
  return { binDir: join(root, version, 'bin'), version };
}

// initdb and postgres refuse to run as root: as root, run them as the `postgres` OS user (Node sets uid/gid on
// the child and drops supplementary groups), with the data owned by that user.
function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.PG_OS_USER ?? 'postgres';
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`running as root, and there is no "${name}" OS user to run PostgreSQL as`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a private PostgreSQL (the newest installed major) on 127.0.0.1 and a free port, in a fresh data
 * directory with trust auth, for tests that stop, crash or restart the database. Takes about a second.
 * @example
 * const pg = await startPostgres();
 * afterAll(() => pg.dispose());
 * await pg.kill(); await pg.restart(); // crash recovery; committed rows are still there
 */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServerHandle> {
  const { binDir, version } = postgresBinDir();
  const user = osUser();
  const port = options.port ?? (await freePort());
  const baseDir = await mkdtemp(join(tmpdir(), 'dailydesk-pg-'));
  const dataDir = join(baseDir, 'data');
  const socketDir = join(baseDir, 'sock');
  await mkdir(socketDir);
  if (user) {
    await chown(baseDir, user.uid, user.gid);
    await chown(socketDir, user.uid, user.gid);
  }
  const spawnOptions: SpawnOptions = { env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...(user ?? {}) };

  try {
    await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      spawnOptions,
    );
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    const e = error as Error & { stderr?: string };
    throw new Error(`initdb failed: ${e.stderr || e.message}`);
  }

  const settings = { listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '50', ...options.settings };
  const args = ['-D', dataDir, '-p', String(port), '-k', socketDir];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  let proc: ServerProcess | undefined;
  const start = async () => {
    proc = ServerProcess.spawn(`postgres :${port}`, join(binDir, 'postgres'), args, spawnOptions);
    await waitUntilUp(proc, () => answers(connectionString), timeoutMs);
  };
  try {
    await start();
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }

  return {
    connectionString,
    port,
    dataDir,
    version,
    stop: async () => proc?.terminate('SIGINT'),
    kill: async () => proc?.terminate('SIGKILL'),
    restart: async () => {
      await proc?.terminate('SIGINT');
      await start();
    },
    isRunning: () => !!proc && !proc.hasExited,
    dispose: async () => {
      await proc?.terminate('SIGINT');
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}

// During start-up and crash recovery the server refuses connections ("the database system is starting up").
async function answers(connectionString: string): Promise<boolean> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query('SELECT 1 AS ok');
    return result.rows[0]?.ok === 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}
