import { createServer, Socket } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for a listener on port 0, which is
 * closed again before returning. Another process could take it in between; the servers here fail loudly then.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the port of a listener'))));
    });
  });
}

/**
 * Connects to `host:port` and resolves with the first bytes the server sends (NATS greets with `INFO {...}`).
 * Rejects if the connection fails or nothing arrives within `timeoutMs`.
 */
export function readGreeting(host: string, port: number, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const done = (err: Error | null, data?: string) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(data ?? '');
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no greeting from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', (err) => done(err));
    socket.once('data', (chunk) => done(null, chunk.toString('utf8')));
    socket.connect(port, host);
  });
}
