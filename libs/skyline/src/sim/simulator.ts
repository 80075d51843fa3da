import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactUrl } from '../client/gateway-url';
import { SimulatorControl } from './sim-control';
import { controlRoute } from './sim-control-routes';
import { badAuthReply, checkAuth, gatewayRoute, type RouteReply } from './sim-gateway-routes';
import { resolveOptions, type SimulatorOptions } from './sim-options';
import { SimState } from './sim-state';

/** A running simulator. */
export interface Simulator {
  /** `http://host:port`, the gateway base URL to give a client. */
  url: string;
  port: number;
  control: SimulatorControl;
  /** Stops listening, ends open (hanging) connections and pending timers. */
  close(): Promise<void>;
}

/** Starts a simulated Skyline gateway on `options.port` (0 = a free port). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = resolveOptions(options);
  const state = new SimState({ ...o }, o);
  const control = new SimulatorControl(state);
  const server = createServer((req, res) => {
    void handle(state, control, req, res).catch((err: unknown) => {
      o.logger?.error({ err: redactUrl(String(err)) }, 'simulator request failed');
      if (!res.headersSent) send(res, { status: 500, body: 'internal error', contentType: 'text/plain' });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host}:${port}`,
    port,
    control,
    async close() {
      state.clock.cancelAll();
      await state.poster.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(state: SimState, control: SimulatorControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://sim');
  if (url.pathname.startsWith('/_sim/')) {
    send(res, await controlRoute(control, state, req.method ?? 'GET', url.pathname, url.searchParams, text));
    return;
  }
  const endpoint = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const query = new Map<string, string>();
  for (const [k, v] of url.searchParams) query.set(k.toLowerCase(), v);
  let body: unknown = null;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const authOk = checkAuth(state, query, body);
  const fault = authOk ? state.takeFault(endpoint) : null;
  const rec = { seq: state.recorder.nextSeq(), at: state.clock.now(), method: req.method ?? 'GET', endpoint, path: redactUrl(req.url ?? ''), body, authOk };
  state.recorder.add(state.recorder.requests, fault ? { ...rec, fault: fault.kind } : rec);
  if (!authOk) {
    send(res, badAuthReply(state, endpoint, body));
    return;
  }
  const run = (): RouteReply => gatewayRoute(state, endpoint, query, body, fault?.kind === 'refuse' ? fault : null);
  if (!fault || fault.kind === 'refuse') return send(res, run());
  switch (fault.kind) {
    case 'hang':
      if (fault.process !== false) run();
      return; // never answered; close() ends the socket
    case 'drop':
      if (fault.process !== false) run();
      req.socket.destroy();
      return;
    case 'slow': {
      const reply = run();
      setTimeout(() => send(res, reply), fault.delayMs);
      return;
    }
    case 'http-status':
      if (fault.process) run();
      return send(res, { status: fault.status, body: fault.body ?? `${fault.status} Server Error`, contentType: 'text/plain' });
    case 'bad-body':
      if (fault.process) run();
      return send(res, { status: 200, body: fault.body, contentType: fault.contentType ?? 'text/html' });
  }
}

function send(res: ServerResponse, reply: RouteReply): void {
  if (res.destroyed || res.writableEnded) return;
  const isText = typeof reply.body === 'string';
  const payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': reply.contentType ?? (isText ? 'text/plain' : 'application/json;charset=utf-8'),
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
