import { z } from 'zod';
import type { SimulatorControl } from './sim-control';
import type { RouteReply } from './sim-gateway-routes';
import type { SimState } from './sim-state';

const rate = z.number().min(0).max(1);
const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('refuse'), code: z.number().int(), tids: z.array(z.number().int()).optional() }),
  z.object({ kind: z.literal('http-status'), status: z.number().int().min(100).max(599), body: z.string().optional(), process: z.boolean().optional() }),
  z.object({ kind: z.literal('hang'), process: z.boolean().optional() }),
  z.object({ kind: z.literal('drop'), process: z.boolean().optional() }),
  z.object({ kind: z.literal('slow'), delayMs: z.number().min(0) }),
  z.object({ kind: z.literal('bad-body'), body: z.string(), contentType: z.string().optional(), process: z.boolean().optional() }),
]);
const schemas = {
  inbound: z.object({ port: z.number().int().min(1), slot: z.number().int().min(1).optional(), from: z.string().min(1), text: z.string(), to: z.string().optional(), ts: z.number().int().optional() }),
  port: z.object({ st: z.number().int().optional(), slot: z.number().int().optional(), sendTimeMs: z.number().min(0).optional(), sig: z.number().int().optional(), bal: z.string().optional(), activeSlot: z.number().int().optional() }),
  unregister: z.object({ afterMessages: z.number().int().min(1), st: z.number().int().optional() }),
  fault: z.object({ fault: faultSchema, endpoint: z.string().optional(), times: z.number().int().min(1).optional() }),
  callbackFaults: z.object({ duplicateRate: rate.optional(), reorderRate: rate.optional(), lossRate: rate.optional(), delayMs: z.number().min(0).optional(), dlrBeforeStatusReport: z.boolean().optional() }),
  config: z.object({
    failureRate: rate.optional(),
    failNumbers: z.array(z.string()).optional(),
    undeliveredRate: rate.optional(),
    dlrDelayMs: z.number().min(0).optional(),
    dailyCap: z.number().int().min(0).nullable().optional(),
    queueLimit: z.number().int().min(0).nullable().optional(),
    duplicateTid: z.enum(['live', 'forever', 'none']).optional(),
    badAuth: z.enum(['task-status', 'json', 'http-401', 'html-login']).optional(),
    multiPortRouting: z.enum(['every', 'distribute']).optional(),
    finalReport: z.boolean().optional(),
    recvSmsVariant: z.object({ headerBlock: z.boolean().optional(), nineElementRows: z.boolean().optional(), simSrc: z.boolean().optional() }).optional(),
  }),
};

const json = (body: unknown, status = 200): RouteReply => ({ status, body });

/** The HTTP control API under `/_sim/`. Bodies are validated; a bad one gets 400 with the reason. */
export async function controlRoute(
  control: SimulatorControl,
  s: SimState,
  method: string,
  path: string,
  query: URLSearchParams,
  bodyText: string,
): Promise<RouteReply> {
  let body: unknown = {};
  if (bodyText.trim() !== '') {
    try {
      body = JSON.parse(bodyText);
    } catch {
      return json({ error: 'body is not JSON' }, 400);
    }
  }
  const parse = <K extends keyof typeof schemas>(k: K): z.output<(typeof schemas)[K]> => schemas[k].parse(body) as z.output<(typeof schemas)[K]>;
  const since = Number(query.get('since') ?? 0) || 0;
  const portMatch = /^\/_sim\/ports\/(\d+)(\/unregister-after)?$/.exec(path);
  try {
    if (method === 'GET' && path === '/_sim/state') return json({ ssrc: control.ssrc, device: s.devStatus(true, -1), tasks: control.tasks() });
    if (method === 'GET' && path === '/_sim/requests') return json(control.requests(since));
    if (method === 'GET' && path === '/_sim/callbacks') return json(control.callbacks(since));
    if (method === 'POST' && path === '/_sim/inbound') return json({ id: control.injectInbound(parse('inbound')) });
    if (method === 'POST' && portMatch && !portMatch[2]) {
      control.setPort(Number(portMatch[1]), parse('port'));
      return json({ ok: true });
    }
    if (method === 'POST' && portMatch && portMatch[2]) {
      const b = parse('unregister');
      control.unregisterPortAfter(Number(portMatch[1]), b.afterMessages, b.st);
      return json({ ok: true });
    }
    if (method === 'POST' && path === '/_sim/faults') {
      const b = parse('fault');
      control.addFault({ fault: b.fault, ...(b.endpoint !== undefined && { endpoint: b.endpoint }), ...(b.times !== undefined && { times: b.times }) });
      return json({ ok: true });
    }
    if (method === 'DELETE' && path === '/_sim/faults') {
      control.clearFaults();
      return json({ ok: true });
    }
    if (method === 'PUT' && path === '/_sim/callback-faults') {
      control.setCallbackFaults(parse('callbackFaults'));
      return json({ ok: true });
    }
    if (method === 'PATCH' && path === '/_sim/config') {
      control.configure(parse('config'));
      return json({ ok: true });
    }
    if (method === 'POST' && path === '/_sim/flush') {
      await control.flush();
      return json({ ok: true });
    }
    if (method === 'POST' && path === '/_sim/reboot') {
      control.reboot();
      return json({ ok: true, ssrc: control.ssrc });
    }
    if (method === 'POST' && path === '/_sim/reset') {
      control.reset();
      return json({ ok: true });
    }
  } catch (err) {
    if (err instanceof z.ZodError) return json({ error: err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) }, 400);
    if (err instanceof RangeError) return json({ error: err.message }, 400);
    throw err;
  }
  return json({ error: `no control route ${method} ${path}` }, 404);
}
