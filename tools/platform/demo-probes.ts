/** Small HTTP helpers for the demo: every call has a deadline and never throws. */

export type HttpResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number | null; error: string };

export async function http<T = unknown>(url: string, init: RequestInit = {}, timeoutMs = 3_000): Promise<HttpResult<T>> {
  try {
    // Only a request with a body says it is JSON: Fastify refuses an empty body announced as application/json.
    const headers = init.body === undefined ? init.headers : { 'content-type': 'application/json', ...(init.headers ?? {}) };
    const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) return { ok: false, status: res.status, error: typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200) };
    return { ok: true, status: res.status, body: body as T };
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, status: null, error: code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/** Whether a service answers its liveness endpoint. */
export async function isUp(url: string): Promise<boolean> {
  return (await http(`${url}/health/live`, {}, 1_500)).ok;
}

/** One SMS task the simulator received (from its request records). */
export interface SimTask {
  readonly tid: number;
  readonly to: string;
  readonly text: string;
}

interface SimRequestRecord {
  seq: number;
  endpoint: string;
  body: { type?: string; tasks?: Array<{ tid?: number; to?: string; sms?: string }> } | null;
}

/** Tasks of every accepted-looking goip_post_sms request received after `since` (request seq). */
export async function simulatorTasks(simUrl: string, since = 0): Promise<SimTask[]> {
  const r = await http<SimRequestRecord[]>(`${simUrl}/_sim/requests?since=${since}`);
  if (!r.ok || !Array.isArray(r.body)) return [];
  return r.body
    .filter((rec) => rec.endpoint === 'goip_post_sms.html' && rec.body?.type === 'send-sms')
    .flatMap((rec) => (rec.body?.tasks ?? []).map((t) => ({ tid: Number(t.tid), to: String(t.to ?? ''), text: String(t.sms ?? '') })));
}

/** The newest request sequence number the simulator has recorded (so the demo only counts its own traffic). */
export async function simulatorSeq(simUrl: string): Promise<number> {
  const r = await http<SimRequestRecord[]>(`${simUrl}/_sim/requests`);
  if (!r.ok || !Array.isArray(r.body) || r.body.length === 0) return 0;
  return r.body[r.body.length - 1].seq;
}
