import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { ChildSpec } from './child-supervisor';

/** What answers at a NATS URL. */
export type NatsProbe = { kind: 'jetstream'; streams: number } | { kind: 'no-jetstream'; reason: string } | { kind: 'unreachable'; reason: string };

/** Connects once (short timeout, no reconnect) and asks JetStream for its account info. */
export async function probeNats(url: string, timeoutMs = 2_000): Promise<NatsProbe> {
  let nc;
  try {
    nc = await connect({ servers: url.split(','), timeout: timeoutMs, reconnect: false });
  } catch (err) {
    return { kind: 'unreachable', reason: err instanceof Error ? err.message : String(err) };
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    const info = await jsm.getAccountInfo();
    return { kind: 'jetstream', streams: info.streams };
  } catch (err) {
    return { kind: 'no-jetstream', reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await nc.close();
  }
}

/** The nats-server binary: NATS_SERVER_BIN, `nats-server` on PATH, or /usr/sbin/nats-server; null when none. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [
    env.NATS_SERVER_BIN,
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/local/bin/nats-server',
  ].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next candidate
    }
  }
  return null;
}

/** Host and port of a single `nats://host:port` URL, or null when it names several servers or a remote host. */
export function localNatsAddress(url: string): { host: string; port: number } | null {
  if (url.includes(',')) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
  if (!['127.0.0.1', '::1', '[::1]'].includes(host)) return null;
  return { host, port: u.port ? Number(u.port) : 4222 };
}

/** The child the runner starts when no NATS answers: JetStream on, its store under DATA_DIR/nats. */
export function natsServerChild(binary: string, address: { host: string; port: number }, dataDir: string): ChildSpec {
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  return {
    name: 'nats',
    command: binary,
    args: ['-a', address.host, '-p', String(address.port), '-js', '-sd', storeDir, '-n', 'dailydesk-dev'],
    // nats-server holds the store: a crash loop would only repeat itself, so give up sooner.
    restart: { maxRestarts: 3 },
  };
}

/** Exactly how to get a NATS server, for when none answers and none can be started here. */
export function howToGetNats(url: string, reason: string): string {
  return [
    `No NATS server with JetStream answers at ${url} (${reason}), and the runner cannot start one here.`,
    'Get one of these, then run `npm start` again:',
    '  - Debian/Ubuntu:  sudo apt-get install nats-server        (the runner then starts it by itself)',
    '  - macOS:          brew install nats-server',
    '  - any OS:         download from https://github.com/nats-io/nats-server/releases, put `nats-server` on PATH',
    '                    (or set NATS_SERVER_BIN=/path/to/nats-server)',
    '  - Docker:         docker run -d -p 4222:4222 nats:2.10.22-alpine -js',
    'or point NATS_URL at a server that runs with JetStream (`nats-server -js`).',
  ].join('\n');
}
