import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got. */
export interface ReceivedCallback {
  path: string;
  body: unknown;
  at: number;
}

/** A small HTTP server that stands in for the service receiving gateway callbacks in tests. */
export interface CallbackReceiver {
  /** `http://127.0.0.1:port`; append any path (e.g. `/sr`, `/sms`). */
  url: string;
  received: ReceivedCallback[];
  /** Answer the next `times` POSTs with this status (default 200 `{"code":200,"reason":"OK"}`). */
  failNext(status: number, times?: number): void;
  /** Resolves when `predicate(received)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedCallback[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a callback receiver on a free loopback port. */
export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let failStatus = 0;
  let failTimes = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text: a test may assert on a malformed body
      }
      if (failTimes > 0) {
        failTimes--;
        res.writeHead(failStatus).end();
        return;
      }
      received.push({ path: req.url ?? '/', body, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200,"reason":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(status, times = 1) {
      failStatus = status;
      failTimes = times;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`callback receiver: condition not met within ${timeoutMs} ms (${received.length} received)`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
