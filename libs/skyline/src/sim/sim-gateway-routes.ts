import { taskStatusText } from '../codes';
import type { SimState } from './sim-state';

/** What a vendor endpoint answers: an HTTP status and a JSON object or text. */
export interface RouteReply {
  status: number;
  body: unknown;
  contentType?: string;
}

const ok = (body: unknown): RouteReply => ({ status: 200, body });

/** Credentials from the query or the JSON body, parameter names case-insensitive. */
export function checkAuth(s: SimState, query: Map<string, string>, body: unknown): boolean {
  const fromBody = (k: string): unknown => {
    if (typeof body !== 'object' || body === null) return undefined;
    const key = Object.keys(body).find((x) => x.toLowerCase() === k);
    return key === undefined ? undefined : (body as Record<string, unknown>)[key];
  };
  const user = query.get('username') ?? fromBody('username');
  const pass = query.get('password') ?? fromBody('password');
  return user === s.o.username && pass === s.o.password;
}

/** The reply to a request with bad credentials, in the configured style. */
export function badAuthReply(s: SimState, endpoint: string, body: unknown): RouteReply {
  switch (s.o.badAuth) {
    case 'http-401':
      return { status: 401, body: '401 Unauthorized', contentType: 'text/plain' };
    case 'html-login':
      return { status: 200, body: '<html><head><title>Login</title></head><body><form>...</form></body></html>', contentType: 'text/html' };
    case 'json':
      return ok({ code: 1, reason: 'Invalid User' });
    case 'task-status': {
      if (endpoint !== 'goip_post_sms.html') return ok({ code: 1, reason: 'Invalid User' });
      const tasks = Array.isArray((body as { tasks?: unknown })?.tasks) ? (body as { tasks: Array<{ tid?: unknown }> }).tasks : [];
      return ok({ code: 200, reason: 'OK', type: 'task-status', status: tasks.map((t) => ({ tid: t?.tid ?? 0, status: taskStatusText(1) })) });
    }
  }
}

/** Dispatches one authenticated vendor request. `refuse` comes from a `refuse` fault. */
export function gatewayRoute(
  s: SimState,
  endpoint: string,
  query: Map<string, string>,
  body: unknown,
  refuse: { code: number; tids?: number[] } | null,
): RouteReply {
  const obj = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  switch (endpoint) {
    case 'goip_post_sms.html':
      return postSms(s, obj, refuse);
    case 'goip_pause_sms.html':
    case 'goip_resume_sms.html':
    case 'goip_remove_sms.html': {
      const op = endpoint === 'goip_pause_sms.html' ? 'pause' : endpoint === 'goip_resume_sms.html' ? 'resume' : 'remove';
      const tids = Array.isArray(obj?.['tids']) ? (obj['tids'] as unknown[]).map(Number).filter(Number.isInteger) : undefined;
      let results = s.engine.operate(op, tids);
      if (refuse) results = results.map((r) => (refuse.tids && !refuse.tids.includes(r.tid) ? r : { tid: r.tid, status: taskStatusText(refuse.code) }));
      return ok(tids === undefined ? { code: 200, reason: 'OK' } : { code: 200, reason: 'OK', results });
    }
    case 'goip_get_tasks.html':
      return getTasks(s, query);
    case 'goip_get_status.html': {
      if (refuse) return ok({ code: refuse.code, reason: taskStatusText(refuse.code).replace(/^\d+ /, '') });
      const url = query.get('url');
      if (url !== undefined) s.setStatusPush(url, Number(query.get('period') ?? 60));
      return ok(s.devStatus(query.get('all_sims') === '1', -1));
    }
    case 'goip_get_sms.html': {
      if (refuse) return ok({ code: refuse.code, reason: taskStatusText(refuse.code).replace(/^\d+ /, '') });
      const fromId = Math.max(1, Number(query.get('sms_id') ?? 1) || 1);
      const r = s.inbox.query(fromId, Number(query.get('sms_num') ?? 0) || 0, query.get('sms_del') === '1');
      return ok({ code: 0, reason: 'OK', ssrc: s.inbox.ssrc, sms_num: r.rows.length, next_sms: r.nextId, data: r.rows });
    }
    case 'goip_send_cmd.html': {
      if (refuse) return ok({ code: refuse.code, reason: taskStatusText(refuse.code).replace(/^\d+ /, '') });
      const op = String(obj?.['op'] ?? query.get('op') ?? '');
      if (op === 'reboot') setImmediate(() => s.reboot());
      if (op === '') return ok({ code: 15, reason: 'Invalid CMD' });
      return ok({ code: 0, reason: 'OK' });
    }
    default:
      return { status: 404, body: 'Not Found', contentType: 'text/plain' };
  }
}

function postSms(s: SimState, body: Record<string, unknown> | null, refuse: { code: number; tids?: number[] } | null): RouteReply {
  // Undocumented on devices; our choice for a body that is not a send-sms object.
  if (!body || body['type'] !== 'send-sms' || !Array.isArray(body['tasks'])) {
    return ok({ code: 400, reason: 'Bad Request', type: 'task-status' });
  }
  const str = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : undefined);
  const num = (k: string) => (body[k] === undefined ? undefined : Number(body[k]));
  const srUrl = str('sr_url') ?? s.o.srUrl;
  const smsUrl = str('sms_url');
  if (srUrl) s.reporter.setGlobals(srUrl, num('sr_cnt'), num('sr_prd'));
  if (smsUrl) s.inbox.smsUrl = smsUrl;
  if (num('sms_cnt') !== undefined) s.inbox.smsCnt = num('sms_cnt')!;
  if (num('sms_prd') !== undefined) s.inbox.smsPrd = num('sms_prd')!;
  const top = { ...(srUrl !== undefined && { srUrl }), ...(s.inbox.smsUrl !== undefined && { smsUrl: s.inbox.smsUrl }) };
  const status = (body['tasks'] as unknown[]).map((t) => {
    const raw = typeof t === 'object' && t !== null ? (t as Record<string, unknown>) : {};
    const tid = Number(raw['tid']);
    const code = refuse && (!refuse.tids || refuse.tids.includes(tid)) ? refuse.code : null;
    return s.engine.submitTask(raw, top, code);
  });
  return ok({ code: 200, reason: 'OK', type: 'task-status', status });
}

function getTasks(s: SimState, query: Map<string, string>): RouteReply {
  const port = Number(query.get('port'));
  if (!Number.isInteger(port) || port < 1 || port > s.o.ports) return ok({ code: 2, reason: 'Invalid Port' });
  const pos = Math.max(0, Number(query.get('pos') ?? 0) || 0);
  const num = Math.max(1, Number(query.get('num') ?? 10) || 10);
  const withContent = query.get('has_content') === '1';
  const all = s.engine.queuedOn(port);
  const tasks = all.slice(pos, pos + num).map((t) => ({
    tid: t.tid,
    state: t.paused ? 1 : 0,
    from: t.from,
    to: t.recipients.join(','),
    chs: t.chs,
    coding: t.coding,
    ...(withContent && { sms: t.sms }),
  }));
  return ok({ code: 200, reason: 'OK', total_num: all.length, task_num: tasks.length, tasks });
}
